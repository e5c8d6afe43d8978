// Browsers and bundlers: fetch the wasm that sits next to this file, once,
// before the module finishes loading (top-level await), so users never call
// an init().
import init from '../build/bindgen/airstore_wasm.js';

await init({ module_or_path: new URL('./airstore_wasm_bg.wasm', import.meta.url) });

export * from './public.js';
export { default } from './public.js';
