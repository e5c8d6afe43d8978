// Bytes are exact, so size is tested (timing never is: see `make bench`).
// The browser app of the benchmark (bench/browser-app.mjs): our JS bundle
// plus the .wasm it loads, gzip -9.
//
// The budget is 30 KB in all and is NOT met yet (docs/size.md says where the
// bytes go). This test holds the ground gained so far: it fails when a
// change makes the browser download bigger than CEILING, so growth is a
// decision (raise the ceiling in the same commit, and say why), never an
// accident. Lower it when a change saves bytes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bundleBrowserApp, gzip9 } from '../../bench/browser-app.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PKG = path.join(ROOT, 'pkg');
const CEILING = 38 * 1024; // browser JS + wasm, gzip -9 (measured: 36.9 KB)
const BUDGET = 30 * 1024;

test(`the browser app downloads at most ${CEILING} B gzipped (JS + wasm)`, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airstore-size-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  fs.mkdirSync(path.join(tmp, 'node_modules'));
  fs.symlinkSync(PKG, path.join(tmp, 'node_modules/airstore-wasm'), 'dir');

  const js = await bundleBrowserApp('airstore-wasm', tmp, path.join(tmp, 'app'));
  assert.ok(js.includes('airstore_wasm_bg.wasm'), 'the bundle loads the .wasm as a separate asset');
  assert.ok(!js.includes('AGFzbQ'), 'the bundle does not inline the wasm as base64');
  const wasm = fs.readFileSync(path.join(PKG, 'dist/airstore_wasm_bg.wasm'));
  const total = gzip9(js) + gzip9(wasm);
  t.diagnostic(`JS ${gzip9(js)} B + wasm ${gzip9(wasm)} B = ${total} B gzip -9 (budget ${BUDGET} B, ${total <= BUDGET ? 'met' : 'not met'})`);
  assert.ok(total <= CEILING, `the browser download grew to ${total} B gzipped, over the ceiling of ${CEILING} B`);
});
