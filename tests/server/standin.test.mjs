// Self-test of the gateway stand-in: node --test tests/server/
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startStandin } from './standin.mjs';

const KEY = 'org_test_key';
const HEX32 = /^[0-9a-f]{32}$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Asserts `promise` rejects with exactly `Cls` (not a subclass) named `name`, whose
 * message is `message` (a string, or a RegExp anchored with ^ and $).
 */
async function rejectsExactly(promise, Cls, message, name = Cls.name) {
  await assert.rejects(promise, (err) => {
    assert.equal(err?.constructor, Cls, `expected exactly ${Cls.name}, got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.name, name);
    if (message instanceof RegExp) assert.match(err.message, message);
    else assert.equal(err.message, message);
    return true;
  });
}

let s;
before(async () => {
  s = await startStandin();
});
after(() => s.close());
beforeEach(() => s.reset());

function create(body, { auth = `Bearer ${KEY}`, raw = false, ...init } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (auth !== null) headers.authorization = auth;
  return fetch(`${s.baseURL}/oauth/sessions`, {
    method: 'POST',
    headers,
    body: raw ? body : JSON.stringify(body),
    ...init,
  });
}

async function createOk(body) {
  const res = await create(body);
  assert.equal(res.status, 201);
  return (await res.json()).data;
}

async function getStatus(id) {
  const res = await fetch(`${s.baseURL}/oauth/sessions/${id}`);
  return { status: res.status, json: await res.json() };
}

/** Load the consent page and follow one of its buttons (without following the final redirect). */
async function consent(authorizeURL, button) {
  const html = await (await fetch(authorizeURL)).text();
  const href = html.match(new RegExp(`id="${button}"[^>]*href="([^"]+)"`))[1].replaceAll('&#38;', '&');
  return fetch(new URL(href, s.url), { redirect: 'manual' });
}

test('create: 201, envelope, ids, authorize_url, request log', async () => {
  const res = await create({ integration_type: 'gmail', workspace_id: 'ws_1' });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.match(res.headers.get('x-request-id'), /^req_[0-9a-f]+$/);
  const json = await res.json();
  assert.equal(json.success, true);
  assert.deepEqual(Object.keys(json.data).sort(), ['authorize_url', 'session_id']);
  assert.match(json.data.session_id, HEX32);

  const session = s.sessions.get(json.data.session_id);
  assert.match(session.state, HEX32);
  assert.notEqual(session.state, session.id);
  assert.equal(session.workspaceId, 'ws_1');
  assert.equal(json.data.authorize_url, `${s.url}/oauth/consent?state=${session.state}&provider=gmail`);

  assert.equal(s.requests.length, 1);
  const [logged] = s.requests;
  assert.equal(logged.method, 'POST');
  assert.equal(logged.path, '/api/v1/oauth/sessions');
  assert.equal(logged.headers.authorization, `Bearer ${KEY}`);
  assert.deepEqual(JSON.parse(logged.body), { integration_type: 'gmail', workspace_id: 'ws_1' });
});

test('get: pending without auth, no null fields', async () => {
  const { session_id } = await createOk({ integration_type: 'notion' });
  const { status, json } = await getStatus(session_id);
  assert.equal(status, 200);
  assert.deepEqual(json, { success: true, data: { status: 'pending' } });
});

test('consent Allow completes the session', async () => {
  const { session_id, authorize_url } = await createOk({ integration_type: 'gdrive' });
  const page = await (await fetch(authorize_url)).text();
  assert.match(page, /Allow Airstore to access your Google Drive\?/);
  assert.match(page, /data-testid="allow"/);
  assert.match(page, /data-testid="deny"/);

  const res = await consent(authorize_url, 'allow');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /Connected\. You can close this window\./);
  const { json } = await getStatus(session_id);
  assert.equal(json.data.status, 'complete');
  assert.match(json.data.connection_id, /^conn_[0-9a-f]{24}$/);
  assert.equal('error' in json.data, false);
});

