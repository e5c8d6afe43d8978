/**
 * airstore-wasm/slim: the same API, but nothing is loaded on import. Call,
 * once, before using the client: `await init()` in a browser (it fetches
 * `airstore_wasm_bg.wasm` next to this file); `init({ module_or_path: bytes })`
 * or `initSync({ module: bytes })` in Node (read the file yourself: Node's
 * fetch cannot load `file:` URLs); `initSync({ module })` in workerd with an
 * imported `.wasm`. This entry's error classes are its own: do not mix them
 * with the main entry's in `instanceof` checks.
 */
export * from './index.js';
export { default } from './index.js';

// The runtime's own URL, Response and WebAssembly.Module types where it has
// them; `never` otherwise (a runtime without them cannot pass one), so these
// declarations type-check with any `lib` setting.
type URLLike = typeof globalThis extends { URL: { prototype: infer U } } ? U : never;
type ResponseLike = typeof globalThis extends { Response: { prototype: infer R } } ? R : never;
type WasmModuleLike = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : never;
type BufferSourceLike = ArrayBuffer | ArrayBufferView;

/** Where to find the wasm: a URL, a `Response`, bytes, or a compiled `WebAssembly.Module`. */
export type InitInput = string | URLLike | ResponseLike | BufferSourceLike | WasmModuleLike | Promise<ResponseLike>;

/** Loads and instantiates the wasm (by default from `airstore_wasm_bg.wasm` next to this file). */
export function init(options?: { module_or_path?: InitInput }): Promise<void>;
/** Instantiates the wasm synchronously from bytes or a compiled module. */
export function initSync(options: { module: BufferSourceLike | WasmModuleLike }): void;
