// The client surface, createSession / getSession on the wire, and client options.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import Airstore, * as pkg from '../../pkg/dist/node.mjs';
import {
  Airstore as NamedAirstore,
  AirstoreError,
  APIError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  APIConnectionTimeoutError,
  PopupClosedError,
  PopupBlockedError,
} from '../../pkg/dist/node.mjs';
import {
  startStandin, KEY, SESSIONS_PATH, HEX32, caught, caughtTimed, timed, assertExactly, assertAirstoreError, withEnv,
  rejectsExactly, throwsExactly,
} from './helpers.mjs';

let s;
let client;
before(async () => {
  s = await startStandin();
  client = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
});
after(() => s.close());
beforeEach(() => s.reset());

const last = () => s.requests.at(-1);

describe('surface', () => {
  test('default export is the named Airstore, a class', () => {
    assert.equal(Airstore, NamedAirstore);
    assert.equal(pkg.default, pkg.Airstore);
    assert.equal(typeof Airstore, 'function');
    assert.equal(typeof Airstore.keyless, 'function');
  });

  // [class, parent, constructor args, expected status]
  const h = new Headers({ 'x-request-id': 'req_1' });
  const table = [
    [AirstoreError, Error, ['m'], undefined],
    [APIError, AirstoreError, [418, 'm', h, 'req_1'], 418],
    [AuthenticationError, APIError, ['m', h, 'req_1'], 401],
    [PermissionDeniedError, APIError, ['m', h, 'req_1'], 403],
    [NotFoundError, APIError, ['m', h, 'req_1'], 404],
    [ConflictError, APIError, ['m', h, 'req_1'], 409],
    [UnprocessableEntityError, APIError, ['m', h, 'req_1'], 422],
    [RateLimitError, APIError, ['m', h, 'req_1'], 429],
    [InternalServerError, APIError, [503, 'm', h, 'req_1'], 503],
    [APIConnectionError, AirstoreError, ['m'], undefined],
    [APIConnectionTimeoutError, APIConnectionError, ['m'], undefined],
    [PopupClosedError, AirstoreError, ['m'], undefined],
    [PopupBlockedError, AirstoreError, ['m'], undefined],
  ];

  test('all 13 error classes are exported, and nothing else but Airstore/default, completeReturn and openAuthorizeWindow', () => {
    const names = table.map(([C]) => C.name).sort();
    assert.deepEqual(names, [
      'APIConnectionError', 'APIConnectionTimeoutError', 'APIError', 'AirstoreError', 'AuthenticationError',
      'ConflictError', 'InternalServerError', 'NotFoundError', 'PermissionDeniedError', 'PopupBlockedError',
      'PopupClosedError', 'RateLimitError', 'UnprocessableEntityError',
    ]);
    for (const [C] of table) assert.equal(pkg[C.name], C, C.name);
    assert.deepEqual(Object.keys(pkg).sort(), [...names, 'Airstore', 'completeReturn', 'default', 'openAuthorizeWindow'].sort());
  });

  for (const [C, Parent, args, status] of table) {
    test(`${C.name} is a real class extending ${Parent.name}`, () => {
      assert.equal(typeof C, 'function');
      assert.match(Function.prototype.toString.call(C), /^class\b/);
      throwsExactly(() => C(...args), TypeError, `Class constructor ${C.name} cannot be invoked without 'new'`, 'a class cannot be called without new');
      assert.equal(Object.getPrototypeOf(C), Parent);
      const e = new C(...args);
      assert.ok(e instanceof C);
      assert.ok(e instanceof Parent);
      assert.ok(e instanceof Error);
      assert.equal(e.name, C.name);
      assert.equal(e.message, 'm');
      assert.equal(typeof e.stack, 'string');
      if (status !== undefined) {
        assert.ok(e instanceof APIError);
        assert.equal(e.status, status);
        assert.equal(e.headers, h);
        assert.equal(e.requestId, 'req_1');
      } else {
        assert.ok(!(e instanceof APIError));
      }
    });
  }

  test('error constructors: default messages and cause', () => {
    assert.equal(new APIError(418, undefined, new Headers()).message, 'Request failed with status 418');
    assert.equal(new NotFoundError(undefined, new Headers()).message, 'Request failed with status 404');
    assert.equal(new InternalServerError(502, undefined, new Headers()).message, 'Request failed with status 502');
    assert.equal(new APIConnectionTimeoutError().message, 'Request timed out');
    const cause = new Error('root');
    assert.equal(new AirstoreError('m', cause).cause, cause);
    assert.equal(new APIConnectionError('m', cause).cause, cause);
  });

  test('airstore.oauth is the same object on every access', () => {
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
    const a = c.oauth;
    assert.equal(typeof a, 'object');
    assert.equal(c.oauth, a);
    assert.equal(c.oauth, a);
    for (const m of ['createSession', 'getSession', 'poll', 'authorize']) assert.equal(typeof a[m], 'function', m);
    // Two clients have two resources.
    assert.notEqual(new Airstore({ apiKey: KEY, baseURL: s.baseURL }).oauth, a);
  });
});