test('consent Deny fails the session with <provider>: access_denied', async () => {
  for (const [type, expected] of [['gmail', 'google: access_denied'], ['github', 'github: access_denied']]) {
    const { session_id, authorize_url } = await createOk({ integration_type: type });
    const res = await consent(authorize_url, 'deny');
    assert.match(await res.text(), new RegExp(`Connection failed: ${expected}`));
    const { json } = await getStatus(session_id);
    assert.deepEqual(json.data, { status: 'error', error: expected });
  }
});

test('callback redirects to return_to; unknown state is a 400 page', async () => {
  const { authorize_url } = await createOk({ integration_type: 'slack', return_to: '/done?x=1' });
  const res = await consent(authorize_url, 'allow');
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), '/done?x=1');

  const bad = await fetch(`${s.baseURL}/oauth/callback?state=nope&code=x`);
  assert.equal(bad.status, 400);
  assert.match(bad.headers.get('content-type'), /text\/html/);
});

test('the consent page sends Cross-Origin-Opener-Policy: same-origin, as real providers do; consentCOOP changes it', async () => {
  const { authorize_url } = await createOk({ integration_type: 'linear' });
  const res = await fetch(authorize_url);
  assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
  // The gateway's own answers (the API, the callback) send none.
  assert.equal((await getStatusRaw('0'.repeat(32))).headers.get('cross-origin-opener-policy'), null);
  const plain = await startStandin({ consentCOOP: null });
  try {
    assert.equal((await fetch(`${plain.url}/oauth/consent?state=x&provider=gmail`)).headers.get('cross-origin-opener-policy'), null);
  } finally {
    await plain.close();
  }
});

const getStatusRaw = (id) => fetch(`${s.baseURL}/oauth/sessions/${id}`);

test('consent page escapes interpolated values', async () => {
  const html = await (await fetch(`${s.url}/oauth/consent?state="><b>&provider=<script>`)).text();
  assert.equal(html.includes('<script>'), false);
  assert.equal(html.includes('"><b>'), false);
});

test('404s and 405', async () => {
  const cases = [
    [`${s.baseURL}/oauth/sessions/${'0'.repeat(32)}`, 404, 'session not found'],
    [`${s.baseURL}/oauth/sessions/a%2Fb`, 404, 'session not found'],
    [`${s.baseURL}/oauth/sessions/abc/extra`, 404, 'not found'],
    [`${s.baseURL}/nothing`, 404, 'not found'],
    [`${s.url}/`, 404, 'not found'],
  ];
  for (const [url, status, error] of cases) {
    const res = await fetch(url);
    assert.equal(res.status, status, url);
    assert.deepEqual(await res.json(), { success: false, error }, url);
  }
  const res = await fetch(`${s.baseURL}/oauth/sessions`);
  assert.equal(res.status, 405);
  assert.deepEqual(await res.json(), { success: false, error: 'method not allowed' });
});

test('auth errors', async () => {
  const cases = [
    [null, 'authorization required'],
    [`Basic ${KEY}`, 'bearer token required'],
    ['Bearer wrong', 'invalid token'],
  ];
  for (const [auth, error] of cases) {
    const res = await create({ integration_type: 'gmail' }, { auth });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { success: false, error });
  }
});

test('400 messages', async () => {
  const cases = [
    ['{not json', 'invalid request'],
    ['[]', 'invalid request'],
    ['{}', 'integration_type required'],
    ['{"integration_type":""}', 'integration_type required'],
    ['{"integration_type":"s3"}', 'integration s3 does not use OAuth'],
    ['{"integration_type":"gmail","return_to":"javascript:x"}', 'return_to must be a relative path or full URL'],
  ];
  for (const [body, error] of cases) {
    const res = await create(body, { raw: true });
    assert.equal(res.status, 400, body);
    assert.deepEqual(await res.json(), { success: false, error }, body);
  }
  assert.equal(s.sessions.size, 0);
});

