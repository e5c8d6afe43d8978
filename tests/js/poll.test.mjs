// poll(): completion, failure, timeout, onStatus, cancellation, 404 mid-poll.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import Airstore, {
  AirstoreError,
  APIError,
  NotFoundError,
  APIConnectionError,
} from '../../pkg/dist/node.mjs';
import { startStandin, KEY, SESSIONS_PATH, caught, caughtTimed, timed, assertExactly, sleep, waitFor } from './helpers.mjs';

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

describe('outcomes', () => {
  test('resolves with connection_id when the session completes mid-poll', async () => {
    const id = await session();
    const timer = setTimeout(() => s.complete(id, 'conn_xyz789'), 200);
    try {
      const r = await client.oauth.poll(id, { interval: 50, timeout: 5000 });
      assert.deepEqual({ ...r }, { status: 'complete', connection_id: 'conn_xyz789' });
      assert.deepEqual(Object.keys(r).sort(), ['connection_id', 'status']);
      assert.equal(r.lastResponse.statusCode, 200);
      assert.ok(r.lastResponse.headers instanceof Headers);
      assert.equal(r.lastResponse.requestId, r.lastResponse.headers.get('x-request-id'));
    } finally {
      clearTimeout(timer);
    }
    assert.ok(s.requests.length >= 3, `checked ${s.requests.length} times`);
    for (const req of s.requests) {
      assert.equal(req.method, 'GET');
      assert.equal(req.path, `${SESSIONS_PATH}/${id}`);
    }
    const n = s.requests.length;
    await sleep(150);
    assert.equal(s.requests.length, n, 'no check after the poll resolved');
  });

  test('resolves on the first check when already complete', async () => {
    const id = await session();
    s.complete(id, 'conn_done');
    const { value, elapsed } = await timed(() => client.oauth.poll(id, { interval: 5000 }));
    assert.equal(value.connection_id, 'conn_done');
    assert.equal(s.requests.length, 1);
    assert.ok(elapsed < 3000, `elapsed ${elapsed} ms: the first check is immediate`); // the alternative: the 5 s interval
  });

  test('checks at the interval', async () => {
    const id = await session();
    const timer = setTimeout(() => s.complete(id), 450);
    try {
      await client.oauth.poll(id, { interval: 100, timeout: 5000 });
    } finally {
      clearTimeout(timer);
    }
    // checks at about 0, 100, 200, 300, 400, 500
    assert.ok(s.requests.length >= 4 && s.requests.length <= 7, `${s.requests.length} checks`);
    for (let i = 1; i < s.requests.length; i++) {
      const gap = s.requests[i].at - s.requests[i - 1].at;
      assert.ok(gap >= 90, `gap ${gap} ms between checks ${i} and ${i + 1} is shorter than the interval`);
    }
  });

  test('rejects "OAuth session failed: google: access_denied" after fail()', async () => {
    const id = await session();
    const timer = setTimeout(() => s.fail(id), 150);
    let err;
    try {
      err = await caught(() => client.oauth.poll(id, { interval: 50, timeout: 5000 }));
    } finally {
      clearTimeout(timer);
    }
    assertExactly(err, AirstoreError, 'OAuth session failed: google: access_denied');
    assert.ok(!(err instanceof APIError));
    const n = s.requests.length;
    await sleep(120);
    assert.equal(s.requests.length, n, 'no check after the poll rejected');
  });

  test('rejects "OAuth session failed: unknown error" when the error is missing', async () => {
    s.inject({ method: 'GET', path: SESSIONS_PATH, status: 200, body: { success: true, data: { status: 'error' } } });
    const err = await caught(() => client.oauth.poll('c'.repeat(32), { interval: 50, timeout: 2000 }));
    assertExactly(err, AirstoreError, 'OAuth session failed: unknown error');
  });

  test('rejects "OAuth session failed: unknown error" when the error is empty', async () => {
    s.inject({ method: 'GET', path: SESSIONS_PATH, status: 200, body: { success: true, data: { status: 'error', error: '' } } });
    const err = await caught(() => client.oauth.poll('c'.repeat(32), { interval: 50, timeout: 2000 }));
    assertExactly(err, AirstoreError, 'OAuth session failed: unknown error');
  });

  test('transient 503 during a poll is retried and the poll goes on', async () => {
    const id = await session();
    s.inject({ method: 'GET', status: 503, headers: { 'retry-after-ms': '1' } });
    const timer = setTimeout(() => s.complete(id, 'conn_after_503'), 100);
    try {
      const r = await client.oauth.poll(id, { interval: 40, timeout: 5000 });
      assert.equal(r.connection_id, 'conn_after_503');
    } finally {
      clearTimeout(timer);
    }
  });
});

