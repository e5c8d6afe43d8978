// The fault matrix, through the stand-in: for each fault the error class,
// the number of attempts (requests the server saw, or fetch calls where no
// server is there) and an upper bound on the time it takes. Nothing hangs,
// and every message is readable.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import Airstore, {
  AirstoreError,
  APIError,
  RateLimitError,
  InternalServerError,
  NotFoundError,
  AuthenticationError,
  PermissionDeniedError,
  ConflictError,
  UnprocessableEntityError,
  APIConnectionError,
  APIConnectionTimeoutError,
} from '../../pkg/dist/node.mjs';
import {
  startStandin, KEY, SESSIONS_PATH, sleep, caught, caughtTimed, assertExactly, assertReadable,
  deadPort, spyFetch, recordTimers, waitFor,
} from './shared.mjs';

let s;
let client; // default retries (2), a generous timeout
before(async () => {
  s = await startStandin();
  client = new Airstore({ apiKey: KEY, baseURL: s.baseURL, timeout: 5000 });
});
after(() => s.close());
beforeEach(() => s.reset());

const ID = 'a'.repeat(32);
const GET_PATH = `${SESSIONS_PATH}/${ID}`;
const gets = () => s.requests.filter((r) => r.method === 'GET').length;
const posts = () => s.requests.filter((r) => r.method === 'POST').length;

/** Default backoff before retries 1 and 2: 500–750 ms and 1000–1500 ms. */
// The max leaves 2.5 s for a loaded 2-core machine: only the lower bound tells
// the backoff from none, and upper bounds only tell a settled call from a hang.
const BACKOFF_2 = { min: 1450, max: 2250 + 2500 };
const BACKOFF_1 = { min: 480, max: 750 + 2500 };

