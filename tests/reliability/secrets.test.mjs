// Security: the API key never leaks (errors of every fault, the client
// object, URLs), keyless clients never send Authorization, session ids stay
// one path segment, and only http(s) URLs are used (baseURL, authorize, mixed
// content).
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import fc from 'fast-check';
import Airstore, {
  AirstoreError,
  APIError,
  AuthenticationError,
  NotFoundError,
  InternalServerError,
  RateLimitError,
  APIConnectionError,
  APIConnectionTimeoutError,
} from '../../pkg/dist/node.mjs';
import { startStandin, SESSIONS_PATH, sleep, caught, assertExactly, deadPort, withEnv, spyFetch, className, messageOf } from './shared.mjs';

const SECRET = 'org_SECRET_9f8e7d';
const WRONG = 'org_WRONG_1a2b3c';
// Pieces that would show a partial leak (a key cut in a message, or escaped).
const NEEDLES = [SECRET, 'SECRET_9f8e7d', '9f8e7d', WRONG, 'WRONG_1a2b3c', Buffer.from(SECRET).toString('base64')];

const SEED = process.env.FC_SEED !== undefined && process.env.FC_SEED !== ''
  ? Number.parseInt(process.env.FC_SEED, 10)
  : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
console.log('fast-check seed', SEED);

let s;
let client;
before(async () => {
  s = await startStandin({ apiKeys: [SECRET] });
  client = new Airstore({ apiKey: SECRET, baseURL: s.baseURL, maxRetries: 1, timeout: 2000 });
});
after(() => s.close());
beforeEach(() => s.clearFaults());

function assertNoSecret(text, what) {
  const str = String(text);
  for (const needle of NEEDLES) {
    assert.ok(!str.includes(needle), `${what} contains the API key (${needle}):\n${str.slice(0, 2000)}`);
  }
}

/** Every way an error gets printed or serialised, and its cause chain, is free of the key. */
function assertErrorHidesKey(err, what) {
  assert.ok(err instanceof Error, `${what}: not an Error: ${className(err)}`);
  assertNoSecret(err.message, `${what}: message`);
  assertNoSecret(err.stack, `${what}: stack`);
  assertNoSecret(String(err), `${what}: String()`);
  assertNoSecret(util.inspect(err, { depth: Infinity, showHidden: true, getters: true }), `${what}: util.inspect`);
  assertNoSecret(JSON.stringify(err) ?? '', `${what}: JSON.stringify`);
  assertNoSecret(JSON.stringify(Object.getOwnPropertyNames(err).map((k) => { try { return String(err[k]); } catch { return ''; } })), `${what}: own property values`);
  if (err.headers instanceof Headers) assertNoSecret(JSON.stringify([...err.headers]), `${what}: headers`);
  let cause = err.cause;
  for (let i = 0; cause !== undefined && cause !== null && i < 8; i++) {
    assertNoSecret(messageOf(cause), `${what}: cause[${i}].message`);
    assertNoSecret(cause?.stack ?? '', `${what}: cause[${i}].stack`);
    assertNoSecret(util.inspect(cause, { depth: Infinity, showHidden: true }), `${what}: cause[${i}] inspect`);
    cause = cause?.cause;
  }
}

// ---- every fault of the fault matrix, with the secret key --------------------

const ID = 'b'.repeat(32);