describe('timeout', () => {
  test('rejects "OAuth session timed out after 300ms" when the session stays pending', async () => {
    const id = await session();
    const { err, elapsed } = await caughtTimed(() => client.oauth.poll(id, { timeout: 300, interval: 50 }));
    assertExactly(err, AirstoreError, 'OAuth session timed out after 300ms');
    assert.ok(!(err instanceof APIConnectionError));
    assert.ok(elapsed >= 290, `settled after ${elapsed} ms, before the timeout`);
    // Upper bounds in this block are +2 s for a loaded 2-core machine; a poll that ignored
    // its deadline would never settle (the session stays pending).
    assert.ok(elapsed < 300 + 2000, `settled after ${elapsed} ms`);
    const n = s.requests.length;
    // At least the first check and one after the 50 ms interval (more when the machine is idle).
    assert.ok(n >= 2, `${n} checks`);
    await sleep(150);
    assert.equal(s.requests.length, n, 'no check after the poll timed out');
  });

  test('settles at the deadline even when a request hangs', async () => {
    const id = await session();
    s.inject({ hang: true, times: 100 });
    const { err, elapsed } = await caughtTimed(() => client.oauth.poll(id, { timeout: 300, interval: 50 }));
    assertExactly(err, AirstoreError, 'OAuth session timed out after 300ms');
    assert.ok(elapsed < 300 + 2000, `settled after ${elapsed} ms`);
    s.clearFaults();
  });

  test('settles at the deadline when interval is larger than the timeout', async () => {
    const id = await session();
    const { err, elapsed } = await caughtTimed(() => client.oauth.poll(id, { timeout: 300, interval: 5000 }));
    assertExactly(err, AirstoreError, 'OAuth session timed out after 300ms');
    assert.ok(elapsed < 300 + 2000, `settled after ${elapsed} ms`);
    assert.ok(elapsed >= 290, `settled after ${elapsed} ms`);
  });

  test('a completion landing just before the deadline is seen (last check at the deadline or not, never late)', async () => {
    const id = await session();
    // Completed 100 ms in, seen by a later check before the 1.5 s deadline: the
    // 1.4 s between them covers a loaded 2-core machine (it was 300 ms, a race under load).
    const timer = setTimeout(() => s.complete(id, 'conn_late'), 100);
    try {
      const { value, elapsed } = await timed(() => client.oauth.poll(id, { timeout: 1500, interval: 150 }));
      assert.equal(value.connection_id, 'conn_late');
      assert.ok(elapsed < 1500 + 2000, `elapsed ${elapsed}`);
    } finally {
      clearTimeout(timer);
    }
  });

  test('settles at the deadline while a check waits out a long retry-after', async () => {
    const id = await session();
    s.inject({ method: 'GET', status: 503, headers: { 'retry-after': '30' }, times: 100 });
    const { err, elapsed } = await caughtTimed(() => client.oauth.poll(id, { timeout: 300, interval: 50 }));
    assertExactly(err, AirstoreError, 'OAuth session timed out after 300ms');
    assert.ok(elapsed < 300 + 2000, `settled after ${elapsed} ms`);
    assert.equal(s.requests.length, 1);
    s.clearFaults();
  });

  test('the default interval is 2000 ms', async () => {
    const id = await session();
    const calls = [];
    const r = await client.oauth.poll(id, {
      onStatus(st, n) {
        calls.push(performance.now());
        if (n === 1) s.complete(id, 'conn_default_interval');
      },
    });
    assert.equal(r.connection_id, 'conn_default_interval');
    assert.equal(calls.length, 2);
    const gap = s.requests[1].at - s.requests[0].at;
    // 4.5 s: room for a loaded 2-core machine; a wrong default (e.g. 5000) is still caught.
    assert.ok(gap >= 1950 && gap < 4500, `second check ${gap} ms after the first`);
  });

  test('a fractional timeout is printed in the message as JavaScript prints it', async () => {
    // CONTRACT §1: AirstoreError("OAuth session timed out after <timeout>ms"), i.e. `${timeout}ms`.
    const id = await session();
    for (const timeout of [80.5, 80.1234, 80.0005]) {
      const err = await caught(() => client.oauth.poll(id, { timeout, interval: 20 }));
      assertExactly(err, AirstoreError, `OAuth session timed out after ${timeout}ms`);
    }
  });

  test('the timeout in the message is the one given', async () => {
    const id = await session();
    const err = await caught(() => client.oauth.poll(id, { timeout: 120, interval: 30 }));
    assertExactly(err, AirstoreError, 'OAuth session timed out after 120ms');
  });
});