describe('transport faults', () => {
  test('connection refused: APIConnectionError after 3 attempts, with the backoff between them', { timeout: 10_000 }, async () => {
    const port = await deadPort();
    const dead = new Airstore({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/api/v1` });
    const spy = spyFetch();
    try {
      const { err, elapsed } = await caughtTimed(() => dead.oauth.getSession(ID));
      assertExactly(err, APIConnectionError, /^Connection error: .*ECONNREFUSED/);
      assertReadable(err);
      assert.ok(err.cause instanceof Error, 'cause holds the runtime error');
      assert.equal(spy.calls.length, 3, 'attempts');
      assert.ok(elapsed >= BACKOFF_2.min && elapsed < BACKOFF_2.max, `elapsed ${Math.round(elapsed)} ms`);
    } finally {
      spy.restore();
    }
  });

  test('connection refused with maxRetries 0: one attempt, at once', async () => {
    const port = await deadPort();
    const dead = new Airstore({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/api/v1`, maxRetries: 0 });
    const spy = spyFetch();
    try {
      const { err, elapsed } = await caughtTimed(() => dead.oauth.createSession({ integrationType: 'gmail' }));
      assertExactly(err, APIConnectionError);
      assert.equal(spy.calls.length, 1);
      assert.ok(elapsed < 3000, `elapsed ${Math.round(elapsed)} ms`);
    } finally {
      spy.restore();
    }
  });

  test('reset before headers, every time: APIConnectionError after maxRetries + 1 attempts', { timeout: 10_000 }, async () => {
    s.inject({ method: 'GET', reset: 'before-headers', times: 10 });
    const { err, elapsed } = await caughtTimed(() => client.oauth.getSession(ID, { maxRetries: 1 }));
    assertExactly(err, APIConnectionError, /^Connection error: /);
    assertReadable(err);
    assert.equal(gets(), 2, 'attempts');
    assert.ok(elapsed >= BACKOFF_1.min && elapsed < BACKOFF_1.max, `elapsed ${Math.round(elapsed)} ms`);
  });

  test('reset before headers once: the retry succeeds', { timeout: 10_000 }, async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    s.inject({ method: 'GET', reset: 'before-headers' });
    const status = await client.oauth.getSession(id);
    assert.equal(status.status, 'pending');
    assert.equal(gets(), 2);
  });

  test('reset after headers (body cut short): APIConnectionError after retries', { timeout: 10_000 }, async () => {
    s.inject({ method: 'POST', reset: 'after-headers', times: 10 });
    const { err, elapsed } = await caughtTimed(() => client.oauth.createSession({ integrationType: 'gmail' }, { maxRetries: 1 }));
    assertExactly(err, APIConnectionError, /^Connection error: /);
    assertReadable(err);
    assert.equal(posts(), 2, 'attempts');
    assert.ok(elapsed >= BACKOFF_1.min && elapsed < BACKOFF_1.max, `elapsed ${Math.round(elapsed)} ms`);
  });

  test('no answer at all (hang), timeout 300: APIConnectionTimeoutError, not retried', { timeout: 10_000 }, async () => {
    s.inject({ method: 'GET', hang: true, times: 10 });
    const { err, elapsed } = await caughtTimed(() => client.oauth.getSession(ID, { timeout: 300 }));
    assertExactly(err, APIConnectionTimeoutError, 'Request timed out');
    assertReadable(err);
    assert.ok(err instanceof APIConnectionError);
    assert.equal(gets(), 1, 'a timeout is not retried');
    assert.ok(elapsed >= 290 && elapsed < 3000, `elapsed ${Math.round(elapsed)} ms`);
  });

  test('headers then a stalled body, timeout 300: APIConnectionTimeoutError (the timer covers the body)', { timeout: 10_000 }, async () => {
    s.inject({ method: 'GET', stallBody: true, times: 10 });
    const { err, elapsed } = await caughtTimed(() => client.oauth.getSession(ID, { timeout: 300 }));
    assertExactly(err, APIConnectionTimeoutError, 'Request timed out');
    assert.equal(gets(), 1);
    assert.ok(elapsed >= 290 && elapsed < 3000, `elapsed ${Math.round(elapsed)} ms`);
  });

  test('a client-level timeout applies the same way (createSession, stalled body)', { timeout: 10_000 }, async () => {
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, timeout: 300 });
    s.inject({ method: 'POST', stallBody: true, times: 10 });
    const { err, elapsed } = await caughtTimed(() => c.oauth.createSession({ integrationType: 'gmail' }));
    assertExactly(err, APIConnectionTimeoutError);
    assert.equal(posts(), 1);
    assert.ok(elapsed < 3000, `elapsed ${Math.round(elapsed)} ms`);
  });

  test('poll settles at its deadline while a request hangs', { timeout: 10_000 }, async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    s.inject({ method: 'GET', hang: true, times: 10 });
    const { err, elapsed } = await caughtTimed(() => client.oauth.poll(id, { timeout: 400, interval: 50 }));
    assertExactly(err, AirstoreError, 'OAuth session timed out after 400ms');
    assert.ok(elapsed >= 390 && elapsed < 3000, `elapsed ${Math.round(elapsed)} ms`);
  });
});

