// Helpers shared by the reliability and security suites (not a test file:
// `node --test` only picks up *.test.mjs here).
import assert from 'node:assert/strict';
import util from 'node:util';
import { AirstoreError } from '../../pkg/dist/node.mjs';

// The basics are the integration tests' own (tests/js/helpers.mjs).
import { KEY, SESSIONS_PATH, deadPort, sleep, startEntryWorker, startStandin, withEnv } from '../js/helpers.mjs';

export { KEY, SESSIONS_PATH, deadPort, sleep, startEntryWorker, startStandin, withEnv };

/** The class name of anything, without running user code that could throw. */
export function className(value) {
  try {
    if (value === null) return 'null';
    if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
    return value.constructor?.name ?? 'Object';
  } catch {
    return '(unreadable)';
  }
}

/** `err.message`, or a description, without throwing. */
export function messageOf(value) {
  try {
    return typeof value?.message === 'string' ? value.message : String(value);
  } catch {
    return '(unreadable)';
  }
}

/**
 * Settles `promise` within `ms`, or fails the test saying what did not
 * settle. Resolves with `{ ok: true, value }` or `{ ok: false, error }`.
 */
export async function settleWithin(promise, ms, what) {
  let timer;
  const limit = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ hung: true }), ms);
  });
  const outcome = await Promise.race([
    promise.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error })),
    limit,
  ]);
  clearTimeout(timer);
  if (outcome.hung) assert.fail(`${what}: the promise did not settle within ${ms} ms`);
  return outcome;
}

/** Awaits `fn()` (a synchronous throw counts) and returns what it rejected with; fails if it resolves. */
export async function caught(fn) {
  let value;
  try {
    value = await fn();
  } catch (err) {
    return err;
  }
  assert.fail(`expected a rejection, got ${util.inspect(value)}`);
}

/** Like `caught`, plus how long it took (ms). */
export async function caughtTimed(fn) {
  const start = performance.now();
  const err = await caught(fn);
  return { err, elapsed: performance.now() - start };
}

/** Asserts `err` is exactly an instance of `Cls` (not a subclass), never a wasm trap. */
export function assertExactly(err, Cls, message) {
  assert.ok(!(err instanceof WebAssembly.RuntimeError), `WebAssembly.RuntimeError: ${messageOf(err)}`);
  assert.ok(err instanceof Cls, `expected ${Cls.name}, got ${className(err)}: ${messageOf(err)}`);
  assert.equal(err.constructor, Cls, `expected exactly ${Cls.name}, got ${className(err)}: ${messageOf(err)}`);
  assert.equal(err.name, Cls.name);
  if (message instanceof RegExp) assert.match(err.message, message);
  else if (message !== undefined) assert.equal(err.message, message);
}

/**
 * A message a person can read: one line, not empty, no leaked internals
 * (Rust debug output, JS object dumps, wasm trap text).
 */
export function assertReadable(err) {
  assert.ok(err instanceof AirstoreError, `expected an AirstoreError, got ${className(err)}: ${messageOf(err)}`);
  const m = err.message;
  assert.equal(typeof m, 'string');
  assert.ok(m.length > 0 && m.length < 400, `message length ${m.length}: ${m.slice(0, 200)}`);
  assert.ok(!/[\r\n]/.test(m), `one line: ${JSON.stringify(m)}`);
  for (const junk of ['[object Object]', 'JsValue(', 'Some(', 'None', 'unreachable', 'RuntimeError', 'panicked', 'undefined', 'null pointer']) {
    assert.ok(!m.includes(junk), `message contains ${JSON.stringify(junk)}: ${m}`);
  }
  assert.equal(err.name, err.constructor.name);
}

/** Waits until `cond()` holds (checking every 5 ms), failing after `ms`. */
export async function waitFor(cond, ms, what) {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Wraps the global `fetch` (the package looks it up at each call) to count
 * and record calls; `restore()` puts the original back.
 */
export function spyFetch() {
  const original = globalThis.fetch;
  const calls = [];
  globalThis.fetch = function spiedFetch(url, init) {
    calls.push({ url: String(url), method: init?.method, headers: { ...(init?.headers ?? {}) }, signal: init?.signal });
    return original.call(this, url, init);
  };
  return {
    calls,
    restore() {
      globalThis.fetch = original;
    },
  };
}

/**
 * Wraps the global `setTimeout` (the package looks it up at each call) to
 * record the delays asked for while `fn` runs.
 */
export async function recordTimers(fn) {
  const original = globalThis.setTimeout;
  const delays = [];
  globalThis.setTimeout = function recordingSetTimeout(cb, ms, ...args) {
    delays.push(ms);
    return original.call(this, cb, ms, ...args);
  };
  try {
    const value = await fn(delays);
    return { value, delays };
  } finally {
    globalThis.setTimeout = original;
  }
}
