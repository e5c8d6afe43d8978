// The API key never leaks; session ids stay one path segment; keyless clients.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import Airstore, {
  AirstoreError,
  APIError,
  NotFoundError,
  AuthenticationError,
  APIConnectionError,
  APIConnectionTimeoutError,
  InternalServerError,
} from '../../pkg/dist/node.mjs';
import {
  startStandin, SESSIONS_PATH, caught, assertExactly, rejectsExactly, throwsExactly, deadPort, withEnv, waitFor, sleep,
} from './helpers.mjs';

const SECRET = 'sk_live_SECRET_9f8e7d6c5b4a3f2e';
const WRONG = 'sk_live_WRONGSECRET_77aa66bb55cc';
const NEEDLES = [SECRET, 'SECRET_9f8e7d6c', WRONG, 'WRONGSECRET_77aa'];

let s;
let client;
before(async () => {
  s = await startStandin({ apiKeys: [SECRET] });
  client = new Airstore({ apiKey: SECRET, baseURL: s.baseURL });
});
after(() => s.close());
beforeEach(() => s.reset());

function assertNoSecret(text, what) {
  for (const needle of NEEDLES) {
    assert.ok(!String(text).includes(needle), `${what} contains the API key (${needle}):\n${text}`);
  }
}

function assertErrorHidesKey(err, what) {
  assert.ok(err instanceof Error, `${what}: got ${err}`);
  assertNoSecret(err.message, `${what}: message`);
  assertNoSecret(err.stack, `${what}: stack`);
  assertNoSecret(String(err), `${what}: String()`);
  assertNoSecret(util.inspect(err, { depth: Infinity, showHidden: true }), `${what}: util.inspect`);
  let json;
  try { json = JSON.stringify(err); } catch { json = ''; }
  assertNoSecret(json, `${what}: JSON.stringify`);
  // Walk the cause chain explicitly too.
  let cause = err.cause;
  for (let i = 0; cause !== undefined && cause !== null && i < 5; i++, cause = cause.cause) {
    assertNoSecret(String(cause?.message ?? cause), `${what}: cause[${i}].message`);
    assertNoSecret(cause?.stack ?? '', `${what}: cause[${i}].stack`);
  }
}