describe('answers that are not the documented JSON', () => {
  test('malformed JSON on a 2xx: AirstoreError, not retried', async () => {
    s.inject({ method: 'GET', status: 200, malformedJson: true, times: 10 });
    const err = await caught(() => client.oauth.getSession(ID));
    assertExactly(err, AirstoreError, 'Airstore answered 200 with a body that is not JSON; expected a JSON envelope');
    assertReadable(err);
    assert.equal(gets(), 1);
    s.inject({ method: 'POST', status: 201, malformedJson: true, times: 10 });
    const err2 = await caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
    assertExactly(err2, AirstoreError, 'Airstore answered 201 with a body that is not JSON; expected a JSON envelope');
    assert.equal(posts(), 1);
  });

  test('an HTML page on a 502 from a proxy: retried, then InternalServerError "Request failed with status 502"', { timeout: 10_000 }, async () => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
    s.inject({ method: 'GET', status: 502, headers: { 'content-type': 'text/html' }, body: html, times: 10 });
    const { err, elapsed } = await caughtTimed(() => client.oauth.getSession(ID));
    assertExactly(err, InternalServerError, 'Request failed with status 502');
    assertReadable(err);
    assert.equal(err.status, 502);
    assert.ok(err.headers instanceof Headers);
    assert.equal(err.headers.get('content-type'), 'text/html');
    assert.match(err.requestId, /^req_/);
    assert.equal(gets(), 3, 'three attempts (maxRetries 2)');
    assert.ok(elapsed >= BACKOFF_2.min && elapsed < BACKOFF_2.max, `elapsed ${Math.round(elapsed)} ms`);
  });

  test('an HTML 404 page: NotFoundError "Request failed with status 404", not retried', async () => {
    s.inject({ method: 'GET', status: 404, headers: { 'content-type': 'text/html' }, body: '<h1>Not Found</h1>' });
    const err = await caught(() => client.oauth.getSession(ID));
    assertExactly(err, NotFoundError, 'Request failed with status 404');
    assert.equal(gets(), 1);
  });

  test('a status outside pending/complete/error: AirstoreError naming data.status', async () => {
    s.inject({ method: 'GET', status: 200, body: { success: true, data: { status: 'done' } } });
    const err = await caught(() => client.oauth.getSession(ID));
    assertExactly(err, AirstoreError);
    assertReadable(err);
    assert.match(err.message, /data\.status/);
    assert.match(err.message, /'done'/);
    assert.equal(gets(), 1);
  });

  test('a non-string session_id: AirstoreError naming data.session_id', async () => {
    for (const bad of [12345, 0, null, ['a'], { id: 'x' }, true, false]) {
      s.reset();
      s.inject({ method: 'POST', status: 201, body: { success: true, data: { session_id: bad, authorize_url: 'https://x.example/a' } } });
      const err = await caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
      assertExactly(err, AirstoreError);
      assertReadable(err);
      assert.match(err.message, /data\.session_id/, `session_id ${JSON.stringify(bad)}: ${err.message}`);
      assert.equal(posts(), 1, 'a bad 2xx is not retried');
    }
  });

  test('fields of the wrong type in a status: AirstoreError naming the field and what it is', async () => {
    for (const [data, said] of [
      [{ status: 7 }, 'data.status is a number'],
      [{ status: 'complete', connection_id: 42 }, 'data.connection_id is a number'],
      [{ status: 'error', error: { code: 1 } }, 'data.error is an object'],
      // 0 and false are values too: never read as a missing field.
      [{ status: 0 }, 'data.status is a number'],
      [{ status: 'complete', connection_id: 0 }, 'data.connection_id is a number'],
      [{ status: 'pending', error: false }, 'data.error is a boolean'],
    ]) {
      s.inject({ method: 'GET', status: 200, body: { success: true, data } });
      const err = await caught(() => client.oauth.getSession(ID));
      assertExactly(err, AirstoreError);
      assert.ok(err.message.includes(said), `${said}: ${err.message}`);
    }
  });

  test('an empty body on 200: AirstoreError', async () => {
    s.inject({ method: 'GET', status: 200, body: '' });
    const err = await caught(() => client.oauth.getSession(ID));
    assertExactly(err, AirstoreError, 'Airstore answered 200 with an empty body; expected a JSON envelope');
    assertReadable(err);
    assert.equal(gets(), 1);
  });

  test('JSON that is not an object (null, an array, a number) on 200: AirstoreError', async () => {
    for (const body of ['null', '[]', '42', '"pending"']) {
      s.inject({ method: 'GET', status: 200, body });
      const err = await caught(() => client.oauth.getSession(ID));
      assertExactly(err, AirstoreError);
      assertReadable(err);
    }
  });

  test('a 10 MB body is refused as a connection error naming the 1 MiB cap, sent once, and the client still works', { timeout: 20_000 }, async () => {
    const pad = 'x'.repeat(10 * 1024 * 1024);
    s.inject({ method: 'GET', status: 500, body: JSON.stringify({ success: false, error: pad }) });
    const before = s.requests.length;
    const rssBefore = process.memoryUsage().rss;
    const err = await caught(() => client.oauth.getSession(ID));
    assertExactly(err, APIConnectionError, 'Connection error: the response body is larger than 1048576 bytes, the most this client reads');
    assertReadable(err);
    assert.equal(s.requests.length - before, 1, 'an oversized answer is not asked for again');
    // Not held: far less than the 10 MB body (and its UTF-16 copies) in memory.
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, 'rss grew by less than 64 MB');
    assertExactly(await caught(() => client.oauth.getSession(ID)), NotFoundError, 'session not found');
  });

  test('a long error message is shortened to 1,000 characters and an ellipsis', async () => {
    s.inject({ method: 'GET', status: 400, body: JSON.stringify({ success: false, error: 'e'.repeat(50_000) }) });
    const err = await caught(() => client.oauth.getSession(ID));
    assertExactly(err, APIError, `${'e'.repeat(1000)}…`);
  });
});

