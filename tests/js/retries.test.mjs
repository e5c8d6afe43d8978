// Retries (CONTRACT section 3), counted in the stand-in's request log.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import Airstore, {
  AirstoreError,
  APIError,
  NotFoundError,
  InternalServerError,
  RateLimitError,
  APIConnectionError,
  APIConnectionTimeoutError,
} from '../../pkg/dist/node.mjs';
import { startStandin, KEY, caught, caughtTimed, timed, assertExactly, rejectsExactly, sleep, waitFor } from './helpers.mjs';
import { recordTimers } from '../reliability/shared.mjs';

let s;
let client;
before(async () => {
  s = await startStandin();
  client = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
});
after(() => s.close());
beforeEach(() => s.reset());

/** A real pending session; the request log is cleared afterwards. */
async function session() {
  const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
  s.requests.length = 0;
  return id;
}

const FAST = { 'retry-after-ms': '1' };

describe('what is retried', () => {
  test('503 twice then success → 3 requests, resolves, after the default backoff', async () => {
    const id = await session();
    s.inject({ status: 503, times: 2 });
    const { value, elapsed } = await timed(() => client.oauth.getSession(id));
    assert.deepEqual({ ...value }, { status: 'pending' });
    assert.equal(value.lastResponse.statusCode, 200);
    assert.equal(s.requests.length, 3);
    // 500 ms then 1000 ms, each plus up to 50 % jitter: 1500..2250 ms in all.
    assert.ok(elapsed >= 1450, `elapsed ${elapsed} ms is below the documented backoff`);
    assert.ok(elapsed < 2250 + 750, `elapsed ${elapsed} ms`);
  });

  test('createSession is retried too (503 once → 2 requests, one session)', async () => {
    s.inject({ method: 'POST', status: 503, headers: FAST });
    const r = await client.oauth.createSession({ integrationType: 'gmail' });
    assert.equal(s.requests.length, 2);
    assert.equal(s.requests[1].body, s.requests[0].body, 'the same body is sent again');
    assert.equal(s.requests[1].headers.authorization, `Bearer ${KEY}`);
    assert.ok(s.sessions.has(r.session_id));
  });

  for (const status of [408, 409, 429, 500, 502, 503, 504]) {
    test(`${status} is retried`, async () => {
      const id = await session();
      s.inject({ status, headers: FAST });
      const r = await client.oauth.getSession(id);
      assert.equal(r.status, 'pending');
      assert.equal(s.requests.length, 2);
    });
  }

  for (const status of [400, 401, 403, 404, 405, 422, 501]) {
    // 501 is >= 500 but not in the retry list.
    test(`${status} is not retried`, async () => {
      s.inject({ status, headers: FAST, times: 5 });
      const err = await caught(() => client.oauth.getSession('a'.repeat(32)));
      assert.ok(err instanceof APIError, `got ${err?.constructor?.name}`);
      assert.equal(err.status, status);
      await sleep(20);
      assert.equal(s.requests.length, 1);
      s.clearFaults();
    });
  }

  test('real 404 (unknown session) is not retried', async () => {
    await rejectsExactly(client.oauth.getSession('b'.repeat(32)), NotFoundError, 'session not found');
    assert.equal(s.requests.length, 1);
  });

  test('real 400 (unknown integration) is not retried', async () => {
    await rejectsExactly(client.oauth.createSession({ integrationType: 'dropbox' }), APIError, 'integration dropbox does not use OAuth');
    assert.equal(s.requests.length, 1);
  });

  test('maxRetries 0 → 1 request', async () => {
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, maxRetries: 0 });
    s.inject({ status: 503, headers: FAST, times: 5 });
    await rejectsExactly(c.oauth.getSession('a'.repeat(32)), InternalServerError, 'service unavailable');
    await sleep(20);
    assert.equal(s.requests.length, 1);
  });

  test('maxRetries 10 → 11 requests', async () => {
    s.inject({ status: 502, headers: FAST, times: 20 });
    await rejectsExactly(client.oauth.getSession('a'.repeat(32), { maxRetries: 10 }), InternalServerError, 'bad gateway');
    assert.equal(s.requests.length, 11);
    s.clearFaults();
  });

  test('exhausted retries reject with the last error', async () => {
    s.inject({ status: 503, headers: FAST, body: { success: false, error: 'first' } });
    s.inject({ status: 503, headers: FAST, body: { success: false, error: 'second' } });
    s.inject({ status: 429, headers: FAST, body: { success: false, error: 'third' } });
    const err = await caught(() => client.oauth.getSession('a'.repeat(32)));
    assertExactly(err, RateLimitError, 'third');
    assert.equal(s.requests.length, 3);
  });

  test('a timeout is not retried', async () => {
    s.inject({ hang: true, times: 5 });
    const { err, elapsed } = await caughtTimed(() => client.oauth.getSession('a'.repeat(32), { timeout: 200 }));
    assertExactly(err, APIConnectionTimeoutError, 'Request timed out');
    assert.ok(elapsed < 200 + 2000, `settled after ${elapsed} ms`); // wide for a loaded 2-core machine; the request count is the check
    assert.equal(s.requests.length, 1);
    await sleep(100);
    assert.equal(s.requests.length, 1, 'nothing is retried in the background');
  });

  test('a cancellation is not retried', async () => {
    s.inject({ hang: true, times: 5 });
    const ac = new AbortController();
    const p = caught(() => client.oauth.getSession('a'.repeat(32), { signal: ac.signal }));
    await waitFor(() => s.requests.length === 1, 2000, 'the request');
    ac.abort();
    assertExactly(await p, AirstoreError, 'Request was cancelled');
    await sleep(100);
    assert.equal(s.requests.length, 1);
  });

  test('a connection reset before the headers is retried, then succeeds', async () => {
    s.inject({ method: 'POST', reset: 'before-headers' });
    const r = await client.oauth.createSession({ integrationType: 'gmail' });
    assert.ok(s.sessions.has(r.session_id));
    assert.equal(s.requests.length, 2);
  });

  test('a connection reset before the headers, every time → 3 requests, then APIConnectionError', async () => {
    s.inject({ method: 'POST', reset: 'before-headers', times: 10 });
    const err = await caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
    assertExactly(err, APIConnectionError);
    assert.ok(err.cause !== undefined);
    assert.equal(s.requests.length, 3);
    s.clearFaults();
  });
});

