// ESM and CJS builds share one set of classes; fetch and setTimeout are looked up at call time.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import EsmDefault, * as esm from '../../pkg/dist/node.mjs';
import { startStandin, KEY, caught, assertExactly, throwsExactly } from './helpers.mjs';

const require = createRequire(import.meta.url);
const cjs = require('../../pkg/dist/node.cjs');

const NAMES = [
  'Airstore', 'AirstoreError', 'APIError', 'AuthenticationError', 'PermissionDeniedError', 'NotFoundError',
  'ConflictError', 'UnprocessableEntityError', 'RateLimitError', 'InternalServerError', 'APIConnectionError',
  'APIConnectionTimeoutError',
];

let s;
before(async () => {
  s = await startStandin();
});
after(() => s.close());
beforeEach(() => s.reset());

describe('ESM and CJS', () => {
  test('the CJS build exports the same 12 names, identical to the ESM ones', () => {
    for (const name of NAMES) {
      assert.equal(typeof cjs[name], 'function', `cjs.${name}`);
      assert.equal(cjs[name], esm[name], `require(...).${name} === import { ${name} }`);
    }
    assert.equal(cjs.Airstore, EsmDefault);
  });

  test('require() twice gives the same module', () => {
    assert.equal(require('../../pkg/dist/node.cjs'), cjs);
  });

  test('an error from a client made via require is instanceof the ESM classes', async () => {
    const c = new cjs.Airstore({ apiKey: KEY, baseURL: s.baseURL });
    const err = await caught(() => c.oauth.getSession('0'.repeat(32)));
    assertExactly(err, esm.NotFoundError, 'session not found');
    assert.ok(err instanceof esm.APIError);
    assert.ok(err instanceof esm.AirstoreError);
    assert.ok(err instanceof cjs.NotFoundError);
  });

  test('an error from an ESM client is instanceof the CJS classes', async () => {
    const c = new EsmDefault({ apiKey: 'org_wrong', baseURL: s.baseURL });
    const err = await caught(() => c.oauth.createSession({ integrationType: 'gmail' }));
    assert.ok(err instanceof cjs.AuthenticationError);
    assert.ok(err instanceof cjs.APIError);
    assert.ok(err instanceof cjs.AirstoreError);
  });

  test('validation errors from a CJS client are ESM AirstoreErrors', async () => {
    const c = new cjs.Airstore({ apiKey: KEY, baseURL: s.baseURL });
    const err = await caught(() => c.oauth.getSession(''));
    assertExactly(err, esm.AirstoreError);
    throwsExactly(() => new cjs.Airstore({ apiKey: '' }), esm.AirstoreError, 'API key is required. Pass it via the `apiKey` option or set the AIRSTORE_API_KEY environment variable.');
  });

  test('ESM and CJS clients work side by side', async () => {
    const a = new cjs.Airstore({ apiKey: KEY, baseURL: s.baseURL });
    const b = new esm.Airstore({ apiKey: KEY, baseURL: s.baseURL });
    const { session_id: id } = await a.oauth.createSession({ integrationType: 'gmail' });
    assert.equal((await b.oauth.getSession(id)).status, 'pending');
    assert.ok(a instanceof esm.Airstore);
    assert.ok(b instanceof cjs.Airstore);
  });
});

describe('globals are looked up at call time', () => {
  test('globalThis.fetch replaced after import is used', async () => {
    const c = new esm.Airstore({ apiKey: KEY, baseURL: s.baseURL });
    const real = globalThis.fetch;
    const seen = [];
    globalThis.fetch = function wrappedFetch(input, init) {
      seen.push(typeof input === 'string' ? input : input.url);
      return real.call(this, input, init);
    };
    let r;
    try {
      r = await c.oauth.createSession({ integrationType: 'gmail' });
      await c.oauth.getSession(r.session_id);
    } finally {
      globalThis.fetch = real;
    }
    assert.deepEqual(seen, [`${s.baseURL}/oauth/sessions`, `${s.baseURL}/oauth/sessions/${r.session_id}`]);
    assert.equal(s.requests.length, 2);

    // After restoring, the wrapper is no longer called.
    await c.oauth.getSession(r.session_id);
    assert.equal(seen.length, 2);
    assert.equal(s.requests.length, 3);
  });

  test('a client made before fetch is replaced also uses the replacement', async () => {
    const c = new cjs.Airstore({ apiKey: KEY, baseURL: s.baseURL });
    const real = globalThis.fetch;
    let calls = 0;
    globalThis.fetch = (...args) => { calls += 1; return real(...args); };
    try {
      await c.oauth.getSession('0'.repeat(32)).catch(() => {});
    } finally {
      globalThis.fetch = real;
    }
    assert.equal(calls, 1);
  });

  test('a replacement fetch that rejects → APIConnectionError with that cause', async () => {
    const c = new esm.Airstore({ apiKey: KEY, baseURL: s.baseURL, maxRetries: 0 });
    const real = globalThis.fetch;
    const boom = new TypeError('fetch failed (stub)');
    globalThis.fetch = async () => { throw boom; };
    let err;
    try {
      err = await caught(() => c.oauth.getSession('0'.repeat(32)));
    } finally {
      globalThis.fetch = real;
    }
    assertExactly(err, esm.APIConnectionError);
    assert.equal(err.cause, boom);
    assert.equal(s.requests.length, 0);
  });

  test('globalThis.setTimeout replaced after import is used for poll sleeps', async () => {
    const c = new esm.Airstore({ apiKey: KEY, baseURL: s.baseURL });
    const { session_id: id } = await c.oauth.createSession({ integrationType: 'gmail' });
    const real = globalThis.setTimeout;
    const delays = [];
    globalThis.setTimeout = function wrappedSetTimeout(fn, ms, ...rest) {
      delays.push(ms);
      return real.call(this, fn, ms, ...rest);
    };
    let checks = 0;
    try {
      await c.oauth.poll(id, {
        interval: 123,
        timeout: 5000,
        onStatus: (_, n) => { checks = n; if (n === 2) s.complete(id); },
      });
    } finally {
      globalThis.setTimeout = real;
    }
    assert.equal(checks, 3);
    assert.ok(delays.some((ms) => ms > 0 && ms <= 123), `setTimeout delays seen: ${JSON.stringify(delays)}`);
  });
});