test('return_to: another host in disguise is a 400, and no session is made', async () => {
  // What a browser makes of each, relative to the gateway (WHATWG URL, as in browsers):
  // all of them leave the gateway's host, which is why they must be refused.
  const disguised = ['//evil.example', '/\\evil', '/\\/evil.example', '/\t/evil.example', '/\n/evil.example', ' https://evil.example/'];
  for (const value of disguised.slice(0, 5)) {
    assert.notEqual(new URL(value, s.url).host, new URL(s.url).host, JSON.stringify(value));
  }
  for (const returnTo of [...disguised, 'javascript:alert(1)', 'https:evil.example', 'https://', 'ftp://x.example/']) {
    const res = await create({ integration_type: 'gmail', return_to: returnTo });
    assert.equal(res.status, 400, JSON.stringify(returnTo));
    assert.deepEqual(await res.json(), { success: false, error: 'return_to must be a relative path or full URL' }, JSON.stringify(returnTo));
  }
  assert.equal(s.sessions.size, 0);

  // Paths on the gateway's own site and full http(s) URLs are still accepted, and redirected to.
  for (const returnTo of ['/done?x=1', '/a/b#c', 'https://app.example/settings', 'http://localhost:5173/x']) {
    const { authorize_url } = await createOk({ integration_type: 'github', return_to: returnTo });
    const res = await consent(authorize_url, 'allow');
    assert.equal(res.status, 302, returnTo);
    assert.equal(res.headers.get('location'), returnTo);
  }
});

