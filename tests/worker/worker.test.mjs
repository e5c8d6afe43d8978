// The example Worker (www/worker) as people will copy it: each of its rules,
// in workerd (Miniflare), bundled by wrangler from its wrangler.jsonc, talking
// to the stand-in Airstore over loopback.
//   node --test tests/worker/   (after `make build`)
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { startStandin } from '../server/standin.mjs';
import { bundleWorker, workerOptions } from '../../www/demo.mjs';

const KEY = 'org_test_key';
const APP = 'https://app.example';
const PATH = '/api/oauth/sessions';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FROM_APP = 'This request must come from the app.';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let standin;
let tmp;
let workerOut;
let assetsDir;
/** Every Worker's console lines, with the level they were logged at. */
const logs = [];
const workers = [];

/** A Worker from the bundle, with the config's settings plus these. */
async function startWorker({ bindings = {}, ratelimits } = {}) {
  const mf = new Miniflare({
    ...(await workerOptions({
      workerOut,
      assetsDir,
      bindings: {
        AIRSTORE_BASE_URL: standin.baseURL,
        AIRSTORE_API_KEY: KEY,
        ALLOWED_ORIGINS: [APP],
        RETURN_TO_URLS: [`${APP}/settings`, `${APP}/done`],
        DEMO_WORKSPACE_ID: 'ws_demo',
        ...bindings,
      },
      ratelimits: ratelimits ?? { SESSIONS_RATE_LIMITER: { simple: { limit: 1000, period: 60 } } },
    })),
    host: '127.0.0.1',
    port: 0,
    handleStructuredLogs: ({ level, message }) => {
      logs.push({ level, message });
    },
  });
  workers.push(mf);
  await mf.ready;
  return mf;
}

let worker;

before(async () => {
  standin = await startStandin();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airstore-worker-test-'));
  assetsDir = path.join(tmp, 'assets');
  workerOut = path.join(tmp, 'worker');
  fs.mkdirSync(assetsDir);
  fs.writeFileSync(path.join(assetsDir, 'index.html'), '<!doctype html><title>app</title><script type="module" src="/app.js"></script>\n');
  fs.writeFileSync(path.join(assetsDir, 'app.js'), 'console.log("app")\n');
  await bundleWorker(workerOut, assetsDir);
  worker = await startWorker();
});

after(async () => {
  for (const mf of workers) await mf.dispose().catch(() => {});
  await standin?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => standin.reset());

/** A create request as the app's page sends it; each part can be changed or left out (null). */
function post(mf, { url = `${APP}${PATH}`, origin = APP, site = 'same-origin', type = 'application/json', body = { integrationType: 'gmail' } } = {}) {
  const headers = {};
  if (origin !== null) headers.origin = origin;
  if (site !== null) headers['sec-fetch-site'] = site;
  if (type !== null) headers['content-type'] = type;
  return mf.dispatchFetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const creates = () => standin.requests.filter((r) => r.method === 'POST');

/** A refusal: the status, the fixed text, a requestId, and nothing sent to Airstore. */
async function assertRefused(res, status, error) {
  const text = await res.text();
  assert.equal(res.status, status, text);
  const body = JSON.parse(text);
  assert.deepEqual(Object.keys(body).sort(), ['error', 'requestId']);
  assert.equal(body.error, error);
  assert.match(body.requestId, UUID);
  assert.equal(creates().length, 0, 'nothing was sent to Airstore');
  return body;
}

async function waitForLog(predicate, what) {
  const deadline = Date.now() + 5000;
  while (!logs.some(predicate)) {
    if (Date.now() > deadline) assert.fail(`no log line ${what}; got ${JSON.stringify(logs.slice(-5))}`);
    await sleep(10);
  }
  return logs.find(predicate);
}

test("the app's own request: 201, the session and where to poll; the workspace is the user's, returnTo the first allowed URL", async () => {
  const res = await post(worker, { type: 'application/json; charset=utf-8' });
  assert.equal(res.status, 201, await res.clone().text());
  const body = await res.json();
  assert.match(body.session.session_id, /^[0-9a-f]{32}$/);
  assert.match(body.session.authorize_url, /\/oauth\/consent\?state=/);
  assert.equal(body.baseURL, standin.baseURL);
  const [sent] = creates();
  assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
  assert.deepEqual(JSON.parse(sent.body), { integration_type: 'gmail', workspace_id: 'ws_demo', return_to: `${APP}/settings` });
});

test('no Origin (curl, a server): 403', async () => {
  await assertRefused(await post(worker, { origin: null }), 403, FROM_APP);
  await assertRefused(await post(worker, { origin: null, site: null }), 403, FROM_APP);
});

test('a foreign Origin: 403, also when it differs only in scheme or port', async () => {
  for (const origin of ['https://evil.example', 'http://app.example', 'https://app.example:8443', 'null', 'https://app.example.evil.example']) {
    await assertRefused(await post(worker, { origin, site: null }), 403, FROM_APP);
  }
});

test('a forged Host: Origin and Host both the attacker, 403 (the Worker never reads Host)', async () => {
  // Through Miniflare's dispatch, the request's URL is the attacker's host...
  await assertRefused(await post(worker, { url: `https://attacker.example${PATH}`, origin: 'https://attacker.example' }), 403, FROM_APP);
  // ...and over a real socket, with the Host header itself forged.
  const url = new URL(PATH, await worker.ready);
  const { status, text } = await new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { host: 'attacker.example', origin: 'http://attacker.example', 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
    }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode, text: data }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ integrationType: 'gmail' }));
  });
  assert.equal(status, 403, text);
  assert.equal(JSON.parse(text).error, FROM_APP);
  assert.equal(creates().length, 0);
});

