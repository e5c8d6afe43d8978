// Shared helpers of the JS integration tests (not a test file itself).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AirstoreError } from '../../pkg/dist/node.mjs';

export { startStandin } from '../server/standin.mjs';

/** The key the stand-in accepts by default. */
export const KEY = 'org_test_key';
export const SESSIONS_PATH = '/api/v1/oauth/sessions';
export const HEX32 = /^[0-9a-f]{32}$/;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Awaits `fn()` (a sync throw counts as a rejection) and returns what it threw.
 * Fails when it resolves.
 */
export async function caught(fn) {
  try {
    const value = await fn();
    assert.fail(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err;
  }
}

/** Like `caught`, and times how long it took to settle (ms). */
export async function caughtTimed(fn) {
  const start = performance.now();
  const err = await caught(fn);
  return { err, elapsed: performance.now() - start };
}

/** Times a call that must resolve. */
export async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return { value, elapsed: performance.now() - start };
}

/**
 * Asserts `err` is an instance of exactly `Cls` (not merely a subclass), with `message` if given:
 * a string (equal), or a RegExp (matched; anchor it with ^ and $ to pin the whole message).
 */
export function assertExactly(err, Cls, message) {
  assert.ok(err instanceof Cls, `expected ${Cls.name}, got ${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.constructor, Cls, `expected exactly ${Cls.name}, got ${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.name, Cls.name);
  if (message instanceof RegExp) assert.match(err.message, message);
  else if (message !== undefined) assert.equal(err.message, message);
}

/** Prefixes a failed assertion's message with `what` (when given), for assertions made in a loop. */
function labelled(what, check) {
  try {
    check();
  } catch (err) {
    if (what !== undefined && err instanceof assert.AssertionError) err.message = `${what}: ${err.message}`;
    throw err;
  }
}

/**
 * Asserts `promiseOrFn` (a promise, or a function whose call returns one or throws) rejects
 * with exactly `Cls` and `message` (see `assertExactly`). Returns the error.
 */
export async function rejectsExactly(promiseOrFn, Cls, message, what) {
  const err = await caught(typeof promiseOrFn === 'function' ? promiseOrFn : () => promiseOrFn);
  labelled(what, () => assertExactly(err, Cls, message));
  return err;
}

/** Asserts `fn()` throws synchronously exactly `Cls` with `message` (see `assertExactly`). Returns the error. */
export function throwsExactly(fn, Cls, message, what) {
  let err;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    err = e;
  }
  labelled(what, () => {
    assert.ok(threw, 'expected a synchronous throw');
    assertExactly(err, Cls, message);
  });
  return err;
}

/** Asserts an AirstoreError that is not a WebAssembly trap. */
export function assertAirstoreError(err, { messageIncludes } = {}) {
  assert.ok(!(err instanceof WebAssembly.RuntimeError), `WebAssembly.RuntimeError leaked: ${err?.message}`);
  assert.ok(err instanceof AirstoreError, `expected AirstoreError, got ${err?.constructor?.name}: ${err?.message}`);
  if (messageIncludes !== undefined) {
    const list = Array.isArray(messageIncludes) ? messageIncludes : [messageIncludes];
    for (const m of list) {
      if (m instanceof RegExp) assert.match(err.message, m);
      else assert.ok(err.message.includes(m), `message ${JSON.stringify(err.message)} should mention ${JSON.stringify(m)}`);
    }
  }
}

/** A loopback port nothing listens on (bound, then released). */
export async function deadPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Sets environment variables for the duration of `fn`, restoring them afterwards (undefined = unset). */
export async function withEnv(vars, fn) {
  const saved = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Waits until `cond()` is true (polling every 5 ms), failing after `ms`. */
export async function waitFor(cond, ms = 2000, what = 'condition') {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * A Worker in workerd (Miniflare) over the package's workerd entry, as
 * wrangler ships it: `source` is its worker.mjs, which imports
 * './workerd.mjs' (the .wasm sits beside it). Resolves with the Miniflare,
 * and `dispose()`, which also removes the Worker's files.
 */
export async function startEntryWorker(source, bindings = {}) {
  const { Miniflare } = await import('miniflare'); // only for the suites that need workerd
  const dist = fileURLToPath(new URL('../../pkg/dist/', import.meta.url));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airstore-worker-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  let mf;
  try {
    fs.copyFileSync(path.join(dist, 'workerd.mjs'), path.join(dir, 'workerd.mjs'));
    fs.copyFileSync(path.join(dist, 'airstore_wasm_bg.wasm'), path.join(dir, 'airstore_wasm_bg.wasm'));
    fs.writeFileSync(path.join(dir, 'worker.mjs'), source);
    mf = new Miniflare({
      modules: true,
      modulesRoot: dir,
      scriptPath: path.join(dir, 'worker.mjs'),
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
      bindings,
      compatibilityDate: '2025-09-01',
    });
    await mf.ready;
    return { mf, dispose: () => mf.dispose().finally(remove) };
  } catch (e) {
    await mf?.dispose().catch(() => {});
    remove();
    throw e;
  }
}