test('complete() / fail() and deletion after the TTLs', async () => {
  const t = await startStandin({ completedTtlMs: 200, failedTtlMs: 300, sessionTtlMs: 400 });
  try {
    const post = (type) => fetch(`${t.baseURL}/oauth/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ integration_type: type }),
    }).then((r) => r.json()).then((j) => j.data.session_id);
    const get = (id) => fetch(`${t.baseURL}/oauth/sessions/${id}`).then(async (r) => [r.status, await r.json()]);

    const [done, failed, idle] = await Promise.all([post('gmail'), post('linear'), post('slack')]);
    t.complete(done, 'conn_fixed');
    t.fail(failed, 'linear: access_denied');
    assert.deepEqual(await get(done), [200, { success: true, data: { status: 'complete', connection_id: 'conn_fixed' } }]);
    assert.deepEqual((await get(failed))[1].data, { status: 'error', error: 'linear: access_denied' });

    await sleep(250);
    assert.deepEqual(await get(done), [404, { success: false, error: 'session not found' }]);
    assert.equal((await get(failed))[0], 200);
    assert.equal((await get(idle))[0], 200);
    await sleep(200);
    assert.equal((await get(failed))[0], 404);
    assert.equal((await get(idle))[0], 404, 'pending session expires after sessionTtlMs');
  } finally {
    await t.close();
  }
});

test('fault: status + headers + body, one-shot, then normal', async () => {
  s.inject({ method: 'POST', path: '/api/v1/oauth/sessions', status: 503, headers: { 'retry-after': '1' }, body: { success: false, error: 'busy' } });
  const res = await create({ integration_type: 'gmail' });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '1');
  assert.match(res.headers.get('x-request-id'), /^req_/);
  assert.deepEqual(await res.json(), { success: false, error: 'busy' });
  assert.equal((await create({ integration_type: 'gmail' })).status, 201);
});

test('fault: times, RegExp path, FIFO, default body, clearFaults', async () => {
  s.inject({ path: /\/sessions\/[0-9a-f]+$/, status: 500, times: 2 });
  s.inject({ path: '/api/v1/oauth/sessions/', status: 429 });
  const id = 'a'.repeat(32);
  assert.equal((await getStatus(id)).status, 500);
  const second = await getStatus(id);
  assert.deepEqual(second, { status: 500, json: { success: false, error: 'internal server error' } });
  assert.equal((await getStatus(id)).status, 429);
  assert.equal((await getStatus(id)).status, 404);
  s.inject({ status: 500 });
  s.clearFaults();
  assert.equal((await getStatus(id)).status, 404);
});

test('fault: delayMs then normal answer', async () => {
  s.inject({ delayMs: 150 });
  const t0 = Date.now();
  const res = await create({ integration_type: 'gmail' });
  assert.ok(Date.now() - t0 >= 140);
  assert.equal(res.status, 201);
});

test('fault: hang (client timeout) and redirect', async () => {
  s.inject({ hang: true });
  await rejectsExactly(create({ integration_type: 'gmail' }, { signal: AbortSignal.timeout(200) }), DOMException, 'The operation was aborted due to timeout', 'TimeoutError');
  s.inject({ redirect: 'https://example.invalid/elsewhere' });
  const res = await fetch(`${s.baseURL}/oauth/sessions/x`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), 'https://example.invalid/elsewhere');
});

test('fault: resets, malformed JSON, stalled body', async () => {
  s.inject({ reset: 'before-headers' });
  await rejectsExactly(fetch(`${s.baseURL}/oauth/sessions/x`), TypeError, 'fetch failed');

  s.inject({ reset: 'after-headers', status: 200 });
  const cut = await fetch(`${s.baseURL}/oauth/sessions/x`);
  assert.equal(cut.status, 200);
  await rejectsExactly(cut.text(), TypeError, 'terminated');

  s.inject({ malformedJson: true });
  const bad = await fetch(`${s.baseURL}/oauth/sessions/x`);
  assert.equal(bad.status, 200);
  assert.equal(bad.headers.get('content-type'), 'application/json');
  await rejectsExactly(bad.json(), SyntaxError, 'Unexpected end of JSON input');

  s.inject({ stallBody: true });
  const stalled = await fetch(`${s.baseURL}/oauth/sessions/x`, { signal: AbortSignal.timeout(200) });
  assert.equal(stalled.status, 200);
  await rejectsExactly(stalled.text(), DOMException, 'The operation was aborted due to timeout', 'TimeoutError');
});

test('CORS: preflight answered and logged; simple GET gets headers; unknown origin gets none', async () => {
  const pre = await fetch(`${s.baseURL}/oauth/sessions`, {
    method: 'OPTIONS',
    headers: {
      origin: 'http://localhost:5173',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,x-stainless-retry-count',
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.equal(pre.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
  assert.equal(pre.headers.get('access-control-allow-headers'), 'authorization,content-type,x-stainless-retry-count');
  assert.equal(s.requests.at(-1).method, 'OPTIONS');

  const get = await fetch(`${s.baseURL}/oauth/sessions/x`, { headers: { origin: 'http://localhost:5173' } });
  assert.equal(get.headers.get('access-control-allow-origin'), '*');
  assert.match(get.headers.get('access-control-expose-headers'), /x-request-id/);

  const t = await startStandin({ corsOrigins: ['http://app.test'] });
  try {
    const ok = await fetch(`${t.baseURL}/oauth/sessions/x`, { headers: { origin: 'http://app.test' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://app.test');
    const no = await fetch(`${t.baseURL}/oauth/sessions/x`, { headers: { origin: 'http://evil.test' } });
    assert.equal(no.headers.get('access-control-allow-origin'), null);
  } finally {
    await t.close();
  }
});

test('close() is prompt even with a hung request', async () => {
  const t = await startStandin();
  t.inject({ hang: true });
  const pending = fetch(`${t.baseURL}/oauth/sessions/x`).catch((e) => e);
  await sleep(50);
  const t0 = Date.now();
  await t.close();
  assert.ok(Date.now() - t0 < 500);
  assert.ok((await pending) instanceof TypeError);
});
