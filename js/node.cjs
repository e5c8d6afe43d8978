// Node.js, CommonJS: read the wasm from disk and instantiate it synchronously.
// The ESM entry (node.mjs) re-exports this module, so `import` and `require`
// share one wasm instance and the same error classes.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { initSync } = require('../build/bindgen/airstore_wasm.js');

initSync({ module: readFileSync(join(__dirname, 'airstore_wasm_bg.wasm')) });

module.exports = require('./public.js');