test('Sec-Fetch-Site other than same-origin: 403; absent, the Origin check decides', async () => {
  for (const site of ['cross-site', 'same-site', 'none']) {
    await assertRefused(await post(worker, { site }), 403, FROM_APP);
  }
  const res = await post(worker, { site: null });
  assert.equal(res.status, 201, await res.text());
});

test('text/plain, a form, or no Content-Type: 415', async () => {
  for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null]) {
    await assertRefused(await post(worker, { type }), 415, 'Send the body as Content-Type: application/json.');
  }
});

test('the body names no workspace: workspaceId (or any other field) is a 400, the workspace is the server\'s to decide', async () => {
  await assertRefused(await post(worker, { body: { integrationType: 'gmail', workspaceId: 'ws_someone_else' } }), 400,
    'Only integrationType and returnTo may be sent.');
  await assertRefused(await post(worker, { body: { integrationType: 'gmail', workspace_id: 'ws_x' } }), 400,
    'Only integrationType and returnTo may be sent.');
});

test('a bad body: 400 with a fixed text that does not echo it', async () => {
  const json = 'The body must be JSON like {"integrationType":"gmail"}.';
  await assertRefused(await post(worker, { body: '{not json' }), 400, json);
  await assertRefused(await post(worker, { body: '["gmail"]' }), 400, json);
  await assertRefused(await post(worker, { body: { integrationType: '<script>' } }), 400,
    'integrationType must be one of gmail, gdrive, github, notion, linear, slack.');
  await assertRefused(await post(worker, { body: { integrationType: 'gmail', pad: 'x'.repeat(4000) } }), 413, 'The request body is too large.');
});

test("returnTo: one of the app's own URLs, else 400", async () => {
  const res = await post(worker, { body: { integrationType: 'github', returnTo: `${APP}/done` } });
  assert.equal(res.status, 201, await res.text());
  assert.equal(JSON.parse(creates()[0].body).return_to, `${APP}/done`);
  standin.reset();
  for (const returnTo of ['https://evil.example/', '//evil.example', `${APP}/done/../../evil`, `${APP}/settings?x=1`, '/settings']) {
    await assertRefused(await post(worker, { body: { integrationType: 'github', returnTo } }), 400, 'returnTo must be one of the app’s own URLs.');
  }
});

test("an upstream 500's text stays out of the answer: 502, a fixed text and the requestId; the details go to console.error", async () => {
  const secret = 'pq: connection to db-internal-7.prod.airstore:5432 refused (tenant org_42)';
  // The client retries a 500 twice: every attempt gets it.
  standin.inject({ method: 'POST', path: '/api/v1/oauth/sessions', status: 500, body: { success: false, error: secret }, times: 3 });
  const res = await post(worker);
  const text = await res.text();
  assert.equal(res.status, 502, text);
  for (const leak of ['db-internal', 'pq:', 'org_42', '5432', 'tenant']) assert.ok(!text.includes(leak), `${leak} leaked: ${text}`);
  const body = JSON.parse(text);
  assert.deepEqual(Object.keys(body).sort(), ['error', 'requestId']);
  assert.equal(body.error, 'Airstore could not create the session. Try again later.');
  assert.match(body.requestId, UUID);
  assert.equal(creates().length, 3);
  const line = await waitForLog((l) => l.message.includes(body.requestId) && l.message.includes(secret), 'with the requestId and the upstream text');
  assert.equal(line.level, 'error');
  assert.match(line.message, /HTTP 500, Airstore request req_[0-9a-f]+/);
});

