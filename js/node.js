// Node.js: read the wasm from disk and instantiate it synchronously. Built
// as CommonJS (dist/node.cjs); the ESM entry (node.mjs) re-exports it, so
// `import` and `require` share one wasm instance and the same error classes.
// Written as a module so the bundler keeps the class names as they are.
import { initSync } from '../build/bindgen/airstore_wasm.js';
import { readWasmNextTo } from './load-wasm-node.js';

// `__dirname` is CommonJS's own: this file is only ever run as dist/node.cjs
// (or inside a bundle of it). A missing file is an error that says how to fix it.
initSync({ module: readWasmNextTo(__dirname) });

export * from './public.js';
export { default } from './public.js';