describe('retry-after', () => {
  test('retry-after-ms: 50 is honoured (well below the 500 ms default backoff)', async () => {
    const id = await session();
    s.inject({ status: 503, headers: { 'retry-after-ms': '50' } });
    // The wait the package asked for is read from its timers (the backoff would
    // be one of 500–750 ms), not raced
    // against the 500 ms backoff on the clock.
    const { value: { value, elapsed }, delays } = await recordTimers(() => timed(() => client.oauth.getSession(id)));
    assert.equal(value.status, 'pending');
    assert.equal(s.requests.length, 2);
    const gap = s.requests[1].at - s.requests[0].at;
    assert.ok(gap >= 45, `retried after ${gap} ms, before the 50 ms asked`);
    assert.ok(delays.includes(50) && !delays.some((d) => d >= 500 && d <= 750), `timers asked for: ${delays}: retry-after-ms was ignored`);
    assert.ok(elapsed < 3000, `elapsed ${elapsed} ms`);
  });

  test('retry-after: 0 is honoured', async () => {
    const id = await session();
    s.inject({ status: 429, headers: { 'retry-after': '0' } });
    const { value: { elapsed }, delays } = await recordTimers(() => timed(() => client.oauth.getSession(id)));
    assert.equal(s.requests.length, 2);
    assert.ok(!delays.some((d) => d >= 500 && d <= 750), `timers asked for: ${delays}: retry-after: 0 was ignored`);
    assert.ok(elapsed < 3000, `elapsed ${elapsed} ms`);
  });

  test('retry-after-ms wins over retry-after', async () => {
    const id = await session();
    s.inject({ status: 503, headers: { 'retry-after-ms': '20', 'retry-after': '5' } });
    const { value: { elapsed }, delays } = await recordTimers(() => timed(() => client.oauth.getSession(id)));
    assert.equal(s.requests.length, 2);
    assert.ok(delays.includes(20) && !delays.includes(5000), `timers asked for: ${delays}`);
    assert.ok(elapsed < 3000, `elapsed ${elapsed} ms`); // the alternative: 5 s
  });

  test('retry-after: 1 (seconds) waits about 1000 ms', async () => {
    const id = await session();
    s.inject({ status: 429, headers: { 'retry-after': '1' } });
    const { elapsed } = await timed(() => client.oauth.getSession(id));
    assert.equal(s.requests.length, 2);
    const gap = s.requests[1].at - s.requests[0].at;
    assert.ok(gap >= 950, `retried after ${gap} ms (elapsed ${elapsed}), expected about 1000`);
    assert.ok(elapsed < 4000, `elapsed ${elapsed} ms`); // wide for a loaded 2-core machine
  });

  test('retry-after above 1000 is milliseconds (1200 → about 1.2 s, not 20 minutes)', async () => {
    const id = await session();
    s.inject({ status: 503, headers: { 'retry-after': '1200' } });
    const { elapsed } = await timed(() => client.oauth.getSession(id));
    assert.equal(s.requests.length, 2);
    const gap = s.requests[1].at - s.requests[0].at;
    assert.ok(gap >= 1150, `retried after ${gap} ms`);
    assert.ok(elapsed < 4500, `elapsed ${elapsed} ms`); // wide for a loaded 2-core machine; 20 minutes is the alternative
  });

  test('retry-after on a 429 with maxRetries 0 is not waited for', async () => {
    s.inject({ status: 429, headers: { 'retry-after': '30' } });
    const { err, elapsed } = await caughtTimed(() => client.oauth.getSession('a'.repeat(32), { maxRetries: 0 }));
    assertExactly(err, RateLimitError);
    assert.ok(elapsed < 5000, `elapsed ${elapsed} ms`); // the alternative: the 30 s retry-after
    assert.equal(s.requests.length, 1);
    assert.equal(err.headers.get('retry-after'), '30');
  });
});
