// Cloudflare Workers (workerd): the .wasm is imported as a compiled module
// (Workers forbid compiling WebAssembly from bytes) and instantiated
// synchronously. Instantiation does no I/O, so it is allowed at global scope.
import wasmModule from './airstore_wasm_bg.wasm';
import { initSync } from '../build/bindgen/airstore_wasm.js';

initSync({ module: wasmModule });

export * from './public.js';
export { default } from './public.js';
