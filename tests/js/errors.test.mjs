// Every error class, triggered for real over loopback; AbortSignal hygiene.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import Airstore, {
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
} from '../../pkg/dist/node.mjs';
import {
  startStandin, KEY, caught, caughtTimed, assertExactly, rejectsExactly, deadPort, sleep, waitFor,
} from './helpers.mjs';

let s;
let client;
before(async () => {
  s = await startStandin();
  client = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
});
after(() => s.close());
beforeEach(() => s.reset());

const ID = 'a'.repeat(32);

function assertAPIErrorFields(err, status) {
  assert.equal(err.status, status);
  assert.ok(err.headers instanceof Headers, 'headers is a Headers');
  assert.match(err.requestId, /^req_[0-9a-f]{24}$/);
  assert.equal(err.requestId, err.headers.get('x-request-id'));
}

describe('API errors from the server', () => {
  test('400: unknown integration type goes to the server → APIError', async () => {
    const err = await caught(() => client.oauth.createSession({ integrationType: 'dropbox' }));
    assertExactly(err, APIError, 'integration dropbox does not use OAuth');
    assertAPIErrorFields(err, 400);
    assert.equal(s.requests.length, 1);
    assert.equal(JSON.parse(s.requests[0].body).integration_type, 'dropbox');
  });

  test('400: return_to that is neither a path nor http(s) → APIError from the server', async () => {
    const err = await caught(() => client.oauth.createSession({ integrationType: 'gmail', returnTo: 'javascript:alert(1)' }));
    assertExactly(err, APIError, 'return_to must be a relative path or full URL');
    assert.equal(err.status, 400);
  });

  test('401: wrong key → AuthenticationError "invalid token"', async () => {
    const c = new Airstore({ apiKey: 'org_wrong_key', baseURL: s.baseURL });
    const err = await caught(() => c.oauth.createSession({ integrationType: 'gmail' }));
    assertExactly(err, AuthenticationError, 'invalid token');
    assert.ok(err instanceof APIError);
    assertAPIErrorFields(err, 401);
    assert.equal(s.requests.length, 1, '401 is not retried');
  });

  const injected = [
    [403, PermissionDeniedError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [418, APIError],
  ];
  for (const [status, Cls] of injected) {
    test(`${status} → ${Cls.name} with the body's error as message`, async () => {
      s.inject({ status, body: { success: false, error: `boom ${status}` } });
      const err = await caught(() => client.oauth.getSession(ID, { maxRetries: 0 }));
      assertExactly(err, Cls, `boom ${status}`);
      assert.ok(err instanceof APIError);
      assert.ok(err instanceof AirstoreError);
      assertAPIErrorFields(err, status);
    });
  }

  test('message falls back to the body\'s "message" field', async () => {
    s.inject({ status: 403, body: { success: false, message: 'from message field' } });
    const err = await caught(() => client.oauth.getSession(ID));
    assertExactly(err, PermissionDeniedError, 'from message field');
  });

  test('"error" wins over "message"', async () => {
    s.inject({ status: 422, body: { success: false, error: 'from error', message: 'from message' } });
    const err = await caught(() => client.oauth.getSession(ID));
    assertExactly(err, UnprocessableEntityError, 'from error');
  });

  test('JSON body without error/message → "Request failed with status N"', async () => {
    s.inject({ status: 403, body: { success: false } });
    const err = await caught(() => client.oauth.getSession(ID));
    assertExactly(err, PermissionDeniedError, 'Request failed with status 403');
  });

  test('502 with an HTML body → InternalServerError "Request failed with status 502"', async () => {
    s.inject({
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    });
    const err = await caught(() => client.oauth.getSession(ID, { maxRetries: 0 }));
    assertExactly(err, InternalServerError, 'Request failed with status 502');
    assertAPIErrorFields(err, 502);
  });

  test('404 with an empty body → NotFoundError "Request failed with status 404"', async () => {
    s.inject({ status: 404, body: '' });
    const err = await caught(() => client.oauth.getSession(ID));
    assertExactly(err, NotFoundError, 'Request failed with status 404');
  });
});

describe('transport errors', () => {
  test('connection refused → APIConnectionError with cause', async () => {
    const port = await deadPort();
    const c = new Airstore({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/api/v1`, maxRetries: 0 });
    const err = await caught(() => c.oauth.getSession(ID));
    assertExactly(err, APIConnectionError);
    assert.ok(err instanceof AirstoreError);
    assert.ok(!(err instanceof APIError));
    assert.ok(err.cause !== undefined && err.cause !== null, 'cause is set');
    assert.equal(typeof err.message, 'string');
    assert.ok(err.message.length > 0);
  });

  test('connection refused is retried (default maxRetries) and still an APIConnectionError', async () => {
    const port = await deadPort();
    const c = new Airstore({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/api/v1`, maxRetries: 1 });
    const { err, elapsed } = await caughtTimed(() => c.oauth.getSession(ID));
    assertExactly(err, APIConnectionError);
    // one retry after the default backoff (500 ms + up to 50 % jitter)
    assert.ok(elapsed >= 450, `a retry waits the backoff first (settled after ${elapsed} ms)`);
    assert.ok(elapsed < 4000, `settled after ${elapsed} ms`); // wide for a loaded 2-core machine
  });

  test('a hang with timeout 200 → APIConnectionTimeoutError "Request timed out"', async () => {
    s.inject({ hang: true, times: 5 });
    const { err, elapsed } = await caughtTimed(() => client.oauth.getSession(ID, { timeout: 200 }));
    assertExactly(err, APIConnectionTimeoutError, 'Request timed out');
    assert.ok(err instanceof APIConnectionError);
    assert.ok(err instanceof AirstoreError);
    // Upper bounds are wide (+2 s) for a loaded 2-core machine: they only tell a settled call from one left to a far longer timer (the 60 s default, a retry).
    assert.ok(elapsed >= 190 && elapsed < 200 + 2000, `settled after ${elapsed} ms`);
  });

  test('the timeout covers the body: headers then a stalled body → APIConnectionTimeoutError', async () => {
    s.inject({ status: 200, stallBody: true });
    const { err, elapsed } = await caughtTimed(() => client.oauth.getSession(ID, { timeout: 300 }));
    assertExactly(err, APIConnectionTimeoutError, 'Request timed out');
    assert.ok(elapsed < 300 + 2000, `settled after ${elapsed} ms`); // the alternative: the 60 s default
  });

  test('client-level timeout applies', async () => {
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, timeout: 150 });
    s.inject({ hang: true });
    const { err, elapsed } = await caughtTimed(() => c.oauth.getSession(ID));
    assertExactly(err, APIConnectionTimeoutError, 'Request timed out');
    assert.ok(elapsed < 150 + 2000, `settled after ${elapsed} ms`); // the alternative: the 60 s default
  });

  test('connection reset after the headers → APIConnectionError', async () => {
    s.inject({ status: 200, reset: 'after-headers' });
    const err = await caught(() => client.oauth.getSession(ID, { maxRetries: 0 }));
    assert.ok(err instanceof APIConnectionError, `got ${err?.constructor?.name}: ${err?.message}`);
    assert.ok(!(err instanceof APIConnectionTimeoutError));
  });

  test('cancellation via AbortController → AirstoreError "Request was cancelled", at once', async () => {
    s.inject({ hang: true });
    const ac = new AbortController();
    const p = caughtTimed(() => client.oauth.getSession(ID, { signal: ac.signal }));
    await waitFor(() => s.requests.length === 1, 2000, 'the request to arrive');
    const abortedAt = performance.now();
    ac.abort();
    const { err } = await p;
    const afterAbort = performance.now() - abortedAt;
    assertExactly(err, AirstoreError, 'Request was cancelled');
    assert.ok(!(err instanceof APIConnectionError), 'not an APIConnectionError');
    assert.ok(!(err instanceof APIError));
    assert.ok(afterAbort < 1000, `settled ${afterAbort} ms after abort`); // the alternative: the 5 s timeout
    await sleep(50);
    assert.equal(s.requests.length, 1, 'a cancellation is not retried');
  });

  test('cancellation with a custom reason is still "Request was cancelled"', async () => {
    s.inject({ hang: true });
    const ac = new AbortController();
    const p = caught(() => client.oauth.getSession(ID, { signal: ac.signal }));
    await waitFor(() => s.requests.length === 1, 2000, 'the request to arrive');
    ac.abort(new Error('user navigated away'));
    const err = await p;
    assertExactly(err, AirstoreError, 'Request was cancelled');
  });

  test('a structural AbortSignal-like object (EventTarget with aborted) cancels too', async () => {
    class SignalLike extends EventTarget {
      aborted = false;
      reason = undefined;
      abort() { this.aborted = true; this.dispatchEvent(new Event('abort')); }
    }
    const signal = new SignalLike();
    s.inject({ hang: true });
    const p = caught(() => client.oauth.getSession(ID, { signal }));
    await waitFor(() => s.requests.length === 1, 2000, 'the request');
    signal.abort();
    assertExactly(await p, AirstoreError, 'Request was cancelled');
    assert.equal(getEventListeners(signal, 'abort').length, 0);
  });

  test('an already-aborted signal rejects with no request', async () => {
    const err = await caught(() => client.oauth.getSession(ID, { signal: AbortSignal.abort() }));
    assertExactly(err, AirstoreError, 'Request was cancelled');
    const err2 = await caught(() => client.oauth.createSession({ integrationType: 'gmail' }, { signal: AbortSignal.abort() }));
    assertExactly(err2, AirstoreError, 'Request was cancelled');
    await sleep(30);
    assert.equal(s.requests.length, 0);
  });

  test('cancellation during the retry backoff stops at once with no further request', async () => {
    s.inject({ status: 503, headers: { 'retry-after-ms': '5000' }, times: 5 });
    const ac = new AbortController();
    const p = caughtTimed(() => client.oauth.getSession(ID, { signal: ac.signal }));
    await waitFor(() => s.requests.length === 1, 2000, 'the first request');
    await sleep(50);
    ac.abort();
    const { err, elapsed } = await p;
    assertExactly(err, AirstoreError, 'Request was cancelled');
    assert.ok(elapsed < 3000, `settled after ${elapsed} ms`); // the alternative: the 5 s retry-after wait
    await sleep(50);
    assert.equal(s.requests.length, 1);
  });

  test('malformed JSON on a 200 → AirstoreError, not APIError', async () => {
    s.inject({ status: 200, malformedJson: true });
    const err = await caught(() => client.oauth.getSession(ID));
    assert.ok(err instanceof AirstoreError, `got ${err?.constructor?.name}: ${err?.message}`);
    assert.ok(!(err instanceof APIError), `got ${err.constructor.name}`);
    assert.ok(!(err instanceof WebAssembly.RuntimeError));
  });

  test('malformed JSON on a 201 createSession → AirstoreError, not APIError', async () => {
    s.inject({ method: 'POST', status: 201, body: 'not json at all' });
    const err = await caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
    assert.ok(err instanceof AirstoreError, `got ${err?.constructor?.name}: ${err?.message}`);
    assert.ok(!(err instanceof APIError));
  });

  test('the client still works after all of the above', async () => {
    const r = await client.oauth.createSession({ integrationType: 'gmail' });
    assert.equal((await client.oauth.getSession(r.session_id)).status, 'pending');
  });
});