describe('createSession', () => {
  test('201 → exactly {session_id, authorize_url}, and the request on the wire', async () => {
    const r = await client.oauth.createSession({
      integrationType: 'gmail',
      workspaceId: 'ws_abc123',
      returnTo: 'https://app.example.com/settings',
    });
    assert.deepEqual(Object.keys(r).sort(), ['authorize_url', 'session_id']);
    assert.match(r.session_id, HEX32);
    const session = s.sessions.get(r.session_id);
    assert.ok(session, 'the session exists on the server');
    assert.equal(r.authorize_url, `${s.url}/oauth/consent?state=${session.state}&provider=gmail`);
    assert.equal(session.workspaceId, 'ws_abc123');
    assert.equal(session.returnTo, 'https://app.example.com/settings');

    assert.equal(s.requests.length, 1);
    const req = last();
    assert.equal(req.method, 'POST');
    assert.equal(req.path, SESSIONS_PATH);
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.match(req.headers['content-type'], /^application\/json\b/);
    assert.deepEqual(JSON.parse(req.body), {
      integration_type: 'gmail',
      workspace_id: 'ws_abc123',
      return_to: 'https://app.example.com/settings',
    });
  });

  test('absent fields are omitted from the body, not null', async () => {
    await client.oauth.createSession({ integrationType: 'github' });
    assert.deepEqual(JSON.parse(last().body), { integration_type: 'github' });
    assert.ok(!last().body.includes('null'), last().body);

    await client.oauth.createSession({ integrationType: 'slack', workspaceId: undefined, returnTo: undefined });
    assert.deepEqual(JSON.parse(last().body), { integration_type: 'slack' });

    await client.oauth.createSession({ integrationType: 'notion', returnTo: '/settings' });
    assert.deepEqual(JSON.parse(last().body), { integration_type: 'notion', return_to: '/settings' });
  });

  test('every OAuth integration type is accepted', async () => {
    for (const t of ['gmail', 'gdrive', 'github', 'notion', 'linear', 'slack']) {
      const r = await client.oauth.createSession({ integrationType: t });
      assert.ok(r.authorize_url.endsWith(`provider=${t}`), r.authorize_url);
      assert.equal(JSON.parse(last().body).integration_type, t);
    }
  });

  test('lastResponse is non-enumerable and carries status, Headers and request id', async () => {
    const r = await client.oauth.createSession({ integrationType: 'gmail' });
    assert.ok('lastResponse' in r);
    assert.ok(!Object.keys(r).includes('lastResponse'));
    const desc = Object.getOwnPropertyDescriptor(r, 'lastResponse') ??
      Object.getOwnPropertyDescriptor(Object.getPrototypeOf(r), 'lastResponse');
    assert.ok(desc, 'lastResponse is a property');
    assert.equal(desc.enumerable, false);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), { session_id: r.session_id, authorize_url: r.authorize_url });
    assert.ok(!('lastResponse' in { ...r }));
    assert.deepEqual({ ...r }, { session_id: r.session_id, authorize_url: r.authorize_url });

    const meta = r.lastResponse;
    assert.equal(meta.statusCode, 201);
    assert.ok(meta.headers instanceof Headers, 'headers is a Headers');
    assert.equal(meta.headers.get('content-type'), 'application/json');
    assert.match(meta.requestId, /^req_[0-9a-f]{24}$/);
    assert.equal(meta.requestId, meta.headers.get('x-request-id'));
  });

  test('lastResponse.requestId is the server\'s x-request-id', async () => {
    s.inject({
      method: 'POST',
      status: 201,
      headers: { 'x-request-id': 'req_from_server_42' },
      body: { success: true, data: { session_id: 'f'.repeat(32), authorize_url: 'https://example.com/auth' } },
    });
    const r = await client.oauth.createSession({ integrationType: 'gmail' });
    assert.deepEqual({ ...r }, { session_id: 'f'.repeat(32), authorize_url: 'https://example.com/auth' });
    assert.equal(r.lastResponse.requestId, 'req_from_server_42');
    assert.equal(r.lastResponse.statusCode, 201);
  });
});