describe('the API key never leaks', () => {
  test('the client object does not show it', () => {
    for (const obj of [client, client.oauth]) {
      assertNoSecret(util.inspect(obj), 'util.inspect');
      assertNoSecret(util.inspect(obj, { showHidden: true, depth: Infinity, getters: true }), 'util.inspect(showHidden)');
      assertNoSecret(JSON.stringify(obj) ?? '', 'JSON.stringify');
      assertNoSecret(String(obj), 'String()');
      assertNoSecret(`${Object.keys(obj)}`, 'Object.keys');
      assertNoSecret(JSON.stringify(Object.keys(obj).map((k) => { try { return String(obj[k]); } catch { return ''; } })), 'own values');
      assertNoSecret(Reflect.ownKeys(obj).map(String).join(','), 'Reflect.ownKeys');
      assertNoSecret(JSON.stringify({ ...obj }), 'spread');
    }
  });

  test('nor a keyless client made while AIRSTORE_API_KEY is set', async () => {
    await withEnv({ AIRSTORE_API_KEY: SECRET }, async () => {
      const k = Airstore.keyless({ baseURL: s.baseURL });
      assertNoSecret(util.inspect(k, { showHidden: true, depth: Infinity }), 'util.inspect');
      assertNoSecret(JSON.stringify(k) ?? '', 'JSON.stringify');
    });
  });

  test('errors from API answers do not contain it', async () => {
    const errors = [];
    errors.push(['404', await caught(() => client.oauth.getSession('0'.repeat(32)))]);
    errors.push(['400', await caught(() => client.oauth.createSession({ integrationType: 'dropbox' }))]);
    const wrong = new Airstore({ apiKey: WRONG, baseURL: s.baseURL });
    errors.push(['401', await caught(() => wrong.oauth.createSession({ integrationType: 'gmail' }))]);
    s.inject({ status: 500, headers: { 'retry-after-ms': '1' }, times: 3 });
    errors.push(['500', await caught(() => client.oauth.createSession({ integrationType: 'gmail' }))]);
    s.inject({ status: 200, malformedJson: true });
    errors.push(['malformed', await caught(() => client.oauth.createSession({ integrationType: 'gmail' }))]);
    assert.ok(errors[0][1] instanceof NotFoundError);
    assert.ok(errors[1][1] instanceof APIError);
    assert.ok(errors[2][1] instanceof AuthenticationError);
    assert.ok(errors[3][1] instanceof InternalServerError);
    assert.ok(errors[4][1] instanceof AirstoreError);
    for (const [what, err] of errors) assertErrorHidesKey(err, what);
  });

  test('transport errors, cancellation and poll errors do not contain it', async () => {
    const errors = [];
    const port = await deadPort();
    const dead = new Airstore({ apiKey: SECRET, baseURL: `http://127.0.0.1:${port}/api/v1`, maxRetries: 0 });
    errors.push(['refused', await caught(() => dead.oauth.createSession({ integrationType: 'gmail' }))]);
    s.inject({ hang: true });
    errors.push(['timeout', await caught(() => client.oauth.createSession({ integrationType: 'gmail' }, { timeout: 100 }))]);
    s.inject({ method: 'POST', reset: 'after-headers' });
    errors.push(['reset', await caught(() => client.oauth.createSession({ integrationType: 'gmail' }, { maxRetries: 0 }))]);
    s.inject({ hang: true });
    const ac = new AbortController();
    const p = caught(() => client.oauth.createSession({ integrationType: 'gmail' }, { signal: ac.signal }));
    await waitFor(() => s.requests.length === 3, 2000, 'the hung POST'); // after the timeout and reset ones
    ac.abort();
    errors.push(['cancel', await p]);
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    errors.push(['poll timeout', await caught(() => client.oauth.poll(id, { timeout: 80, interval: 20 }))]);
    s.fail(id);
    errors.push(['poll failed', await caught(() => client.oauth.poll(id, { interval: 20 }))]);
    assert.ok(errors[0][1] instanceof APIConnectionError);
    assert.ok(errors[1][1] instanceof APIConnectionTimeoutError);
    assert.ok(errors[2][1] instanceof APIConnectionError);
    assert.equal(errors[3][1].message, 'Request was cancelled');
    for (const [what, err] of errors) assertErrorHidesKey(err, what);
  });

  test('validation errors do not contain it', async () => {
    const errors = [];
    const grab = (fn) => { try { fn(); } catch (e) { return e; } return undefined; };
    errors.push(['ctor baseURL', grab(() => new Airstore({ apiKey: SECRET, baseURL: 'ftp://x' }))]);
    errors.push(['ctor timeout', grab(() => new Airstore({ apiKey: SECRET, timeout: -1 }))]);
    errors.push(['ctor header', grab(() => new Airstore({ apiKey: SECRET, defaultHeaders: { 'x-a': 1 } }))]);
    errors.push(['header value with the key and a newline',
      await caught(() => client.oauth.getSession('abc', { headers: { 'x-copy': `${SECRET}\r\nx-evil: 1` } }))]);
    errors.push(['bad params', await caught(() => client.oauth.createSession({ integrationType: 42 }))]);
    errors.push(['bad id', await caught(() => client.oauth.getSession(''))]);
    for (const [what, err] of errors) {
      assert.ok(err instanceof AirstoreError, `${what}: got ${err}`);
      assertErrorHidesKey(err, what);
    }
    assert.equal(s.requests.length, 0);
  });

  test('an API key that cannot be a header value is refused without echoing it', async () => {
    for (const bad of [`${SECRET}\n`, `${SECRET}\u0100`, `${SECRET}\r\nx-evil: 1`]) {
      let err;
      try {
        const c = new Airstore({ apiKey: bad, baseURL: s.baseURL, maxRetries: 0 });
        err = await caught(() => c.oauth.createSession({ integrationType: 'gmail' }));
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof AirstoreError, `got ${err?.constructor?.name}: ${err?.message}`);
      assert.ok(!(err instanceof WebAssembly.RuntimeError));
      assertErrorHidesKey(err, JSON.stringify(bad.slice(-3)));
    }
    assert.ok(!s.requests.some((r) => 'x-evil' in r.headers), 'no header injection');
  });

  test('the key is not sent to another origin through a redirect', async () => {
    const other = await startStandin();
    try {
      s.inject({ method: 'POST', status: 307, redirect: `${other.baseURL}/oauth/sessions` });
      await client.oauth.createSession({ integrationType: 'gmail' }, { maxRetries: 0 }).catch(() => {});
      s.inject({ method: 'GET', status: 302, redirect: `${other.baseURL}/oauth/sessions/abc` });
      await client.oauth.getSession('abc', { maxRetries: 0 }).catch(() => {});
      for (const r of other.requests) {
        assertNoSecret(JSON.stringify(r.headers), `headers sent to ${other.url}${r.path}`);
      }
    } finally {
      await other.close();
    }
  });
});

