// Browsers and bundlers: fetch the wasm that sits next to this file, once,
// before the module finishes loading (top-level await), so users never call
// an init().
import init from '../build/bindgen/airstore_wasm.js';
import { explainWasmRefusal } from './wasm-csp.js';

// A strict Content-Security-Policy refuses the compilation: say which directive to add.
await init({ module_or_path: new URL('./airstore_wasm_bg.wasm', import.meta.url) }).catch(explainWasmRefusal);

export * from './public.js';
export { default } from './public.js';