describe('getSession', () => {
  test('pending: exactly {status}', async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    const r = await client.oauth.getSession(id);
    assert.deepEqual({ ...r }, { status: 'pending' });
    assert.deepEqual(Object.keys(r), ['status']);
    assert.equal(r.lastResponse.statusCode, 200);
    assert.ok(r.lastResponse.headers instanceof Headers);
    assert.equal(r.lastResponse.requestId, r.lastResponse.headers.get('x-request-id'));

    const req = last();
    assert.equal(req.method, 'GET');
    assert.equal(req.path, `${SESSIONS_PATH}/${id}`);
    assert.equal(req.headers['content-type'], undefined, 'a GET sends no content-type');
    assert.equal(req.body, '');
  });

  test('complete: {status, connection_id}', async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'github' });
    s.complete(id, 'conn_xyz789');
    const r = await client.oauth.getSession(id);
    assert.deepEqual({ ...r }, { status: 'complete', connection_id: 'conn_xyz789' });
    assert.deepEqual(Object.keys(r).sort(), ['connection_id', 'status']);
  });

  test('error: {status, error}', async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gdrive' });
    s.fail(id, 'google: access_denied');
    const r = await client.oauth.getSession(id);
    assert.deepEqual({ ...r }, { status: 'error', error: 'google: access_denied' });
    assert.deepEqual(Object.keys(r).sort(), ['error', 'status']);
  });

  test('null fields in the answer are omitted, not null or undefined keys', async () => {
    s.inject({ status: 200, body: { success: true, data: { status: 'complete', connection_id: 'conn_n', error: null } } });
    const r = await client.oauth.getSession('a'.repeat(32));
    assert.deepEqual(Object.keys(r).sort(), ['connection_id', 'status']);
    assert.ok(!('error' in r));
  });

  test('an answer without x-request-id → lastResponse.requestId undefined (stub fetch)', async () => {
    const real = globalThis.fetch;
    globalThis.fetch = async () => new Response(JSON.stringify({ success: true, data: { status: 'pending' } }), {
      status: 200, headers: { 'content-type': 'application/json' },
    });
    let r;
    try {
      r = await client.oauth.getSession('abc');
    } finally {
      globalThis.fetch = real;
    }
    assert.equal(r.lastResponse.statusCode, 200);
    assert.equal(r.lastResponse.requestId, undefined);
  });

  test('a fetch that resolves with something other than a well-formed Response is a connection error naming what was wrong', async () => {
    const real = globalThis.fetch;
    const answers = [
      { ok: true, json: async () => ({ success: true, data: { status: 'complete', connection_id: 'conn_1' } }) },
      undefined,
      new Response(null, { status: 200 }),
    ];
    // A Response's status cannot be set outside 200-599; a subclass can report another one.
    class Odd extends Response {
      get status() {
        return 42;
      }
    }
    answers.splice(2, 0, new Odd('{}'));
    globalThis.fetch = async () => answers.shift();
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, maxRetries: 0 });
    try {
      const plain = await caught(() => c.oauth.getSession('abc'));
      assertExactly(plain, APIConnectionError, 'Connection error: fetch resolved with something that is not a Response');
      const nothing = await caught(() => c.oauth.getSession('abc'));
      assertExactly(nothing, APIConnectionError, 'Connection error: fetch resolved with something that is not a Response');
      const odd = await caught(() => c.oauth.getSession('abc'));
      assertExactly(odd, APIConnectionError, 'Connection error: fetch resolved with a Response whose status is 42');
      const empty = await caught(() => c.oauth.getSession('abc'));
      assertExactly(empty, AirstoreError, 'Airstore answered 200 with an empty body; expected a JSON envelope');
    } finally {
      globalThis.fetch = real;
    }
  });

  test('a fetch that throws at once (as a mock may) rejects the call with a connection error', async () => {
    const real = globalThis.fetch;
    globalThis.fetch = () => {
      throw new TypeError('Failed to fetch');
    };
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, maxRetries: 0 });
    try {
      const err = await caught(() => c.oauth.getSession('abc'));
      assertExactly(err, APIConnectionError);
      assert.match(err.message, /Failed to fetch/);
    } finally {
      globalThis.fetch = real;
    }
    const ok = await client.oauth.createSession({ integrationType: 'gmail' });
    assert.match(ok.session_id, HEX32, 'the client still works afterwards');
  });

  test('a signal fired while fetch starts (by a wrapper) cancels the call at once', async () => {
    const real = globalThis.fetch;
    const controller = new AbortController();
    globalThis.fetch = (input, init) => {
      controller.abort();
      return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
    };
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, timeout: 5000 });
    try {
      const { err, elapsed } = await caughtTimed(() => c.oauth.getSession('abc', { signal: controller.signal }));
      assertExactly(err, AirstoreError, 'Request was cancelled');
      assert.ok(elapsed < 3000, `cancelled after ${elapsed} ms`); // the alternative is the 5 s timeout
    } finally {
      globalThis.fetch = real;
    }
  });

  test('every exchange has its own AbortController, aborted when its time runs out', async () => {
    const real = globalThis.fetch;
    const signals = [];
    let hang = false;
    globalThis.fetch = (input, init) => {
      signals.push(init.signal);
      if (hang) return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
      return Promise.resolve(new Response('{"success":true,"data":{"status":"pending"}}'));
    };
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, timeout: 60, maxRetries: 0 });
    try {
      await c.oauth.getSession('abc');
      await c.oauth.getSession('abc');
      assert.notEqual(signals[0], signals[1], 'a signal is never shared between exchanges (workerd ties it to one request)');
      assert.equal(signals[0].aborted, false, 'a finished exchange is not aborted');
      hang = true;
      const { err: error, elapsed: ms } = await caughtTimed(() => c.oauth.getSession('abc'));
      assertExactly(error, APIConnectionTimeoutError);
      assert.ok(ms < 3000, `timed out after ${ms} ms`); // 60 ms timeout; only a hang exceeds 3 s
      assert.equal(signals[2].aborted, true);
    } finally {
      globalThis.fetch = real;
    }
  });

  test('an answer with an unknown status → AirstoreError, not APIError', async () => {
    s.inject({ status: 200, body: { success: true, data: { status: 'weird' } } });
    const err = await caught(() => client.oauth.getSession('a'.repeat(32)));
    assertExactly(err, AirstoreError);
    assert.match(err.message, /status/);
  });

  test('unknown id → NotFoundError "session not found" with status, headers, requestId', async () => {
    const err = await caught(() => client.oauth.getSession('0'.repeat(32)));
    assertExactly(err, NotFoundError, 'session not found');
    assert.ok(err instanceof APIError);
    assert.equal(err.status, 404);
    assert.ok(err.headers instanceof Headers);
    assert.match(err.requestId, /^req_[0-9a-f]{24}$/);
    assert.equal(err.requestId, err.headers.get('x-request-id'));
    assert.equal(s.requests.length, 1, '404 is not retried');
  });
});

