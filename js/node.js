// Node.js: read the wasm from disk and instantiate it synchronously. Built
// as CommonJS (dist/node.cjs); the ESM entry (node.mjs) re-exports it, so
// `import` and `require` share one wasm instance and the same error classes.
// Written as a module so the bundler keeps the class names as they are.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from '../build/bindgen/airstore_wasm.js';

// `__dirname` is CommonJS's own: this file is only ever run as dist/node.cjs.
initSync({ module: readFileSync(join(__dirname, 'airstore_wasm_bg.wasm')) });

export * from './public.js';
export { default } from './public.js';
