// Node: find the .wasm, or fail with an error that says what is missing,
// where it was looked for and how to fix it (not a bare ENOENT). Kept apart
// from js/node.js so that entry stays "read the wasm, initSync, re-export".
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const WASM_FILE = 'airstore_wasm_bg.wasm';

/**
 * Node: the wasm's bytes. Looked for next to this file (the package's dist/,
 * or a bundle's directory when a bundler inlined this file), then through
 * Node's own module resolution from that directory (a bundle that sits inside
 * the project, such as Next.js's .next/server, still finds
 * node_modules/airstore-wasm). `createRequire` is Node's: bundlers leave
 * `node:module` external and do not follow the call.
 */
export function readWasmNextTo(dir) {
  const beside = join(dir, WASM_FILE);
  try {
    return readFileSync(beside);
  } catch (err) {
    if (err?.code !== 'ENOENT') throw err;
    let resolved;
    try {
      resolved = createRequire(join(dir, 'noop.js')).resolve(`airstore-wasm/${WASM_FILE}`);
    } catch {
      throw missingWasm(beside, dir, err);
    }
    return readFileSync(resolved);
  }
}

function missingWasm(beside, dir, cause) {
  return new Error(
    `airstore-wasm: its WebAssembly file ${WASM_FILE} is missing: looked for ${beside} ` +
      `and for airstore-wasm/${WASM_FILE} in the node_modules above ${dir}. ` +
      'A bundler (webpack --target node, esbuild --platform=node) put the JavaScript into a bundle without the .wasm. ' +
      `Fix: copy node_modules/airstore-wasm/dist/${WASM_FILE} next to the bundle (into ${dir}), ` +
      "or import from 'airstore-wasm/slim' and pass the module yourself: " +
      `initSync({ module: readFileSync('/path/to/${WASM_FILE}') }).`,
    { cause },
  );
}