describe('no listener is left on the caller\'s AbortSignal', () => {
  const count = (signal) => getEventListeners(signal, 'abort').length;

  test('after a success', async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    const ac = new AbortController();
    await client.oauth.getSession(id, { signal: ac.signal });
    assert.equal(count(ac.signal), 0);
    await client.oauth.createSession({ integrationType: 'gmail' }, { signal: ac.signal });
    assert.equal(count(ac.signal), 0);
  });

  test('after an API error', async () => {
    const ac = new AbortController();
    await rejectsExactly(client.oauth.getSession(ID, { signal: ac.signal }), NotFoundError, 'session not found');
    assert.equal(count(ac.signal), 0);
  });

  test('after retries then an error', async () => {
    s.inject({ status: 503, headers: { 'retry-after-ms': '1' }, times: 3 });
    const ac = new AbortController();
    await rejectsExactly(client.oauth.getSession(ID, { signal: ac.signal }), InternalServerError, 'service unavailable');
    assert.equal(s.requests.length, 3);
    assert.equal(count(ac.signal), 0);
  });

  test('after a timeout', async () => {
    s.inject({ hang: true });
    const ac = new AbortController();
    await rejectsExactly(client.oauth.getSession(ID, { signal: ac.signal, timeout: 100 }), APIConnectionTimeoutError, 'Request timed out');
    assert.equal(count(ac.signal), 0);
  });

  test('after a connection error', async () => {
    const port = await deadPort();
    const c = new Airstore({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/api/v1`, maxRetries: 0 });
    const ac = new AbortController();
    await rejectsExactly(c.oauth.getSession(ID, { signal: ac.signal }), APIConnectionError, 'Connection error: fetch failed (ECONNREFUSED)');
    assert.equal(count(ac.signal), 0);
  });

  test('after a cancellation', async () => {
    s.inject({ hang: true });
    const ac = new AbortController();
    const p = client.oauth.getSession(ID, { signal: ac.signal });
    await waitFor(() => s.requests.length === 1, 2000, 'the request');
    ac.abort();
    await rejectsExactly(p, AirstoreError, 'Request was cancelled');
    assert.equal(count(ac.signal), 0);
  });

  test('after polls (success, failure, timeout) with the signal in pollOpts and in options', async () => {
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    s.complete(id, 'conn_1');
    await client.oauth.poll(id, { interval: 20, signal: ac1.signal });
    await client.oauth.poll(id, { interval: 20 }, { signal: ac2.signal });
    assert.equal(count(ac1.signal), 0);
    assert.equal(count(ac2.signal), 0);

    const { session_id: id2 } = await client.oauth.createSession({ integrationType: 'gmail' });
    s.fail(id2);
    await rejectsExactly(client.oauth.poll(id2, { interval: 20, signal: ac1.signal }), AirstoreError, 'OAuth session failed: google: access_denied');
    await rejectsExactly(client.oauth.poll(id2, { interval: 20 }, { signal: ac2.signal }), AirstoreError, 'OAuth session failed: google: access_denied');
    assert.equal(count(ac1.signal), 0);
    assert.equal(count(ac2.signal), 0);

    const { session_id: id3 } = await client.oauth.createSession({ integrationType: 'gmail' });
    await rejectsExactly(client.oauth.poll(id3, { interval: 30, timeout: 100, signal: ac1.signal }), AirstoreError, 'OAuth session timed out after 100ms');
    await rejectsExactly(client.oauth.poll(id3, { interval: 30, timeout: 100 }, { signal: ac2.signal }), AirstoreError, 'OAuth session timed out after 100ms');
    assert.equal(count(ac1.signal), 0);
    assert.equal(count(ac2.signal), 0);
  });

  test('after a poll cancelled during its sleep', async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    const ac = new AbortController();
    const p = client.oauth.poll(id, { interval: 1000, signal: ac.signal });
    await waitFor(() => s.requests.length === 2, 2000, 'the first check');
    await sleep(30);
    ac.abort();
    await rejectsExactly(p, AirstoreError, 'Request was cancelled');
    assert.equal(count(ac.signal), 0);
  });
});