describe('session id path encoding', () => {
  test('getSession("../workspaces") stays one segment and gets 404', async () => {
    const err = await caught(() => client.oauth.getSession('../workspaces'));
    assertExactly(err, NotFoundError, 'session not found');
    assert.equal(s.requests.length, 1);
    assert.equal(s.requests[0].path, `${SESSIONS_PATH}/..%2Fworkspaces`);
    assert.equal(s.requests[0].method, 'GET');
  });

  const ids = [
    'a/b',
    '/',
    'a?b=c',
    '?',
    'a#frag',
    '#',
    '%2e',
    '%2e%2e',
    '%2F',
    '..%2F..%2Fworkspaces',
    '../../../etc/passwd',
    'a\\b',
    '..\\..',
    '...',
    'a b',
    'a;b',
    'a&b',
    'sess_é✓日本🙂',
  ];
  for (const id of ids) {
    test(`id ${JSON.stringify(id)} stays one segment`, async () => {
      const err = await caught(() => client.oauth.getSession(id));
      assert.equal(s.requests.length, 1, 'one request');
      assert.equal(s.requests[0].path, `${SESSIONS_PATH}/${encodeURIComponent(id)}`);
      // The stand-in matched it as one id: "session not found", not the router's "not found".
      assertExactly(err, NotFoundError, 'session not found');
    });
  }

  test('a real session is found through the same encoding', async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    assert.equal((await client.oauth.getSession(id)).status, 'pending');
    assert.equal(s.requests.at(-1).path, `${SESSIONS_PATH}/${id}`);
  });

  for (const id of ['..', '.']) {
    test(`${JSON.stringify(id)} is rejected with no request`, async () => {
      const err = await caught(() => client.oauth.getSession(id));
      assertExactly(err, AirstoreError);
      assert.match(err.message, /sessionId/);
      const err2 = await caught(() => client.oauth.poll(id, { interval: 10, timeout: 100 }));
      assertExactly(err2, AirstoreError);
      await sleep(10);
      assert.equal(s.requests.length, 0);
    });
  }
});

describe('keyless clients', () => {
  test('getSession and poll work and send no authorization header', async () => {
    const k = Airstore.keyless({ baseURL: s.baseURL });
    assert.ok(k instanceof Airstore);
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    s.requests.length = 0;
    const r = await k.oauth.getSession(id);
    assert.deepEqual({ ...r }, { status: 'pending' });
    setTimeout(() => s.complete(id, 'conn_keyless'), 60);
    const done = await k.oauth.poll(id, { interval: 20, timeout: 3000 });
    assert.equal(done.connection_id, 'conn_keyless');
    assert.ok(s.requests.length >= 3);
    for (const req of s.requests) {
      assert.equal(req.headers.authorization, undefined, `${req.method} ${req.path} carried an authorization header`);
    }
  });

  test('keyless ignores AIRSTORE_API_KEY', async () => {
    await withEnv({ AIRSTORE_API_KEY: SECRET }, async () => {
      const k = Airstore.keyless({ baseURL: s.baseURL });
      await rejectsExactly(k.oauth.getSession('0'.repeat(32)), NotFoundError, 'session not found');
      assert.equal(s.requests.at(-1).headers.authorization, undefined);
      const err = await caught(() => k.oauth.createSession({ integrationType: 'gmail' }));
      assertExactly(err, AirstoreError);
      assert.equal(s.requests.length, 1);
    });
  });

  test('keyless() with no options and no environment key does not throw', async () => {
    await withEnv({ AIRSTORE_API_KEY: undefined }, () => {
      const k = Airstore.keyless();
      assert.ok(k instanceof Airstore);
    });
  });

  test('keyless createSession rejects AirstoreError with no request', async () => {
    const k = Airstore.keyless({ baseURL: s.baseURL });
    const err = await caught(() => k.oauth.createSession({ integrationType: 'gmail' }));
    assertExactly(err, AirstoreError);
    assert.ok(!(err instanceof APIError));
    await sleep(10);
    assert.equal(s.requests.length, 0);
    // and the keyless client still works
    await rejectsExactly(k.oauth.getSession('0'.repeat(32)), NotFoundError, 'session not found');
  });

  test('keyless with an Authorization default header throws', () => {
    for (const name of ['Authorization', 'authorization', 'AUTHORIZATION']) {
      throwsExactly(() => Airstore.keyless({ baseURL: s.baseURL, defaultHeaders: { [name]: 'x' } }), AirstoreError, 'options.defaultHeaders must not set Authorization on a keyless client', name);
    }
  });

  test('the wasm resource cannot be made from unchecked values', async () => {
    const OAuth = new Airstore({ apiKey: 'k', baseURL: s.baseURL }).oauth.constructor;
    assert.equal(OAuth.make, undefined);
    const before = s.requests.length;
    await rejectsExactly(async () => new OAuth().getSession('0'.repeat(32)), Error, 'null pointer passed to rust');
    assert.equal(s.requests.length, before);
    assert.equal(Airstore.length, 1);
  });

  test('keyless with an apiKey option does not use it', async () => {
    let k;
    try {
      k = Airstore.keyless({ baseURL: s.baseURL, apiKey: SECRET });
    } catch (err) {
      assert.ok(err instanceof AirstoreError, 'refusing it is fine too');
      return;
    }
    await k.oauth.getSession('0'.repeat(32)).catch(() => {});
    assert.equal(s.requests.at(-1).headers.authorization, undefined);
    const err = await caught(() => k.oauth.createSession({ integrationType: 'gmail' }));
    assertExactly(err, AirstoreError);
    assert.equal(s.requests.length, 1);
  });
});