test('other upstream failures are fixed texts too: a refused key is a 500, Airstore unreachable a 502', async () => {
  standin.inject({ method: 'POST', status: 401, body: { success: false, error: 'invalid token for org_42' } });
  const refused = await (await post(worker)).json();
  assert.equal(refused.error, 'The server is not set up correctly.');

  const unreachable = await startWorker({ bindings: { AIRSTORE_BASE_URL: 'http://127.0.0.1:9/api/v1' } });
  const res = await post(unreachable);
  assert.equal(res.status, 502);
  assert.equal((await res.json()).error, 'Could not reach Airstore. Try again later.');
});

test('authenticate() decides the caller: without the demo switch every caller is refused, 401', async () => {
  const closed = await startWorker({ bindings: { DEMO_ANYONE_IS_DEMO_USER: 'false' } });
  await assertRefused(await post(closed), 401, 'Sign in first.');
});

test('over the rate limit (Rate Limiting binding, limit 2 per 60 s): the third session is a 429', async () => {
  const limited = await startWorker({ ratelimits: { SESSIONS_RATE_LIMITER: { simple: { limit: 2, period: 60 } } } });
  // The binding counts in fixed 60 s windows: start early in one, so all
  // three requests (well under a second) fall in the same window.
  const window = () => Math.floor(Date.now() / 60_000);
  if (Date.now() % 60_000 > 50_000) await sleep(60_000 - (Date.now() % 60_000) + 50);
  const start = window();
  assert.equal((await post(limited)).status, 201);
  assert.equal((await post(limited)).status, 201);
  const res = await post(limited);
  assert.equal(window(), start, 'the three requests fell in one window');
  const text = await res.text();
  assert.equal(res.status, 429, text);
  assert.equal(JSON.parse(text).error, 'Too many connection attempts. Try again in a minute.');
  assert.equal(creates().length, 2, 'the third never reached Airstore');
});

test('every file of the app carries the security headers; connect-src is the configured Airstore origin', async () => {
  const expect = (res, airstoreOrigin) => {
    const csp = res.headers.get('content-security-policy');
    assert.ok(csp, 'a CSP');
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
    assert.equal(directives['script-src'], "'self' 'wasm-unsafe-eval'");
    assert.equal(directives['frame-ancestors'], "'none'");
    assert.equal(directives['connect-src'], `'self' ${airstoreOrigin}`);
    assert.equal(directives['default-src'], "'self'");
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin-allow-popups');
    assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  };
  const standinOrigin = new URL(standin.baseURL).origin;
  for (const [file, type] of [['/', /text\/html/], ['/app.js', /javascript/], ['/settings/connections', /text\/html/]]) {
    const res = await worker.dispatchFetch(`${APP}${file}`);
    assert.equal(res.status, 200, file);
    assert.match(res.headers.get('content-type'), type, file);
    await res.arrayBuffer();
    expect(res, standinOrigin);
  }
  // The API's answers too, refusals included.
  expect(await post(worker, { origin: null }), standinOrigin);

  // Where browsers poll, when the Worker reaches Airstore elsewhere: AIRSTORE_PUBLIC_BASE_URL.
  const publicGateway = await startWorker({ bindings: { AIRSTORE_PUBLIC_BASE_URL: 'https://gateway.example/api/v1' } });
  const res = await publicGateway.dispatchFetch(`${APP}/`);
  await res.arrayBuffer();
  expect(res, 'https://gateway.example');
});

test('other methods and paths of the API: 405 and 404', async () => {
  const get = await worker.dispatchFetch(`${APP}${PATH}`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  assert.equal((await get.json()).error, 'Method not allowed.');
  const other = await worker.dispatchFetch(`${APP}/api/config`);
  assert.equal(other.status, 404);
  assert.equal((await other.json()).error, 'Not found.');
});