/** [name, expected class, run] — each run returns the error the call rejected with. */
const FAULTS = [
  ['connection refused', APIConnectionError, async () => {
    const dead = new Airstore({ apiKey: SECRET, baseURL: `http://127.0.0.1:${await deadPort()}/api/v1`, maxRetries: 0 });
    return caught(() => dead.oauth.createSession({ integrationType: 'gmail' }));
  }],
  ['reset before headers', APIConnectionError, () => {
    s.inject({ method: 'POST', reset: 'before-headers', times: 2 });
    return caught(() => client.oauth.createSession({ integrationType: 'gmail' }, { maxRetries: 0 }));
  }],
  ['reset after headers', APIConnectionError, () => {
    s.inject({ method: 'GET', reset: 'after-headers' });
    return caught(() => client.oauth.getSession(ID, { maxRetries: 0 }));
  }],
  ['hang', APIConnectionTimeoutError, () => {
    s.inject({ method: 'POST', hang: true });
    return caught(() => client.oauth.createSession({ integrationType: 'gmail' }, { timeout: 300 }));
  }],
  ['stalled body', APIConnectionTimeoutError, () => {
    s.inject({ method: 'GET', stallBody: true });
    return caught(() => client.oauth.getSession(ID, { timeout: 300 }));
  }],
  ['malformed JSON', AirstoreError, () => {
    s.inject({ method: 'POST', status: 201, malformedJson: true });
    return caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
  }],
  ['HTML 502', InternalServerError, () => {
    s.inject({ method: 'POST', status: 502, headers: { 'content-type': 'text/html', 'retry-after-ms': '1' }, body: '<h1>502</h1>', times: 2 });
    return caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
  }],
  ['unknown status', AirstoreError, () => {
    s.inject({ method: 'GET', status: 200, body: { success: true, data: { status: SECRET.length } } });
    return caught(() => client.oauth.getSession(ID));
  }],
  ['non-string session_id', AirstoreError, () => {
    s.inject({ method: 'POST', status: 201, body: { success: true, data: { session_id: 1, authorize_url: 'https://x.example' } } });
    return caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
  }],
  ['empty body', AirstoreError, () => {
    s.inject({ method: 'POST', status: 201, body: '' });
    return caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
  }],
  ['302 redirect', APIError, () => {
    s.inject({ method: 'POST', status: 302, redirect: `${s.url}/elsewhere` });
    return caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
  }],
  ['429 exhausted', RateLimitError, () => {
    s.inject({ method: 'POST', status: 429, headers: { 'retry-after-ms': '10' }, times: 2 });
    return caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
  }],
  ['401 wrong key', AuthenticationError, () => {
    const wrong = new Airstore({ apiKey: WRONG, baseURL: s.baseURL, maxRetries: 0 });
    return caught(() => wrong.oauth.createSession({ integrationType: 'gmail' }));
  }],
  ['404', NotFoundError, () => caught(() => client.oauth.getSession(ID))],
  ['400 unknown integration', APIError, () => caught(() => client.oauth.createSession({ integrationType: 'dropbox' }))],
  ['cancelled mid-request', AirstoreError, async () => {
    s.inject({ method: 'POST', hang: true });
    const ac = new AbortController();
    const p = caught(() => client.oauth.createSession({ integrationType: 'gmail' }, { signal: ac.signal }));
    await sleep(50);
    ac.abort(new Error('user left'));
    return p;
  }],
  ['poll timeout', AirstoreError, async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    return caught(() => client.oauth.poll(id, { timeout: 60, interval: 20 }));
  }],
  ['poll failed', AirstoreError, async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    s.fail(id, `google: access_denied`);
    return caught(() => client.oauth.poll(id, { interval: 20 }));
  }],
  ['a header value carrying the key and a line break', AirstoreError, () =>
    caught(() => client.oauth.getSession(ID, { headers: { 'x-copy': `${SECRET}\r\nx-evil: 1` } }))],
  ['a header value carrying the key and a DEL (refused by fetch)', AirstoreError, () =>
    caught(() => client.oauth.getSession(ID, { headers: { 'x-copy': `${SECRET}\x7f` }, maxRetries: 0 }))],
  ['a key that cannot be a header value', AirstoreError, async () => {
    try {
      return new Airstore({ apiKey: `${SECRET}\r\n`, baseURL: s.baseURL });
    } catch (err) {
      return err;
    }
  }],
  ['a key beyond Latin-1', AirstoreError, async () => {
    try {
      return new Airstore({ apiKey: `${SECRET}\u0100`, baseURL: s.baseURL });
    } catch (err) {
      return err;
    }
  }],
];

