// The shape the package was commissioned in, and the review's flaws:
// Rust owns the calls (a stack taken inside fetch, setTimeout or the
// promise's making shows wasm right beneath wasm-bindgen's import shim),
// free() wipes the key and later calls reject with an AirstoreError,
// options are read from own properties only, User-Agent outside browsers,
// and a keyed client is refused in a browser page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Airstore, { AirstoreError } from '../../pkg/dist/node.mjs';
import { KEY, assertExactly, caught, startStandin, throwsExactly, waitFor, withEnv } from './helpers.mjs';

const VERSION = JSON.parse(fs.readFileSync(new URL('../../pkg/package.json', import.meta.url), 'utf8')).version;
const FREED = 'This Airstore client was freed (free() or a `using` block ended): make a new one';

let s;
before(async () => {
  s = await startStandin();
});
after(() => s.close());

/**
 * The frames of `stack` below the first one at `marker`: asserts that they
 * run through the package's bundled glue (dist/node.cjs) for at most three
 * frames and then into wasm.
 */
function assertWasmBeneath(stack, marker, what) {
  const frames = stack.split('\n').slice(1).map((l) => l.trim());
  const at = frames.findIndex((f) => f.includes(marker));
  assert.ok(at >= 0, `${what}: the stub's own frame is in the stack:\n${stack}`);
  const below = frames.slice(at + 1);
  const firstWasm = below.findIndex((f) => f.includes('wasm://'));
  assert.ok(firstWasm >= 1 && firstWasm <= 3, `${what}: wasm within three frames under the stub:\n${stack}`);
  for (const f of below.slice(0, firstWasm)) assert.match(f, /dist\/node\.cjs/, `${what}: only wasm-bindgen's shim between:\n${stack}`);
}

test('a stack taken inside fetch, inside the poll\'s setTimeout and where the promise is made shows wasm beneath the import shim', async () => {
  const client = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
  const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
  const real = { fetch: globalThis.fetch, setTimeout: globalThis.setTimeout, Promise: globalThis.Promise };
  const stacks = { fetch: [], setTimeout: [], promise: [] };
  globalThis.fetch = function stubFetch(...args) {
    stacks.fetch.push(new Error().stack);
    return real.fetch(...args);
  };
  globalThis.setTimeout = function stubSetTimeout(...args) {
    stacks.setTimeout.push(new Error().stack);
    return real.setTimeout(...args);
  };
  globalThis.Promise = class StubPromise extends real.Promise {
    constructor(executor) {
      super(executor);
      stacks.promise.push(new Error().stack);
    }
  };
  let status;
  let made;
  try {
    made = client.oauth.poll(id, { interval: 20, timeout: 5_000, onStatus: (_, n) => n === 2 && s.complete(id, 'conn_shape') });
    globalThis.Promise = real.Promise;
    status = await made;
  } finally {
    Object.assign(globalThis, real);
  }
  assert.equal(status.connection_id, 'conn_shape');
  assert.ok(made instanceof real.Promise, 'poll returned a promise');
  assertWasmBeneath(stacks.fetch[0], 'stubFetch', 'fetch');
  // (The stand-in sets timers of its own; ours are the ones the package's glue sets.)
  const waits = stacks.setTimeout.filter((st) => /stubSetTimeout[^\n]*\n[^\n]*dist\/node\.cjs/.test(st));
  assert.ok(waits.length >= 2, 'the request timer and the poll wait are set from wasm');
  for (const st of waits) assertWasmBeneath(st, 'stubSetTimeout', 'setTimeout');
  assert.ok(stacks.promise.length >= 1, 'the returned promise was made while the stub was installed');
  assertWasmBeneath(stacks.promise[0], 'StubPromise', 'new Promise');
});