describe('redirects', () => {
  test('a 302 to another path is not followed: APIError 302 in Node, and the target sees nothing', async () => {
    const target = `${SESSIONS_PATH}/redirected-here`;
    s.inject({ method: 'GET', redirect: `${s.url}${target}` });
    const err = await caught(() => client.oauth.getSession(ID));
    // README: "an APIConnectionError in browsers and an APIError of its 3xx status elsewhere".
    assertExactly(err, APIError, 'Request failed with status 302');
    assertReadable(err);
    assert.equal(err.status, 302);
    assert.equal(err.headers.get('location'), `${s.url}${target}`);
    await sleep(50);
    assert.deepEqual(s.requests.map((r) => r.path), [GET_PATH], 'one request, none to the redirect target');
  });

  test('a 307 on the POST, to another origin: not followed, no request there', async () => {
    const other = await startStandin();
    try {
      s.inject({ method: 'POST', status: 307, redirect: `${other.baseURL}/oauth/sessions` });
      const err = await caught(() => client.oauth.createSession({ integrationType: 'gmail' }));
      assertExactly(err, APIError, 'Request failed with status 307');
      await sleep(50);
      assert.equal(other.requests.length, 0, 'the other origin received nothing');
      assert.equal(posts(), 1, 'a 3xx is not retried');
    } finally {
      await other.close();
    }
  });
});

describe('retry-after', () => {
  /** A 429 with `headers` once, then the real answer; returns the time taken and the timers the package asked for. */
  async function afterRateLimit(headers) {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    s.requests.length = 0;
    s.inject({ method: 'GET', status: 429, headers });
    const { value, delays } = await recordTimers(async () => {
      const start = performance.now();
      const status = await client.oauth.getSession(id);
      return { status, elapsed: performance.now() - start };
    });
    assert.equal(value.status.status, 'pending', 'the retry got the answer');
    assert.equal(gets(), 2, 'one retry');
    const gap = s.requests[1].at - s.requests[0].at;
    // The request timeout (5000) is one of the timers; the others are the retry wait.
    return { ...value, gap, waits: delays.filter((d) => d !== 5000) };
  }

  test('retry-after: 1 (seconds) waits about 1 s', { timeout: 10_000 }, async () => {
    const { elapsed, gap, waits } = await afterRateLimit({ 'retry-after': '1' });
    assert.ok(waits.includes(1000), `timers asked for: ${waits}`);
    assert.ok(gap >= 980 && elapsed < 4000, `gap ${gap} ms, elapsed ${Math.round(elapsed)} ms`);
  });

  test('retry-after-ms: 100 waits about 100 ms (not the 500 ms backoff)', { timeout: 10_000 }, async () => {
    const { elapsed, gap, waits } = await afterRateLimit({ 'retry-after-ms': '100' });
    assert.ok(waits.includes(100), `timers asked for: ${waits}`);
    // Not the backoff: read from the timers asked for, not raced on the clock
    // (the elapsed bound is only against a hang, wide for a loaded 2-core machine).
    assert.ok(!waits.some((w) => w >= 500 && w <= 750), `timers asked for: ${waits}`); // the backoff is 500–750 ms
    assert.ok(gap >= 95 && elapsed < 3000, `gap ${gap} ms, elapsed ${Math.round(elapsed)} ms`);
  });

  test('retry-after as an HTTP date 2 s ahead waits until then (1–2 s: the date has whole seconds)', { timeout: 10_000 }, async () => {
    const when = new Date(Date.now() + 2000).toUTCString();
    const { elapsed, gap, waits } = await afterRateLimit({ 'retry-after': when });
    assert.ok(waits.some((d) => d > 900 && d <= 2000), `timers asked for: ${waits}`);
    assert.ok(gap >= 900 && elapsed < 4500, `gap ${gap} ms, elapsed ${Math.round(elapsed)} ms`);
  });

  test('a negative retry-after falls back to the backoff (500–750 ms)', { timeout: 10_000 }, async () => {
    for (const headers of [{ 'retry-after': '-1' }, { 'retry-after-ms': '-100' }, { 'retry-after': 'soon' }]) {
      const { elapsed, gap, waits } = await afterRateLimit(headers);
      assert.ok(waits.some((d) => d >= 500 && d <= 750), `${JSON.stringify(headers)}: timers asked for: ${waits}`);
      assert.ok(gap >= 480 && elapsed < 3500, `${JSON.stringify(headers)}: gap ${gap} ms, elapsed ${Math.round(elapsed)} ms`);
    }
  });

  test('retry-after: 999999999 is capped at 60 s: a wait is in progress, and a signal ends it at once', { timeout: 10_000 }, async () => {
    s.inject({ method: 'GET', status: 429, headers: { 'retry-after': '999999999' } });
    const ac = new AbortController();
    const { value: err, delays } = await recordTimers(async () => {
      const pending = caught(() => client.oauth.getSession(ID, { signal: ac.signal }));
      await sleep(300);
      assert.equal(gets(), 1, 'one attempt so far: waiting before the retry');
      const start = performance.now();
      ac.abort();
      const e = await pending;
      assert.ok(performance.now() - start < 1000, 'the abort ended the wait at once'); // the alternative: 60 s
      return e;
    });
    assertExactly(err, AirstoreError, 'Request was cancelled');
    assert.ok(delays.includes(60_000), `the wait asked for is 60 s (timers: ${delays})`);
    assert.ok(!delays.some((d) => d > 60_000), `no timer beyond 60 s (timers: ${delays})`);
    await sleep(50);
    assert.equal(gets(), 1, 'no retry after the cancel');
  });

  test('retry-after: 999999999 inside a poll: the poll still settles at its deadline', { timeout: 10_000 }, async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    s.inject({ method: 'GET', status: 429, headers: { 'retry-after': '999999999' } });
    const { err, elapsed } = await caughtTimed(() => client.oauth.poll(id, { timeout: 500, interval: 50 }));
    assertExactly(err, AirstoreError, 'OAuth session timed out after 500ms');
    assert.ok(elapsed >= 490 && elapsed < 3000, `elapsed ${Math.round(elapsed)} ms`);
  });

  test('a 429 with no retries left: RateLimitError with the message of the body', async () => {
    s.inject({ method: 'GET', status: 429, headers: { 'retry-after': '999999999' }, body: { success: false, error: 'slow down' } });
    const { err, elapsed } = await caughtTimed(() => client.oauth.getSession(ID, { maxRetries: 0 }));
    assertExactly(err, RateLimitError, 'slow down');
    assert.equal(err.headers.get('retry-after'), '999999999');
    assert.ok(elapsed < 3000); // the alternative: the 999999999 retry-after, capped at 60 s
  });
});