describe('the API key never leaks', () => {
  for (const [name, Cls, run] of FAULTS) {
    test(`in the error of: ${name}`, { timeout: 10_000 }, async () => {
      s.clearFaults();
      const err = await run();
      assert.ok(err instanceof Cls, `${name}: expected ${Cls.name}, got ${className(err)}: ${messageOf(err)}`);
      assertErrorHidesKey(err, name);
    });
  }

  test('in the client object', () => {
    const k = Airstore.keyless({ baseURL: s.baseURL });
    for (const [what, obj] of [['client', client], ['client.oauth', client.oauth], ['keyless', k], ['keyless.oauth', k.oauth]]) {
      assertNoSecret(util.inspect(obj), `util.inspect(${what})`);
      assertNoSecret(util.inspect(obj, { showHidden: true, depth: Infinity, getters: true }), `util.inspect(${what}, showHidden)`);
      assertNoSecret(JSON.stringify(obj) ?? '', `JSON.stringify(${what})`);
      assertNoSecret(String(obj), `String(${what})`);
      for (const target of [obj, Object.getPrototypeOf(obj)]) {
        const names = [...Object.getOwnPropertyNames(target), ...Object.getOwnPropertySymbols(target)];
        for (const name of names) {
          let value;
          try {
            value = obj[name]; // read through the instance, so getters run with the right `this`
          } catch {
            continue;
          }
          assertNoSecret(String(name), `${what}: property name`);
          assertNoSecret(typeof value === 'function' ? value.toString() : util.inspect(value, { depth: 3 }), `${what}.${String(name)}`);
        }
      }
      assertNoSecret(JSON.stringify({ ...obj }), `{ ...${what} }`);
    }
    // No property exposes it, under any name.
    assert.equal(client.apiKey, undefined);
    assert.equal(client.oauth.apiKey, undefined);
  });

  test('in any request URL or header other than Authorization: Bearer <key>', async () => {
    // Every request of this file so far, plus a few normal ones.
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail', workspaceId: 'ws_1', returnTo: '/back' });
    await client.oauth.getSession(id);
    s.complete(id);
    await client.oauth.poll(id, { interval: 10 });
    assert.ok(s.requests.length > 20, `requests so far: ${s.requests.length}`);
    for (const r of s.requests) {
      assertNoSecret(r.path, `URL ${r.method} ${r.path}`);
      assertNoSecret(r.body, `body of ${r.method} ${r.path}`);
      for (const [name, value] of Object.entries(r.headers)) {
        if (name === 'authorization') {
          assert.ok([`Bearer ${SECRET}`, `Bearer ${WRONG}`].includes(value), `authorization header: ${value.slice(0, 8)}…`);
        } else {
          // The one test that deliberately copies the key into a header value never got to send it.
          assertNoSecret(value, `header ${name} of ${r.method} ${r.path}`);
        }
      }
    }
  });
});

// ---- keyless clients ----------------------------------------------------------

