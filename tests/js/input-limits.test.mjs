// Inputs found by review: huge strings (which would exhaust wasm memory and
// trap the instance), lone surrogates, header containers that are not plain
// objects, URLs that only look valid, signals that refuse listeners.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Airstore, AirstoreError } from '../../pkg/dist/node.mjs';
import { KEY, SESSIONS_PATH, caught, startStandin, throwsExactly } from './helpers.mjs';

let standin;
let client;
before(async () => {
  standin = await startStandin();
  client = new Airstore({ apiKey: KEY, baseURL: standin.baseURL, maxRetries: 0 });
});
after(() => standin.close());

/** Asserts an AirstoreError naming `field`, with no request sent, and the client still working. */
async function refused(call, field) {
  const before = standin.requests.length;
  const err = await caught(call);
  assert.ok(!(err instanceof WebAssembly.RuntimeError), err.message);
  assert.ok(err instanceof AirstoreError, `${err.name}: ${err.message}`);
  assert.ok(err.message.includes(field), `${err.message} should name ${field}`);
  assert.equal(standin.requests.length, before, 'nothing sent');
  const session = await client.oauth.createSession({ integrationType: 'gmail' });
  assert.equal((await client.oauth.getSession(session.session_id)).status, 'pending');
  return err;
}

test('huge strings are refused before they are copied into wasm', async () => {
  const huge = 'é'.repeat(2 ** 24);
  let err = await refused(() => client.oauth.getSession(huge), 'sessionId');
  assert.match(err.message, /too long/);
  await refused(() => client.oauth.getSession('a'.repeat(1_025)), 'sessionId');
  await refused(() => client.oauth.createSession({ integrationType: huge }), 'params.integrationType');
  await refused(() => client.oauth.getSession('x', { headers: { 'X-Big': huge } }), 'options.headers["X-Big"]');
  err = throwsExactly(() => new Airstore({ apiKey: huge }), AirstoreError, 'options.apiKey is too long (at most 65536 characters)');
  assert.ok(!err.message.includes('éé'), 'the huge key is not echoed');
});

test('lone surrogates are refused in every string, not turned into U+FFFD', async () => {
  await refused(() => client.oauth.getSession('sess\uD800'), 'sessionId');
  await refused(() => client.oauth.createSession({ integrationType: 'gmail', workspaceId: 'ws\uDC00' }), 'params.workspaceId');
  await refused(() => client.oauth.createSession({ integrationType: 'gm\uD800ail' }), 'params.integrationType');
});

test('headers must be a plain object: a Headers, a Map or an array would send nothing', async () => {
  for (const headers of [new Headers({ 'x-a': '1' }), new Map([['x-a', '1']]), [['x-a', '1']]]) {
    await refused(() => client.oauth.getSession('x', { headers }), 'options.headers');
    throwsExactly(() => new Airstore({ apiKey: KEY, defaultHeaders: headers }), AirstoreError, 'options.defaultHeaders must be a plain object of header names to string values');
  }
  // A null-prototype object is plain.
  const headers = Object.create(null);
  headers['x-trace'] = 't1';
  await client.oauth.getSession('0'.repeat(32), { headers }).catch(() => {});
  assert.equal(standin.requests.at(-1).headers['x-trace'], 't1');
});

test('connection headers and control characters in values are refused up front', async () => {
  for (const name of ['Expect', 'connection', 'Transfer-Encoding', 'keep-alive', 'upgrade', 'host', 'content-length']) {
    await refused(() => client.oauth.getSession('x', { headers: { [name]: 'x' } }), `options.headers["${name}"]`);
  }
  for (const value of ['a\u0001b', 'a\u007fb', 'a\nb']) {
    await refused(() => client.oauth.getSession('x', { headers: { 'X-A': value } }), 'options.headers["X-A"]');
  }
});

test('base URLs that fetch could not parse are refused in the constructor', () => {
  const PARSES = 'options.baseURL must be an http(s) URL that parses (check the host and port)';
  const SPACES = 'options.baseURL must be an http(s) URL without spaces or control characters';
  for (const [baseURL, message] of [['https://:80/api', PARSES], ['https://[bad/api', PARSES], ['http://exa mple.com', SPACES]]) {
    throwsExactly(() => new Airstore({ apiKey: KEY, baseURL }), AirstoreError, message, baseURL);
  }
});

test('a signal that refuses a listener is refused, since it could never stop the call', async () => {
  const signal = { aborted: false, addEventListener() { throw new Error('no'); }, removeEventListener() {} };
  await refused(() => client.oauth.getSession('x', { signal }), 'options.signal');
});

test('the slim entry hands out no wasm exports (the key lives in that memory)', async () => {
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(new URL('../../pkg/dist/airstore_wasm_bg.wasm', import.meta.url));
  const slim = await import(new URL('../../pkg/dist/slim.mjs?exports', import.meta.url));
  assert.equal(slim.initSync({ module: bytes }), undefined);
  assert.equal(await slim.init({ module_or_path: bytes }), undefined);
});