describe('client options', () => {
  test('default baseURL is https://api.airstore.ai/api/v1 (checked with a stub fetch, nothing leaves the box)', async () => {
    await withEnv({ AIRSTORE_BASE_URL: undefined }, async () => {
      const real = globalThis.fetch;
      const urls = [];
      globalThis.fetch = async (input) => {
        urls.push(typeof input === 'string' ? input : input.url);
        return new Response(JSON.stringify({ success: true, data: { status: 'pending' } }), {
          status: 200, headers: { 'content-type': 'application/json' },
        });
      };
      try {
        const c = new Airstore({ apiKey: KEY });
        const r = await c.oauth.getSession('abc');
        assert.deepEqual({ ...r }, { status: 'pending' });
      } finally {
        globalThis.fetch = real;
      }
      assert.deepEqual(urls, ['https://api.airstore.ai/api/v1/oauth/sessions/abc']);
    });
  });

  test('default maxRetries is 2 (3 attempts)', async () => {
    s.inject({ status: 503, headers: { 'retry-after-ms': '1' }, times: 5 });
    const err = await caught(() => client.oauth.getSession('a'.repeat(32)));
    assertExactly(err, InternalServerError);
    assert.equal(err.status, 503);
    assert.equal(s.requests.length, 3);
  });

  test('AIRSTORE_API_KEY and AIRSTORE_BASE_URL from process.env', async () => {
    await withEnv({ AIRSTORE_API_KEY: KEY, AIRSTORE_BASE_URL: s.baseURL }, async () => {
      const c = new Airstore();
      const r = await c.oauth.createSession({ integrationType: 'gmail' });
      assert.match(r.session_id, HEX32);
      assert.equal(last().headers.authorization, `Bearer ${KEY}`);
      assert.equal(last().path, SESSIONS_PATH);
    });
  });

  test('explicit apiKey and baseURL win over the environment', async () => {
    await withEnv({ AIRSTORE_API_KEY: 'env_key_not_used', AIRSTORE_BASE_URL: 'http://127.0.0.1:9/api/v1' }, async () => {
      const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
      await c.oauth.createSession({ integrationType: 'gmail' });
      assert.equal(last().headers.authorization, `Bearer ${KEY}`);
    });
  });

  test('trailing slashes on baseURL are stripped', async () => {
    for (const suffix of ['/', '//', '///']) {
      const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL + suffix });
      await c.oauth.createSession({ integrationType: 'gmail' });
      assert.equal(last().path, SESSIONS_PATH, `baseURL + ${JSON.stringify(suffix)}`);
      await rejectsExactly(c.oauth.getSession('nope'), NotFoundError, 'session not found');
      assert.equal(last().path, `${SESSIONS_PATH}/nope`);
    }
  });

  test('AIRSTORE_BASE_URL trailing slash is stripped too', async () => {
    await withEnv({ AIRSTORE_BASE_URL: `${s.baseURL}/` }, async () => {
      const c = new Airstore({ apiKey: KEY });
      await c.oauth.createSession({ integrationType: 'gmail' });
      assert.equal(last().path, SESSIONS_PATH);
    });
  });

  test('defaultHeaders are sent; per-request headers replace them by name', async () => {
    const c = new Airstore({
      apiKey: KEY,
      baseURL: s.baseURL,
      defaultHeaders: { 'x-custom': 'default', 'X-Other': 'kept' },
    });
    const { session_id: id } = await c.oauth.createSession({ integrationType: 'gmail' });
    assert.equal(last().headers['x-custom'], 'default');
    assert.equal(last().headers['x-other'], 'kept');

    await c.oauth.getSession(id, { headers: { 'X-Custom': 'per-request', 'x-extra': '1' } });
    assert.equal(last().headers['x-custom'], 'per-request', 'replaced, not appended');
    assert.equal(last().headers['x-other'], 'kept');
    assert.equal(last().headers['x-extra'], '1');

    // The next call is back to the defaults.
    await c.oauth.getSession(id);
    assert.equal(last().headers['x-custom'], 'default');
    assert.equal(last().headers['x-extra'], undefined);
  });

  test('per-request timeout overrides the client one (shorter)', async () => {
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, timeout: 60_000 });
    s.inject({ hang: true });
    const { err, elapsed } = await caughtTimed(() => c.oauth.getSession('a'.repeat(32), { timeout: 200 }));
    assertExactly(err, APIConnectionTimeoutError, 'Request timed out');
    // Upper bounds are wide (+2 s) for a loaded 2-core machine: they only tell a settled call from one left to a far longer timer (the 60 s default, a retry).
    assert.ok(elapsed < 200 + 2000, `settled after ${elapsed} ms`);
    assert.ok(elapsed >= 190, `settled after ${elapsed} ms`);
  });

  test('per-request timeout overrides the client one (longer)', async () => {
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, timeout: 100 });
    const { session_id: id } = await c.oauth.createSession({ integrationType: 'gmail' });
    s.inject({ delayMs: 300 });
    const { value } = await timed(() => c.oauth.getSession(id, { timeout: 3000 }));
    assert.equal(value.status, 'pending');
    // and the client timeout still applies without the override
    s.inject({ delayMs: 300 });
    const err = await caught(() => c.oauth.getSession(id));
    assertExactly(err, APIConnectionTimeoutError);
  });

  test('per-request maxRetries overrides the client one', async () => {
    const c0 = new Airstore({ apiKey: KEY, baseURL: s.baseURL, maxRetries: 0 });
    const { session_id: id } = await c0.oauth.createSession({ integrationType: 'gmail' });
    s.requests.length = 0;
    s.inject({ status: 503, headers: { 'retry-after-ms': '1' }, times: 2 });
    const r = await c0.oauth.getSession(id, { maxRetries: 2 });
    assert.equal(r.status, 'pending');
    assert.equal(s.requests.length, 3);

    const c2 = new Airstore({ apiKey: KEY, baseURL: s.baseURL, maxRetries: 2 });
    s.requests.length = 0;
    s.inject({ status: 503, headers: { 'retry-after-ms': '1' }, times: 5 });
    await rejectsExactly(c2.oauth.getSession(id, { maxRetries: 0 }), InternalServerError, 'service unavailable');
    assert.equal(s.requests.length, 1);
    s.clearFaults();
  });

  test('client maxRetries is used', async () => {
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, maxRetries: 1 });
    s.inject({ status: 500, headers: { 'retry-after-ms': '1' }, times: 5 });
    await rejectsExactly(c.oauth.getSession('a'.repeat(32)), InternalServerError, 'internal server error');
    assert.equal(s.requests.length, 2);
  });

  test('new Airstore() with no key and no environment throws AirstoreError', async () => {
    await withEnv({ AIRSTORE_API_KEY: undefined }, () => {
      const err = (() => { try { new Airstore(); } catch (e) { return e; } })();
      assertAirstoreError(err);
      assert.ok(!(err instanceof APIError));
      const err2 = (() => { try { new Airstore({ baseURL: s.baseURL }); } catch (e) { return e; } })();
      assertAirstoreError(err2);
    });
    assert.equal(s.requests.length, 0);
  });

  test('an empty apiKey throws AirstoreError', async () => {
    await withEnv({ AIRSTORE_API_KEY: undefined }, () => {
      throwsExactly(() => new Airstore({ apiKey: '', baseURL: s.baseURL }), AirstoreError, 'API key is required. Pass it via the `apiKey` option or set the AIRSTORE_API_KEY environment variable.');
    });
    await withEnv({ AIRSTORE_API_KEY: '' }, () => {
      throwsExactly(() => new Airstore({ baseURL: s.baseURL }), AirstoreError, 'API key is required. Pass it via the `apiKey` option or set the AIRSTORE_API_KEY environment variable.', 'empty env key counts as none');
    });
  });
});