describe('a keyless client never sends Authorization', () => {
  test('through retries, faults, polls, and with AIRSTORE_API_KEY set', { timeout: 10_000 }, async () => {
    await withEnv({ AIRSTORE_API_KEY: SECRET }, async () => {
      const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
      const k = Airstore.keyless({ baseURL: s.baseURL, maxRetries: 3, defaultHeaders: { 'x-app': 'demo' } });
      const start = s.requests.length;
      s.inject({ method: 'GET', reset: 'before-headers' });
      s.inject({ method: 'GET', status: 502, headers: { 'retry-after-ms': '5' }, body: '<h1>502</h1>' });
      s.inject({ method: 'GET', status: 429, headers: { 'retry-after-ms': '5' } });
      assert.equal((await k.oauth.getSession(id)).status, 'pending');
      s.inject({ method: 'GET', status: 503, headers: { 'retry-after-ms': '5' } });
      setTimeout(() => s.complete(id, 'conn_keyless'), 80);
      const done = await k.oauth.poll(id, { interval: 15, timeout: 3000 }, { headers: { 'x-call': '1' } });
      assert.equal(done.connection_id, 'conn_keyless');
      await caught(() => k.oauth.getSession('c'.repeat(32)));
      const err = await caught(() => k.oauth.createSession({ integrationType: 'gmail' }));
      assertExactly(err, AirstoreError, /^createSession needs an API key/);
      await sleep(20);
      const mine = s.requests.slice(start);
      assert.ok(mine.length >= 7, `requests: ${mine.length}`);
      for (const r of mine) {
        assert.equal(r.method, 'GET', 'a keyless client only reads sessions');
        assert.equal(r.headers.authorization, undefined, `${r.method} ${r.path} carried Authorization`);
        assert.equal(r.headers['content-type'], undefined, 'a GET has no Content-Type (CORS simple request)');
        assertNoSecret(JSON.stringify(r.headers), `headers of ${r.path}`);
      }
    });
  });

  test('Authorization in defaultHeaders or per-call headers is refused, in any spelling, sending nothing', async () => {
    const start = s.requests.length;
    for (const name of ['Authorization', 'authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn']) {
      assert.throws(() => Airstore.keyless({ baseURL: s.baseURL, defaultHeaders: { [name]: `Bearer ${SECRET}` } }), (e) => {
        assertExactly(e, AirstoreError, 'options.defaultHeaders must not set Authorization on a keyless client');
        assertErrorHidesKey(e, name);
        return true;
      });
      const k = Airstore.keyless({ baseURL: s.baseURL });
      for (const call of [() => k.oauth.getSession(ID, { headers: { [name]: `Bearer ${SECRET}` } }),
        () => k.oauth.poll(ID, { timeout: 50 }, { headers: { [name]: `Bearer ${SECRET}` } })]) {
        const e = await caught(call);
        assertExactly(e, AirstoreError, /^options\.headers/);
        assertErrorHidesKey(e, name);
      }
    }
    assert.throws(() => Airstore.keyless({ baseURL: s.baseURL, apiKey: SECRET }), (e) => {
      assertExactly(e, AirstoreError, 'options.apiKey must not be given to Airstore.keyless: a browser must never hold the key');
      return true;
    });
    await sleep(20);
    assert.equal(s.requests.length, start);
  });
});

// ---- session ids -----------------------------------------------------------------

/** Ids the package refuses before any request: dot-segments, and lone surrogates (two ids would otherwise map to one). */
const refused = (id) => id === '.' || id === '..' || !id.isWellFormed();

