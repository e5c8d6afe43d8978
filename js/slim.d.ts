/**
 * airstore-wasm/slim: the same API, but nothing is loaded on import. Call
 * `await init()` (browsers, Node) or `initSync({ module })` (workerd, with an
 * imported `.wasm`) once before using the client.
 */
export * from './index.js';
export { default } from './index.js';

/** Where to find the wasm: a URL, a `Response`, bytes, or a compiled `WebAssembly.Module`. */
export type InitInput = string | URL | Response | BufferSource | WebAssembly.Module | Promise<Response>;

/** Loads and instantiates the wasm (by default from `airstore_wasm_bg.wasm` next to this file). */
export function init(options?: { module_or_path?: InitInput }): Promise<unknown>;
/** Instantiates the wasm synchronously from bytes or a compiled module. */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): unknown;