describe('robustness', () => {
  test('values are carried exactly: Unicode and JSON-special characters in params', async () => {
    const workspaceId = 'ws_日本_"quoted"_\\back\\_🙂';
    // (No backslash in returnTo: a gateway refuses it, as browsers read `\\` in a URL as `/`.)
    const returnTo = '/settings?a="b"&c=d%5Ce#frag';
    await client.oauth.createSession({ integrationType: 'linear', workspaceId, returnTo });
    assert.deepEqual(JSON.parse(last().body), { integration_type: 'linear', workspace_id: workspaceId, return_to: returnTo });
    const session = [...s.sessions.values()].at(-1);
    assert.equal(session.workspaceId, workspaceId);
    assert.equal(session.returnTo, returnTo);
  });

  test('a large answer is carried whole', async () => {
    const big = `https://example.com/auth?${'x'.repeat(200_000)}`;
    s.inject({ method: 'POST', status: 201, body: { success: true, data: { session_id: 'e'.repeat(32), authorize_url: big } } });
    const r = await client.oauth.createSession({ integrationType: 'gmail' });
    assert.equal(r.authorize_url.length, big.length);
    assert.equal(r.authorize_url, big);
  });

  test('an error message with Unicode is carried exactly', async () => {
    s.inject({ status: 403, body: { success: false, error: 'accès refusé ✗ 日本 🙂' } });
    const err = await caught(() => client.oauth.getSession('a'.repeat(32)));
    assertExactly(err, PermissionDeniedError, 'accès refusé ✗ 日本 🙂');
  });

  test('many concurrent calls on one client, mixed outcomes', async () => {
    const created = await Promise.all(Array.from({ length: 25 }, (_, i) =>
      client.oauth.createSession({ integrationType: 'gmail', workspaceId: `ws_${i}` })));
    assert.equal(new Set(created.map((r) => r.session_id)).size, 25);
    for (const [i, r] of created.entries()) assert.equal(s.sessions.get(r.session_id).workspaceId, `ws_${i}`);

    s.inject({ hang: true, path: `${SESSIONS_PATH}/hang`, times: 100 });
    const ac = new AbortController();
    const ops = [
      ...created.map((r) => client.oauth.getSession(r.session_id).then((x) => x.status)),
      ...Array.from({ length: 10 }, (_, i) => client.oauth.getSession(`missing${i}`).catch((e) => e.constructor.name)),
      client.oauth.getSession('hang1', { signal: ac.signal }).catch((e) => e.message),
      client.oauth.getSession('hang2', { timeout: 150 }).catch((e) => e.message),
      client.oauth.poll(created[0].session_id, { interval: 20, timeout: 5000 }).then((r) => r.connection_id),
      client.oauth.poll(created[1].session_id, { interval: 20, timeout: 200 }).catch((e) => e.message),
      client.oauth.getSession('').catch((e) => e.constructor.name),
    ];
    const t1 = setTimeout(() => ac.abort(), 50);
    const t2 = setTimeout(() => s.complete(created[0].session_id, 'conn_concurrent'), 100);
    let out;
    try {
      out = await Promise.all(ops);
    } finally {
      clearTimeout(t1);
      clearTimeout(t2);
      s.clearFaults();
    }
    assert.deepEqual(out, [
      ...Array(25).fill('pending'),
      ...Array(10).fill('NotFoundError'),
      'Request was cancelled',
      'Request timed out',
      'conn_concurrent',
      'OAuth session timed out after 200ms',
      'AirstoreError',
    ]);
  });

  test('several clients with different keys and base URLs stay independent', async () => {
    const other = await startStandin({ apiKeys: ['org_other_key'] });
    try {
      const a = new Airstore({ apiKey: KEY, baseURL: s.baseURL, defaultHeaders: { 'x-who': 'a' } });
      const b = new Airstore({ apiKey: 'org_other_key', baseURL: other.baseURL, defaultHeaders: { 'x-who': 'b' } });
      await Promise.all([
        a.oauth.createSession({ integrationType: 'gmail' }),
        b.oauth.createSession({ integrationType: 'slack' }),
      ]);
      assert.equal(last().headers.authorization, `Bearer ${KEY}`);
      assert.equal(last().headers['x-who'], 'a');
      assert.equal(other.requests.at(-1).headers.authorization, 'Bearer org_other_key');
      assert.equal(other.requests.at(-1).headers['x-who'], 'b');
    } finally {
      await other.close();
    }
  });

  test('aborting a signal after the call settled does nothing (no unhandled rejection)', async () => {
    const unhandled = [];
    const onUnhandled = (reason) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
      const ac = new AbortController();
      const r = await client.oauth.getSession(id, { signal: ac.signal });
      ac.abort();
      const ac2 = new AbortController();
      s.complete(id);
      await client.oauth.poll(id, { interval: 10, signal: ac2.signal });
      ac2.abort();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(r.status, 'pending');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });

  test('no timer or socket keeps the process alive after calls settle (child process)', async () => {
    const { execFile } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const pkgURL = new URL('../../pkg/dist/node.mjs', import.meta.url).href;
    s.inject({ hang: true, path: `${SESSIONS_PATH}/hang`, times: 100 });
    s.inject({ status: 503, headers: { 'retry-after-ms': '1' }, path: `${SESSIONS_PATH}/retry`, times: 100 });
    const script = `
      import Airstore from ${JSON.stringify(pkgURL)};
      const c = new Airstore({ apiKey: ${JSON.stringify(KEY)}, baseURL: process.env.BASE });
      const out = [];
      const r = await c.oauth.createSession({ integrationType: 'gmail' });
      out.push((await c.oauth.getSession(r.session_id)).status);
      out.push(await c.oauth.getSession('retry1').catch((e) => e.name));
      out.push(await c.oauth.getSession('hang1', { timeout: 150 }).catch((e) => e.message));
      out.push(await c.oauth.poll('hang2', { timeout: 200 }).catch((e) => e.message));
      out.push(await c.oauth.poll(r.session_id, { timeout: 200 }).catch((e) => e.message));
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      out.push(await c.oauth.getSession('hang3', { signal: ac.signal }).catch((e) => e.message));
      console.log(JSON.stringify(out));
    `;
    const start = performance.now();
    const { stdout, elapsed } = await new Promise((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, BASE: s.baseURL },
        timeout: 15_000,
        cwd: fileURLToPath(new URL('.', import.meta.url)),
      }, (err, stdout, stderr) => {
        if (err) reject(new Error(`child failed or was killed (${err.signal ?? err.code}): ${stderr}`));
        else resolve({ stdout, elapsed: performance.now() - start });
      });
    });
    s.clearFaults();
    assert.deepEqual(JSON.parse(stdout), [
      'pending',
      'InternalServerError',
      'Request timed out',
      'OAuth session timed out after 200ms',
      'OAuth session timed out after 200ms',
      'Request was cancelled',
    ]);
    // about 0.75 s of work plus start-up; a leaked 60 s timeout or a hung socket would show
    // 10 s on a loaded 2-core machine (Node's start-up included); a leaked 60 s timer is far above it.
    assert.ok(elapsed < 10_000, `the child exited after ${elapsed} ms`);
  });
});
