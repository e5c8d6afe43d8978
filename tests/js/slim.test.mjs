// The /slim entry: nothing is loaded on import; the caller initialises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const dist = new URL('../../pkg/dist/', import.meta.url);

test('slim loads nothing on import, then works after initSync', async () => {
  const slim = await import(new URL('slim.mjs', dist));
  assert.equal(typeof slim.init, 'function');
  assert.equal(typeof slim.initSync, 'function');
  assert.equal(slim.default, slim.Airstore);
  // Before init the wasm is not there: constructing must fail loudly, not hang.
  // (Checked by hand, not with tests/js/helpers.mjs, which would load the full build.)
  assert.throws(() => new slim.Airstore({ apiKey: 'k' }), (e) => {
    assert.equal(e.constructor, TypeError, `expected exactly TypeError, got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.name, 'TypeError');
    assert.equal(e.message, "Cannot read properties of undefined (reading 'airstore_new')");
    return true;
  });
  slim.initSync({ module: readFileSync(new URL('airstore_wasm_bg.wasm', dist)) });
  const client = new slim.Airstore({ apiKey: 'k', baseURL: 'http://127.0.0.1:9' });
  const err = await client.oauth.getSession('').catch((e) => e);
  assert.ok(err instanceof slim.AirstoreError);
  assert.match(err.message, /sessionId/);
});

test('slim init() accepts the wasm bytes', async () => {
  const slim = await import(new URL('slim.mjs?again', dist));
  await slim.init({ module_or_path: readFileSync(new URL('airstore_wasm_bg.wasm', dist)) });
  assert.equal(new slim.Airstore({ apiKey: 'k' }).constructor.name, 'Airstore');
});

test('a runtime without AbortController gets a connection error, not a call that never settles', { timeout: 5000 }, async () => {
  const slim = await import(new URL('slim.mjs?noabort', dist));
  slim.initSync({ module: readFileSync(new URL('airstore_wasm_bg.wasm', dist)) });
  const client = new slim.Airstore({ apiKey: 'k', baseURL: 'http://127.0.0.1:9', maxRetries: 0 });
  const { AbortController: real } = globalThis;
  const realFetch = globalThis.fetch;
  let fetched = false;
  globalThis.fetch = async () => {
    fetched = true;
    return new Response('{}');
  };
  delete globalThis.AbortController;
  try {
    const err = await client.oauth.getSession('abc').catch((e) => e);
    assert.ok(err instanceof slim.APIConnectionError, String(err));
    assert.equal(fetched, false, 'nothing is sent without a way to stop it');
  } finally {
    globalThis.AbortController = real;
    globalThis.fetch = realFetch;
  }
});