describe('which answers are retried', () => {
  const RETRIED = [[408, APIError], [409, ConflictError], [429, RateLimitError], [500, InternalServerError], [502, InternalServerError], [503, InternalServerError], [504, InternalServerError]];
  const FINAL = [[400, APIError], [401, AuthenticationError], [403, PermissionDeniedError], [404, NotFoundError], [405, APIError], [418, APIError], [422, UnprocessableEntityError], [501, InternalServerError], [505, InternalServerError]];

  test('408, 409, 429, 500, 502, 503, 504: retried up to maxRetries, then the error of the status', { timeout: 10_000 }, async () => {
    for (const [status, Cls] of RETRIED) {
      s.reset();
      s.inject({ method: 'GET', status, headers: { 'retry-after-ms': '1' }, times: 10 });
      const err = await caught(() => client.oauth.getSession(ID, { maxRetries: 2 }));
      assertExactly(err, Cls);
      assert.equal(err.status, status);
      assert.equal(gets(), 3, `${status}: attempts`);
    }
  });

  test('any other status is final at once', async () => {
    for (const [status, Cls] of FINAL) {
      s.reset();
      s.inject({ method: 'GET', status, headers: { 'retry-after-ms': '1' }, times: 10 });
      const err = await caught(() => client.oauth.getSession(ID, { maxRetries: 2 }));
      assertExactly(err, Cls);
      assertReadable(err);
      assert.equal(err.status, status);
      assert.equal(gets(), 1, `${status}: attempts`);
    }
  });

  test('the backoff doubles from 500 ms with up to 50 % jitter and is capped at 8 s (timers time-warped)', { timeout: 10_000 }, async () => {
    // The package's own setTimeout calls (from its glue, pkg/dist/node.cjs)
    // are recorded and made to fire at once; no one waits 23 s.
    const port = await deadPort();
    const dead = new Airstore({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/api/v1`, timeout: 30_000, maxRetries: 6 });
    const original = globalThis.setTimeout;
    const asked = [];
    globalThis.setTimeout = function warped(cb, ms, ...args) {
      const fromPackage = /pkg[\\/]dist[\\/]node\.cjs/.test(new Error().stack);
      if (fromPackage && ms !== 30_000) {
        asked.push(ms);
        return original.call(this, cb, 0, ...args);
      }
      return original.call(this, cb, ms, ...args);
    };
    let err;
    const start = performance.now();
    try {
      err = await caught(() => dead.oauth.getSession(ID));
    } finally {
      globalThis.setTimeout = original;
    }
    assertExactly(err, APIConnectionError);
    assert.ok(performance.now() - start < 3000, 'the warp worked');
    const ranges = [[500, 750], [1000, 1500], [2000, 3000], [4000, 6000], [8000, 8000], [8000, 8000]];
    assert.equal(asked.length, ranges.length, `waits asked for: ${asked}`);
    asked.forEach((ms, i) => assert.ok(ms >= ranges[i][0] && ms <= ranges[i][1], `wait before retry ${i + 1}: ${ms} ms, expected ${ranges[i]} (all: ${asked})`));
  });
});

describe('cancellation', () => {
  test('an already-aborted signal sends nothing', async () => {
    const spy = spyFetch();
    try {
      for (const call of [
        () => client.oauth.getSession(ID, { signal: AbortSignal.abort() }),
        () => client.oauth.createSession({ integrationType: 'gmail' }, { signal: AbortSignal.abort() }),
        () => client.oauth.poll(ID, { signal: AbortSignal.abort() }),
        () => client.oauth.poll(ID, {}, { signal: AbortSignal.abort() }),
      ]) {
        const err = await caught(call);
        assertExactly(err, AirstoreError, 'Request was cancelled');
      }
      assert.equal(spy.calls.length, 0);
      await sleep(20);
      assert.equal(s.requests.length, 0);
    } finally {
      spy.restore();
    }
  });

  test('an abort during a request ends it at once; its reason is the cause; the fetch is aborted too', { timeout: 10_000 }, async () => {
    s.inject({ method: 'GET', hang: true });
    const spy = spyFetch();
    const ac = new AbortController();
    try {
      const pending = caught(() => client.oauth.getSession(ID, { signal: ac.signal }));
      await waitFor(() => gets() === 1, 2000, 'the request to arrive');
      const reason = new Error('user navigated away');
      const start = performance.now();
      ac.abort(reason);
      const err = await pending;
      assert.ok(performance.now() - start < 1000, 'at once'); // the alternative: the 5 s timeout
      assertExactly(err, AirstoreError, 'Request was cancelled');
      assert.equal(err.cause, reason);
      assert.equal(spy.calls.length, 1);
      assert.equal(spy.calls[0].signal.aborted, true, 'the fetch itself was aborted');
      assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'no listener left on the signal');
    } finally {
      spy.restore();
    }
  });

  test('an abort during a poll wait ends it at once; pollOpts.signal wins over options.signal', { timeout: 10_000 }, async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    const mine = new AbortController();
    const other = new AbortController();
    const pending = caught(() => client.oauth.poll(id, { interval: 5000, timeout: 60_000, signal: mine.signal }, { signal: other.signal }));
    await waitFor(() => gets() === 1, 2000, 'the first check');
    await sleep(100);
    other.abort(); // ignored: pollOpts.signal wins
    await sleep(100);
    const start = performance.now();
    mine.abort();
    const err = await pending;
    assert.ok(performance.now() - start < 1000, 'at once'); // the alternative: the 5 s interval
    assertExactly(err, AirstoreError, 'Request was cancelled');
    assert.equal(gets(), 1, 'no more checks');
    assert.equal(getEventListeners(mine.signal, 'abort').length, 0, 'no listener left on pollOpts.signal');
    assert.equal(getEventListeners(other.signal, 'abort').length, 0, 'no listener left on options.signal');
  });

  test('no listener stays on the signal after calls that succeed, fail or time out', { timeout: 10_000 }, async () => {
    const ac = new AbortController();
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' }, { signal: ac.signal });
    await client.oauth.getSession(id, { signal: ac.signal });
    await caught(() => client.oauth.getSession(ID, { signal: ac.signal }));
    s.inject({ method: 'GET', status: 503, headers: { 'retry-after-ms': '5' } });
    await client.oauth.getSession(id, { signal: ac.signal });
    s.inject({ method: 'GET', hang: true });
    await caught(() => client.oauth.getSession(id, { signal: ac.signal, timeout: 100 }));
    await caught(() => client.oauth.poll(id, { timeout: 100, interval: 20, signal: ac.signal }));
    s.complete(id);
    await client.oauth.poll(id, { interval: 20, signal: ac.signal });
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  });
});

describe('deadlines', () => {
  test('a request still in flight at the poll deadline is aborted, and no timer is left', { timeout: 10_000 }, async () => {
    const { session_id: id } = await client.oauth.createSession({ integrationType: 'gmail' });
    const slow = new Airstore({ apiKey: KEY, baseURL: s.baseURL }); // the default 60 s request timeout
    s.inject({ method: 'GET', hang: true });
    const spy = spyFetch();
    try {
      const { err, elapsed } = await caughtTimed(() => slow.oauth.poll(id, { timeout: 300, interval: 50 }));
      assertExactly(err, AirstoreError, 'OAuth session timed out after 300ms');
      assert.ok(elapsed < 3000, `elapsed ${Math.round(elapsed)} ms`);
      assert.equal(spy.calls.length, 1);
      assert.equal(spy.calls[0].signal.aborted, true, 'the hung fetch was aborted at the deadline');
    } finally {
      spy.restore();
    }
    await sleep(20);
    const timeouts = process.getActiveResourcesInfo().filter((r) => r === 'Timeout');
    assert.equal(timeouts.length, 0, 'the 60 s request timer was cleared');
  });
});

describe('nothing is left behind', () => {
  test('after all these faults no timer of the package is still pending', { timeout: 10_000 }, async () => {
    // Let connection-level leftovers close; our own timers are all cleared.
    await sleep(100);
    await waitFor(() => !process.getActiveResourcesInfo().includes('Timeout'), 3000, 'no active Timeout');
  });
});

describe('headers that Node\'s fetch itself refuses', () => {
  // The package checks header names (HTTP token) and values (no CR/LF/NUL,
  // Latin-1), but Node's fetch (undici) refuses more: some names outright
  // and control characters other than tab in values. README: "Bad input ...
  // rejects with an AirstoreError naming the field, sends nothing" and
  // "Never retried: ... a 2xx whose body is not the documented JSON"; a
  // refusal that can only repeat should not be retried with backoff.
  const CASES = [
    { expect: '100-continue' },
    { connection: 'upgrade' },
    { 'transfer-encoding': 'chunked' },
    { 'keep-alive': 'timeout=5' },
    { upgrade: 'websocket' },
    { 'x-trace': 'a\x7fb' },
    { 'x-trace': 'a\x01b' },
  ];
  test('are refused at once naming options.headers, not sent as network failures and retried', { timeout: 30_000 }, async () => {
    const problems = [];
    for (const headers of CASES) {
      const spy = spyFetch();
      let err;
      let elapsed;
      try {
        ({ err, elapsed } = await caughtTimed(() => client.oauth.getSession(ID, { headers, maxRetries: 1 })));
      } finally {
        spy.restore();
      }
      assert.ok(err instanceof AirstoreError, `${JSON.stringify(headers)}: ${err?.constructor?.name}`);
      // 2 s: refused before any fetch takes microseconds; the fetch count is the real check.
      if (err.constructor !== AirstoreError || !/^options\.headers/.test(err.message) || spy.calls.length > 1 || elapsed > 2000) {
        problems.push(`${JSON.stringify(headers).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)} -> ${err.constructor.name}: "${err.message}" after ${spy.calls.length} fetch call(s), ${Math.round(elapsed)} ms`);
      }
    }
    assert.deepEqual(problems, [], `headers Node's fetch refuses:\n${problems.join('\n')}`);
  });
});
