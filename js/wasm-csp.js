// Browsers: a page whose Content-Security-Policy has `script-src` without
// 'wasm-unsafe-eval' refuses to compile WebAssembly. The browser's own
// CompileError then names 'unsafe-eval' (Chromium), the wrong fix; this turns
// it into an error that names the directive to add.
const CSP_REFUSAL = /Content Security Policy|CSP|unsafe-eval/i;

/** Rethrows `err`, explained if it is the CSP refusal. */
export function explainWasmRefusal(err) {
  if (err instanceof WebAssembly.CompileError && CSP_REFUSAL.test(err.message)) {
    throw new Error(
      "airstore-wasm: the page's Content-Security-Policy refuses WebAssembly: add 'wasm-unsafe-eval' to script-src " +
        `(script-src 'self' 'wasm-unsafe-eval'), not 'unsafe-eval'. ${err.message}`,
      { cause: err },
    );
  }
  throw err;
}