test('free() wipes the client: every method then rejects with an AirstoreError saying so, and the instance keeps working', async () => {
  const client = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
  const oauth = client.oauth;
  client.free();
  for (const call of [
    () => oauth.createSession({ integrationType: 'gmail' }),
    () => oauth.getSession('abc'),
    () => oauth.poll('abc'),
    () => oauth.authorize({ session_id: 'abc', authorize_url: 'https://x.example/' }),
  ]) {
    assertExactly(await caught(call), AirstoreError, FREED);
  }
  client.free(); // twice is harmless
  const other = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
  other.oauth.free(); // through the resource too
  assertExactly(await caught(() => other.oauth.getSession('abc')), AirstoreError, FREED);
  if (typeof Symbol.dispose === 'symbol') {
    const third = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
    third[Symbol.dispose]();
    assertExactly(await caught(() => third.oauth.getSession('abc')), AirstoreError, FREED);
  }
  const fresh = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
  assert.match((await fresh.oauth.createSession({ integrationType: 'gmail' })).session_id, /^[0-9a-f]{32}$/);
});

test('a call under way when the client is freed still settles', async () => {
  const client = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
  const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
  const seen = s.requests.length;
  const polling = client.oauth.poll(id, { interval: 20, timeout: 5_000 });
  // Once the call has begun (its first check sent), it holds what it needs.
  await waitFor(() => s.requests.length > seen, 2_000, 'the first check');
  client.free();
  s.complete(id, 'conn_after_free');
  assert.equal((await polling).connection_id, 'conn_after_free');
});

test('options come from own properties only: a polluted Object.prototype reaches nothing', async () => {
  const evil = await startStandin();
  const polluted = { baseURL: evil.baseURL, defaultHeaders: { 'X-Injected': '1' }, workspaceId: 'ws_evil', returnTo: 'https://evil.example/', headers: { 'X-Injected': '1' } };
  try {
    await withEnv({ AIRSTORE_BASE_URL: s.baseURL }, async () => {
      Object.assign(Object.prototype, polluted);
      let created;
      try {
        const client = new Airstore({ apiKey: KEY });
        created = await client.oauth.createSession({ integrationType: 'gmail' }, {});
      } finally {
        for (const k of Object.keys(polluted)) delete Object.prototype[k];
      }
      assert.match(created.session_id, /^[0-9a-f]{32}$/);
    });
    assert.equal(evil.requests.length, 0, 'nothing went to the polluted baseURL');
    const sent = s.requests.at(-1);
    assert.equal(sent.headers['x-injected'], undefined);
    assert.deepEqual(JSON.parse(sent.body), { integration_type: 'gmail' });
  } finally {
    await evil.close();
  }
});

test(`every request from Node says User-Agent: airstore-wasm/${VERSION}`, async () => {
  const client = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
  const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
  await Airstore.keyless({ baseURL: s.baseURL }).oauth.getSession(id);
  for (const r of s.requests.slice(-2)) assert.equal(r.headers['user-agent'], `airstore-wasm/${VERSION}`);
});

test('in a browser page a keyed client is refused unless dangerouslyAllowBrowser, and nothing sends User-Agent', async () => {
  globalThis.window = globalThis;
  globalThis.document = { visibilityState: 'visible', addEventListener() {}, removeEventListener() {} };
  try {
    const err = throwsExactly(() => new Airstore({ apiKey: KEY, baseURL: s.baseURL }), AirstoreError,
      'options.apiKey must not be used in a browser page: anyone who opens the page can read it. Create sessions on your server and use Airstore.keyless() here, or pass dangerouslyAllowBrowser: true if this page is private');
    assert.ok(!err.message.includes(KEY));
    const allowed = new Airstore({ apiKey: KEY, baseURL: s.baseURL, dangerouslyAllowBrowser: true });
    const { session_id: id } = await allowed.oauth.createSession({ integrationType: 'gmail' });
    await Airstore.keyless({ baseURL: s.baseURL }).oauth.getSession(id);
    for (const r of s.requests.slice(-2)) assert.equal(r.headers['user-agent'] === `airstore-wasm/${VERSION}`, false, 'no User-Agent of ours in a browser');
  } finally {
    delete globalThis.window;
    delete globalThis.document;
  }
});