describe('onStatus', () => {
  test('called with (status, attempt) after each check', async () => {
    const id = await session();
    const calls = [];
    const r = await client.oauth.poll(id, {
      interval: 30,
      timeout: 5000,
      onStatus(status, attempt) {
        calls.push([{ ...status }, attempt]);
        if (attempt === 2) s.complete(id, 'conn_on_status');
      },
    });
    assert.equal(r.connection_id, 'conn_on_status');
    assert.deepEqual(calls, [
      [{ status: 'pending' }, 1],
      [{ status: 'pending' }, 2],
      [{ status: 'complete', connection_id: 'conn_on_status' }, 3],
    ]);
    assert.equal(s.requests.length, 3);
  });

  test('called for the error status too', async () => {
    const id = await session();
    s.fail(id, 'github: bad_verification_code');
    const calls = [];
    const err = await caught(() => client.oauth.poll(id, { interval: 30, onStatus: (st, n) => calls.push([st.status, st.error, n]) }));
    assertExactly(err, AirstoreError, 'OAuth session failed: github: bad_verification_code');
    assert.deepEqual(calls, [['error', 'github: bad_verification_code', 1]]);
  });

  test('if it throws, the poll rejects and stops', async () => {
    const id = await session();
    const boom = new Error('boom from onStatus');
    const err = await caught(() => client.oauth.poll(id, {
      interval: 30,
      timeout: 5000,
      onStatus(status, attempt) {
        if (attempt === 2) throw boom;
      },
    }));
    assert.ok(!(err instanceof WebAssembly.RuntimeError));
    assert.ok(err === boom || err?.cause === boom, `got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(s.requests.length, 2);
    await sleep(100);
    assert.equal(s.requests.length, 2, 'no check after onStatus threw');
    // The client still works.
    assert.equal((await client.oauth.getSession(id)).status, 'pending');
  });
});

describe('cancellation', () => {
  for (const where of ['pollOpts.signal', 'options.signal']) {
    test(`an AbortSignal (${where}) aborted during the sleep stops at once, no further request`, async () => {
      const id = await session();
      const ac = new AbortController();
      const args = where === 'pollOpts.signal'
        ? [{ interval: 2000, timeout: 10_000, signal: ac.signal }]
        : [{ interval: 2000, timeout: 10_000 }, { signal: ac.signal }];
      const p = caught(() => client.oauth.poll(id, ...args));
      await waitFor(() => s.requests.length === 1, 2000, 'the first check');
      await sleep(100); // now in the sleep
      const abortedAt = performance.now();
      ac.abort();
      const err = await p;
      const afterAbort = performance.now() - abortedAt;
      assertExactly(err, AirstoreError, 'Request was cancelled');
      assert.ok(afterAbort < 1000, `settled ${afterAbort} ms after abort`); // the alternative: the 2 s interval
      await sleep(100);
      assert.equal(s.requests.length, 1, 'no request after the abort');
    });

    test(`an already-aborted signal (${where}) rejects at once with zero requests`, async () => {
      const id = await session();
      const signal = AbortSignal.abort();
      const args = where === 'pollOpts.signal' ? [{ interval: 50, signal }] : [{ interval: 50 }, { signal }];
      const { err, elapsed } = await caughtTimed(() => client.oauth.poll(id, ...args));
      assertExactly(err, AirstoreError, 'Request was cancelled');
      assert.ok(elapsed < 1000, `elapsed ${elapsed} ms`); // zero requests is the real check (below)
      await sleep(50);
      assert.equal(s.requests.length, 0);
    });
  }

  test('an abort during an in-flight check stops at once', async () => {
    const id = await session();
    s.inject({ hang: true, times: 100 });
    const ac = new AbortController();
    const p = caught(() => client.oauth.poll(id, { interval: 50, timeout: 10_000, signal: ac.signal }));
    await waitFor(() => s.requests.length === 1, 2000, 'the first check');
    const abortedAt = performance.now();
    ac.abort();
    const err = await p;
    assertExactly(err, AirstoreError, 'Request was cancelled');
    assert.ok(performance.now() - abortedAt < 1000); // the alternative: the 10 s timeout
    s.clearFaults();
  });
});

describe('session gone mid-poll', () => {
  let s2;
  let c2;
  before(async () => {
    s2 = await startStandin({ completedTtlMs: 50 });
    c2 = new Airstore({ apiKey: KEY, baseURL: s2.baseURL });
  });
  after(() => s2.close());

  test('a 404 mid-poll (completed session deleted while sleeping) rejects NotFoundError saying the session ended', async () => {
    const { session_id: id } = await c2.oauth.createSession({ integrationType: 'gmail' });
    s2.requests.length = 0;
    const statuses = [];
    const err = await caught(() => c2.oauth.poll(id, {
      interval: 400,
      timeout: 5000,
      onStatus(st, n) {
        statuses.push([st.status, n]);
        if (n === 1) s2.complete(id); // deleted 50 ms later, long before the next check
      },
    }));
    assertExactly(err, NotFoundError, 'The OAuth session ended and Airstore no longer holds its result (a finished session is kept about 30 s): look the connection up on your server');
    assert.equal(err.status, 404);
    assert.deepEqual(statuses, [['pending', 1]]);
    assert.equal(s2.requests.length, 2, '404 is not retried');
  });
});