/** Percent-encodes every byte of the UTF-8 form but RFC 3986 unreserved characters (as the package documents). */
function strictEncode(id) {
  return [...Buffer.from(id, 'utf8')].map((b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

describe('a session id is always one encoded path segment', () => {
  const IDS = [
    '..', '.', // refused
    '../workspaces', '../../../etc/passwd', '..%2F..%2Fworkspaces', '...', '.../', '..;', '.%2e', '%2e', '%2e%2e', '%2E%2E', '%2f', '%252e',
    'a/b', '/', '//evil.example/x', 'a?b=c', '?', 'a#frag', '#', 'a\\b', '..\\..', '%00', 'a\u0000b', 'a b', 'a+b', 'a;b', 'a&b', "a'b", 'a(b)*!',
    'é', 'sess_é✓日本🙂', '\u202Eabc', '\uFEFF', 'ａ／ｂ', '\u2025', '\uFF0E\uFF0E', '\uD800', 'x\uDC00y', 'https://evil.example/',
  ];

  test('fixed ids: refused, or sent to /api/v1/oauth/sessions/<one segment> only', async () => {
    const spy = spyFetch();
    try {
      for (const id of IDS) {
        const start = s.requests.length;
        const calls = spy.calls.length;
        const err = await caught(() => client.oauth.getSession(id, { maxRetries: 0 }));
        await sleep(5);
        const sent = s.requests.slice(start);
        if (refused(id)) {
          assertExactly(err, AirstoreError, /^sessionId/);
          assert.equal(spy.calls.length, calls, `${JSON.stringify(id)}: nothing sent`);
          assert.equal(sent.length, 0);
          continue;
        }
        assert.equal(sent.length, 1, `${JSON.stringify(id)}: one request`);
        const path = sent[0].path;
        assert.ok(path.startsWith(`${SESSIONS_PATH}/`), `${JSON.stringify(id)} -> ${path}`);
        const segment = path.slice(SESSIONS_PATH.length + 1);
        assert.ok(!/[/?#]/.test(segment), `${JSON.stringify(id)} -> ${path}: more than one segment`);
        assert.equal(segment, strictEncode(id), `${JSON.stringify(id)} -> ${path}`);
        assert.equal(new URL(spy.calls.at(-1).url).pathname, path, 'the URL fetch got is the one that arrived');
        // The stand-in took it as one (unknown) session: "session not found", not the router's "not found".
        assertExactly(err, NotFoundError, 'session not found');
      }
    } finally {
      spy.restore();
    }
  });

  test('generated ids (fast-check): one segment each, exactly the id', { timeout: 30_000 }, async () => {
    const idArb = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
      fc.array(fc.constantFrom('.', '..', '/', '%', '2e', '2f', '?', '#', '\\', ';', '@', ':', 'a', '%2e', '%2F', '\uD800', ' '), { minLength: 1, maxLength: 8 }).map((a) => a.join('')),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 12 }).map((c) => String.fromCharCode(...c)),
    );
    await fc.assert(fc.asyncProperty(idArb, async (id) => {
      const start = s.requests.length;
      const err = await client.oauth.getSession(id, { maxRetries: 0 }).catch((e) => e);
      const sent = s.requests.slice(start);
      if (refused(id)) {
        assert.ok(err instanceof AirstoreError && err.message.startsWith('sessionId'), String(err));
        assert.equal(sent.length, 0);
        return;
      }
      assert.equal(sent.length, 1);
      assert.equal(sent[0].path, `${SESSIONS_PATH}/${strictEncode(id)}`);
    }), { numRuns: 300, seed: SEED });
  });

  test('no request of this file reached any other path', () => {
    for (const r of s.requests) {
      const ok = (r.method === 'POST' && r.path === SESSIONS_PATH)
        || (r.method === 'GET' && r.path.startsWith(`${SESSIONS_PATH}/`) && !/[/?#]/.test(r.path.slice(SESSIONS_PATH.length + 1)));
      assert.ok(ok, `${r.method} ${r.path}`);
    }
  });
});

// ---- URLs -----------------------------------------------------------------------------

describe('only http(s) URLs', () => {
  // Each with how the refusal ends: "options.baseURL must be an http(s) URL" + this.
  const SCHEME = ', starting with https:// or http://';
  const HOST = ' with a host';
  const CREDENTIALS = ' without credentials';
  const QUERY = ' without a query or fragment';
  const SPACES = ' without spaces or control characters';
  const BAD_BASE_URLS = [
    ['', SCHEME], [' ', SCHEME], ['ftp://x.example/api', SCHEME], ['file:///etc/passwd', SCHEME],
    ['javascript:alert(1)', SCHEME], ['JAVASCRIPT:alert(1)', SCHEME], ['data:text/plain,x', SCHEME],
    ['ws://x.example', SCHEME], ['wss://x.example', SCHEME], ['mailto:a@x.example', SCHEME], ['about:blank', SCHEME],
    ['blob:https://x.example/1', SCHEME], ['//x.example/api', SCHEME], ['x.example/api', SCHEME],
    ['http:/x.example', SCHEME], ['http:x.example', SCHEME], ['https://', HOST], ['https:///api', HOST],
    ['http://user:pass@x.example', CREDENTIALS], ['https://user@x.example/api', CREDENTIALS],
    ['https://x.example/api?key=1', QUERY], ['https://x.example/api#f', QUERY], [' https://x.example', SCHEME],
    ['https://x.example/api\n', SPACES], ['https://x .example', SPACES], ['https://x.example/\u0000', SPACES],
  ];

  test('a baseURL that is not a plain http(s) URL is refused, naming the option', async () => {
    for (const [url, why] of BAD_BASE_URLS) {
      for (const make of [(o) => new Airstore({ apiKey: SECRET, ...o }), (o) => Airstore.keyless(o)]) {
        assert.throws(() => make({ baseURL: url }), (e) => {
          assertExactly(e, AirstoreError, `options.baseURL must be an http(s) URL${why}`);
          assertErrorHidesKey(e, url);
          return true;
        }, JSON.stringify(url));
      }
      if (url !== '' && !url.includes('\u0000')) {
        // The environment's AIRSTORE_BASE_URL is checked the same way (an empty one
        // counts as unset; an environment value cannot hold NUL).
        await withEnv({ AIRSTORE_BASE_URL: url }, () => {
          assert.throws(() => new Airstore({ apiKey: SECRET }), (e) => {
            assertExactly(e, AirstoreError, `AIRSTORE_BASE_URL must be an http(s) URL${why}`);
            return true;
          }, `env ${JSON.stringify(url)}`);
        });
      }
    }
    // http(s), any case, with a path and trailing slashes, is fine.
    for (const ok of ['http://127.0.0.1:1/api/v1', 'HTTPS://x.example', 'https://x.example/api/v1///']) {
      assert.ok(new Airstore({ apiKey: SECRET, baseURL: ok }) instanceof Airstore, ok);
    }
  });

  /** Runs `fn` with a fake browser: `window.open` recorded, no real window. */
  async function withFakeWindow(fn) {
    const opened = [];
    const had = Object.hasOwn(globalThis, 'window');
    const saved = globalThis.window;
    globalThis.window = {
      open(url, name, features) {
        const popup = { closed: false, location: { href: url }, close() { this.closed = true; } };
        opened.push({ url, name, features, popup });
        return popup;
      },
    };
    try {
      return await fn(opened);
    } finally {
      if (had) globalThis.window = saved;
      else delete globalThis.window;
    }
  }

  const BAD_AUTHORIZE_URLS = [
    'javascript:alert(document.cookie)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'javascript://x.example/%0Aalert(1)',
    'data:text/html,<script>alert(1)</script>', 'DATA:text/html;base64,PHNjcmlwdD4=', 'vbscript:msgbox(1)', 'file:///etc/passwd',
    'blob:https://x.example/1', '//evil.example/x', '/relative', 'https://', 'https://user:pw@evil.example/',
  ];

  test('authorize() refuses javascript:, data: and other non-http(s) URLs, opening nothing', async () => {
    const k = Airstore.keyless({ baseURL: s.baseURL });
    const start = s.requests.length;
    await withFakeWindow(async (opened) => {
      for (const url of BAD_AUTHORIZE_URLS) {
        const given = { closed: false, location: { href: 'about:blank' }, close() {} };
        for (const opts of [undefined, { popup: given }]) {
          const err = await caught(() => k.oauth.authorize({ session_id: ID, authorize_url: url }, opts));
          assertExactly(err, AirstoreError, /^session\.authorize_url must be an http\(s\) URL/);
        }
        assert.equal(given.location.href, 'about:blank', `${JSON.stringify(url)}: a given popup was not navigated`);
      }
      assert.deepEqual(opened.map((o) => o.url), [], 'window.open was never called');
    });
    // Outside a browser (no window) they are refused the same way, by the URL check.
    for (const url of ['javascript:alert(1)', 'data:text/html,x']) {
      const err = await caught(() => k.oauth.authorize({ session_id: ID, authorize_url: url }));
      assertExactly(err, AirstoreError, /^session\.authorize_url/);
    }
    await sleep(20);
    assert.equal(s.requests.length, start, 'nothing sent');
  });

  test('authorize() with an https URL opens it (the control case) and resolves once complete', { timeout: 10_000 }, async () => {
    const { session_id: id, authorize_url: url } = await client.oauth.createSession({ integrationType: 'github' });
    const k = Airstore.keyless({ baseURL: s.baseURL });
    await withFakeWindow(async (opened) => {
      setTimeout(() => s.complete(id, 'conn_popup'), 60);
      const done = await k.oauth.authorize({ session_id: id, authorize_url: url }, { interval: 20, timeout: 3000 });
      assert.equal(done.connection_id, 'conn_popup');
      assert.equal(opened.length, 1);
      assert.equal(opened[0].url, url);
      assert.equal(opened[0].popup.closed, true, 'the popup was closed at the end');
    });
  });

  /** Runs `fn` with `globalThis.location` set as on a page, restored after. */
  function onPage(protocol, fn) {
    const had = Object.hasOwn(globalThis, 'location');
    const saved = globalThis.location;
    globalThis.location = { protocol };
    try {
      return fn();
    } finally {
      if (had) globalThis.location = saved;
      else delete globalThis.location;
    }
  }

  const refusesMixed = (url, make) => {
    try {
      make(url);
      return false;
    } catch (e) {
      assertExactly(e, AirstoreError, /^options\.baseURL is http: but this page is https:/);
      return true;
    }
  };
  const makers = [
    ['new Airstore', (url) => new Airstore({ apiKey: SECRET, baseURL: url })],
    ['Airstore.keyless', (url) => Airstore.keyless({ baseURL: url })],
  ];

  test('on an https: page an http: baseURL is refused, except loopback', () => {
    onPage('https:', () => {
      for (const [name, make] of makers) {
        for (const url of ['http://api.airstore.ai/api/v1', 'HTTP://x.example', 'http://10.0.0.1:8080', 'http://192.168.1.1/api']) {
          assert.ok(refusesMixed(url, make), `${name}(${url}) should be refused`);
        }
        for (const url of ['http://127.0.0.1:4010/api/v1', 'http://localhost:4010/api/v1', 'http://localhost', 'http://[::1]:4010/api/v1', 'https://x.example', s.baseURL]) {
          assert.ok(!refusesMixed(url, make), `${name}(${url}) should be allowed`);
        }
      }
    });
    // Not on an https: page, http: is fine; and location is restored.
    onPage('http:', () => assert.ok(new Airstore({ apiKey: SECRET, baseURL: 'http://x.example' })));
    assert.ok(new Airstore({ apiKey: SECRET, baseURL: 'http://x.example' }));
    assert.equal(Object.hasOwn(globalThis, 'location'), false);
  });

  test('on an https: page, hosts that only look like loopback are refused too', () => {
    // README: "on an https: page an http: URL (other than loopback) is refused".
    // These name public hosts, not the loopback interface.
    const lookalikes = ['http://127.evil.example/api', 'http://127.0.0.1.nip.io/api', 'http://localhost.evil.example/api'];
    const allowed = [];
    onPage('https:', () => {
      for (const url of lookalikes) {
        let refused;
        try {
          new Airstore({ apiKey: SECRET, baseURL: url });
          refused = false;
        } catch (e) {
          refused = e instanceof AirstoreError;
        }
        if (!refused) allowed.push(url);
      }
    });
    assert.deepEqual(allowed, [], `allowed on an https: page although not loopback: ${allowed.join(', ')}`);
  });

  test('the environment\'s AIRSTORE_BASE_URL gets the same mixed-content check', async () => {
    await withEnv({ AIRSTORE_BASE_URL: 'http://x.example/api/v1' }, () => {
      onPage('https:', () => {
        assert.throws(() => new Airstore({ apiKey: SECRET }), (e) => {
          assertExactly(e, AirstoreError, 'AIRSTORE_BASE_URL is http: but this page is https:, and browsers block such requests (mixed content); use an https: baseURL');
          return true;
        });
      });
    });
  });
});
