// Property-based fuzzing of the JS boundary (fast-check). Every public entry
// point gets arbitrary JS values: each call must succeed or throw/reject an
// AirstoreError (never a WebAssembly.RuntimeError, never a promise that does
// not settle), bad input must send nothing, and the same client must keep
// working afterwards.
//
// Reproduce a run with FC_SEED=<seed printed below>.
//
// TypeError: no case was found where JS itself raises a TypeError before the
// package's code runs for these calls (the package never spreads or coerces
// its arguments; wasm-bindgen hands them over as opaque references), so the
// properties below accept only AirstoreError. The one JS-level TypeError
// known is calling a method detached from its object (`this` undefined),
// covered by its own test at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Airstore, { AirstoreError } from '../../pkg/dist/node.mjs';
import { startStandin, KEY, SESSIONS_PATH, sleep, settleWithin, className, messageOf, spyFetch } from './shared.mjs';

const SEED = process.env.FC_SEED !== undefined && process.env.FC_SEED !== ''
  ? Number.parseInt(process.env.FC_SEED, 10)
  : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
console.log('fast-check seed', SEED);

const SETTLE_MS = 2000;
const HEALTH_EVERY = 250;
const MIN_TOTAL_CASES = 10_000;

let standin;
let client; // the one client every method property uses
let keyless;
let fetchSpy;
let ids; // { completed, failed, pending }
let cases = 0;
let healthRequests = 0; // requests the health checks made
let restoreEnv;

before(async () => {
  standin = await startStandin({ completedTtlMs: 600_000, failedTtlMs: 600_000 });
  // The environment must not supply a key or base URL to the constructors.
  const saved = { k: process.env.AIRSTORE_API_KEY, u: process.env.AIRSTORE_BASE_URL };
  delete process.env.AIRSTORE_API_KEY;
  delete process.env.AIRSTORE_BASE_URL;
  restoreEnv = () => {
    if (saved.k !== undefined) process.env.AIRSTORE_API_KEY = saved.k;
    if (saved.u !== undefined) process.env.AIRSTORE_BASE_URL = saved.u;
  };
  client = new Airstore({ apiKey: KEY, baseURL: standin.baseURL, maxRetries: 0, timeout: 200 });
  keyless = Airstore.keyless({ baseURL: standin.baseURL, maxRetries: 0, timeout: 200 });
  // Spy from the first request on, so every request the stand-in sees is counted.
  fetchSpy = spyFetch();
  const make = async () => (await client.oauth.createSession({ integrationType: 'gmail' })).session_id;
  ids = { completed: await make(), failed: await make(), pending: await make() };
  standin.complete(ids.completed, 'conn_fuzz_ok');
  standin.fail(ids.failed, 'google: access_denied');
});

after(async () => {
  fetchSpy?.restore();
  restoreEnv?.();
  await standin?.close();
});

// ---- arbitrary values -------------------------------------------------------
//
// Exotic values (proxies, throwing getters) are generated as factories whose
// printed form is a label, so fast-check can print a counterexample without
// touching a proxy whose traps throw.

class Gen {
  constructor(label, make) {
    this.label = label;
    this.make = make;
  }
  [fc.toStringMethod]() {
    return typeof this.label === 'function' ? this.label() : this.label;
  }
}
const plain = (v) => new Gen(() => fc.stringify(v), () => v);
const gen = (label, make) => new Gen(label, make);

const FIELD_KEYS = [
  'apiKey', 'baseURL', 'timeout', 'maxRetries', 'defaultHeaders', 'headers', 'signal',
  'integrationType', 'workspaceId', 'returnTo', 'interval', 'onStatus', 'popup',
  'session_id', 'authorize_url', 'aborted', 'addEventListener', 'removeEventListener',
  'reason', 'closed', 'location', 'then', 'constructor', 'toString', 'valueOf', 'length', '0',
];

const cache = new Map();
const once = (name, build) => () => {
  if (!cache.has(name)) cache.set(name, build());
  return cache.get(name);
};
const LONG = {
  ascii: once('ascii', () => 'a'.repeat(100_000)),
  lone: once('lone', () => '\uD800'.repeat(100_000)),
  accented: once('accented', () => 'é'.repeat(100_000)),
  emoji: once('emoji', () => '🙂'.repeat(50_000)),
  dots: once('dots', () => '../'.repeat(33_334)),
  crlf: once('crlf', () => 'x\r\n'.repeat(33_334)),
  hex: once('hex', () => '0123456789abcdef'.repeat(6_250)),
};

const revoked = (target) => {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
};

/** Values thrown by getters and traps: not always Errors. */
const thrownArb = fc.constantFrom(
  gen('new Error("boom")', () => new Error('boom')),
  gen('new TypeError("boom")', () => new TypeError('boom')),
  gen('"a string"', () => 'a string'),
  gen('undefined', () => undefined),
  gen('null', () => null),
  gen('Symbol("thrown")', () => Symbol('thrown')),
  gen('42n', () => 42n),
  gen('a revoked proxy', () => revoked({})),
  gen('an object whose message getter throws', () => ({ get message() { throw new Error('nested'); } })),
);

const throwingGetterArb = fc.tuple(fc.constantFrom(...FIELD_KEYS), thrownArb, fc.boolean()).map(([key, thrown, enumerable]) =>
  gen(`{ get ${key}() { throw ${thrown} } }${enumerable ? '' : ' (non-enumerable)'}`, () =>
    Object.defineProperty({}, key, { enumerable, configurable: true, get() { throw thrown.make(); } })));

const TRAPS = ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'set', 'defineProperty', 'apply', 'construct'];
const throwingProxyArb = fc.tuple(
  fc.subarray(TRAPS, { minLength: 1 }),
  thrownArb,
  fc.constantFrom('object', 'function', 'array', 'AbortSignal'),
).map(([traps, thrown, kind]) =>
  gen(`new Proxy(<${kind}>, traps ${traps.join('/')} throw ${thrown})`, () => {
    const target = kind === 'function' ? function target() {} : kind === 'array' ? [] : kind === 'AbortSignal' ? new AbortController().signal : {};
    const handler = {};
    for (const trap of traps) handler[trap] = () => { throw thrown.make(); };
    return new Proxy(target, handler);
  }));

/** Proxies that break the object invariants JS enforces (so JS itself throws a TypeError inside our reads). */
const lyingProxyArb = fc.constantFrom(
  gen('Proxy with duplicate ownKeys', () => new Proxy({}, { ownKeys: () => ['a', 'a'] })),
  gen('Proxy with ownKeys returning numbers', () => new Proxy({}, { ownKeys: () => [1, 2] })),
  gen('Proxy whose get answers every key with a revoked proxy', () => new Proxy({}, { get: () => revoked({}) })),
  gen('Proxy whose get answers every key with an aborted signal', () => new Proxy({}, { get: () => AbortSignal.abort() })),
  gen('Proxy whose get answers every key with "gmail"', () => new Proxy({}, { get: () => 'gmail', has: () => true })),
  gen('Proxy whose get answers every key with NaN', () => new Proxy({}, { get: () => NaN })),
  gen('Proxy claiming every key (has) with undefined values', () => new Proxy({}, { has: () => true, ownKeys: () => ['x-a'], getOwnPropertyDescriptor: () => ({ value: 'v', enumerable: true, configurable: true }) })),
  gen('a non-extensible Proxy lying about its keys', () => new Proxy(Object.preventExtensions({}), { ownKeys: () => ['ghost'] })),
);

const oddStringArb = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 24 }).map((codes) => String.fromCharCode(...codes)),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.constantFrom('', ' ', '.', '..', '...', '/', '?', '#', '%', '%2e', '%2e%2e', '%2F', '../workspaces', '\uD800', '\uDFFF',
    'a\uD800b', '\uDBFF\uDFFF', '\u0000', '\u200B', '\u202E', '\uFEFF', 'é', 'e\u0301', '𝟘', '\r\n', '\t', 'gmail', 'GMAIL',
    'javascript:alert(1)', 'data:text/html,x', 'http://127.0.0.1:1', 'https://x.example/', '/relative', '__proto__', 'constructor'),
);

const longStringArb = fc.constantFrom(...Object.entries(LONG).map(([name, make]) => gen(`<100k-char ${name} string>`, make)));

const numberArb = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, Number.MAX_VALUE, Number.EPSILON, 2 ** 31, 2 ** 32, 2 ** 53, -1, 0.1, 1e-300, 1.5, 4294967295, 4294967296),
  fc.double(),
  fc.integer(),
);

const functionArb = fc.constantFrom(
  gen('() => {}', () => () => {}),
  gen('function () {}', () => function f() {}),
  gen('async () => {}', () => async () => {}),
  gen('function* () {}', () => function* g() {}),
  gen('class {}', () => class C {}),
  gen('Math.max', () => Math.max),
  gen('a bound function', () => (() => {}).bind(null)),
  gen('() => { throw }', () => () => { throw new Error('callback threw'); }),
  // Not an async callback that rejects: onStatus is typed `=> void`, its
  // returned promise is ignored, and its rejection would be unhandled (the
  // caller's bug, reported by Node, not the package's).
  gen('a revoked function proxy', () => revoked(() => {})),
);

const signalArb = fc.oneof(
  fc.constantFrom(
    gen('new AbortController().signal', () => new AbortController().signal),
    gen('AbortSignal.abort()', () => AbortSignal.abort()),
    gen('AbortSignal.abort(revoked proxy)', () => AbortSignal.abort(revoked({}))),
    gen('AbortSignal.abort(Symbol())', () => AbortSignal.abort(Symbol('why'))),
    gen('fake signal whose addEventListener throws', () => ({ aborted: false, addEventListener() { throw new Error('nope'); }, removeEventListener() {} })),
    gen('fake signal that fires at once when listened to', () => ({ aborted: false, addEventListener(_t, l) { l(); }, removeEventListener() {} })),
    gen('fake signal whose removeEventListener throws', () => ({ aborted: false, addEventListener() {}, removeEventListener() { throw new Error('nope'); } })),
    gen('fake signal whose aborted getter throws', () => ({ get aborted() { throw new Error('nope'); }, addEventListener() {} })),
    gen('fake signal without removeEventListener', () => ({ aborted: false, addEventListener() {} })),
    gen('fake signal with reason getter that throws', () => ({ aborted: true, get reason() { throw new Error('nope'); }, addEventListener() {}, removeEventListener() {} })),
    gen('EventTarget', () => new EventTarget()),
  ),
  fc.boolean().map((aborted) => gen(`{ aborted: ${aborted}, addEventListener, removeEventListener }`, () => ({ aborted, addEventListener() {}, removeEventListener() {} }))),
);

const HEADER_NAMES = ['x-a', 'X-Trace', 'accept', 'Accept', 'content-type', 'authorization', 'Authorization', 'AUTHORIZATION',
  'x-api-key', 'user-agent', 'origin', 'cookie', 'if-none-match', 'x_underscore', "x-!#$%&'*+.^`|~"];
const headerNameArb = fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string({ maxLength: 12 }), oddStringArb);
const headerValueArb = fc.oneof(fc.string({ maxLength: 20 }), oddStringArb, fc.constantFrom('Bearer x', 'a\r\nx-evil: 1', 'ÿ', 'Ā', ' padded '));
const headersArb = fc.oneof(
  fc.dictionary(headerNameArb, headerValueArb, { maxKeys: 4 }).map(plain),
  fc.dictionary(headerNameArb, fc.oneof(numberArb, fc.boolean(), fc.constant(null)), { maxKeys: 2 }).map(plain),
  fc.constantFrom(
    gen('new Headers({ "x-a": "1" })', () => new Headers({ 'x-a': '1' })),
    gen('new Map([["x-a", "1"]])', () => new Map([['x-a', '1']])),
    gen('["x-a", "1"]', () => ['x-a', '1']),
    gen('Object.create(null) with x-a', () => Object.assign(Object.create(null), { 'x-a': '1' })),
    gen('headers with a throwing getter', () => Object.defineProperty({}, 'x-a', { enumerable: true, get() { throw new Error('hdr'); } })),
    gen('headers with a symbol key', () => ({ [Symbol('s')]: 'v', 'x-a': '1' })),
    gen('an array with a throwing index getter', () => Object.defineProperty([], '0', { enumerable: true, get() { throw new Error('idx'); } })),
  ),
);

const miscObjectArb = fc.constantFrom(
  gen('new Date(NaN)', () => new Date(NaN)),
  gen('/re/g', () => /re/g),
  gen('Promise.resolve()', () => Promise.resolve()),
  gen('new WeakMap()', () => new WeakMap()),
  gen('new ArrayBuffer(8)', () => new ArrayBuffer(8)),
  gen('new DataView(new ArrayBuffer(4))', () => new DataView(new ArrayBuffer(4))),
  gen('new SharedArrayBuffer(8)', () => new SharedArrayBuffer(8)),
  gen('Object.freeze({})', () => Object.freeze({})),
  gen('Object.create(null)', () => Object.create(null)),
  gen('new String("gmail")', () => new String('gmail')),
  gen('new Number(5)', () => new Number(5)),
  gen('{ [Symbol.toPrimitive]() { throw } }', () => ({ [Symbol.toPrimitive]() { throw new Error('prim'); } })),
  gen('{ toString() { throw }, valueOf() { throw } }', () => ({ toString() { throw new Error('ts'); }, valueOf() { throw new Error('vo'); } })),
  gen('globalThis', () => globalThis),
  gen('the client itself', () => client),
  gen('client.oauth', () => client.oauth),
  gen('a fake window', () => ({ closed: false, location: {}, close() {} })),
  gen('a closed fake window', () => ({ closed: true, location: {}, close() {} })),
  gen('a fake window whose location setter throws', () => ({ closed: false, location: { set href(_v) { throw new Error('loc'); } }, close() {} })),
  gen('an object whose prototype has a throwing getter', () => Object.create(Object.defineProperty({}, 'timeout', { get() { throw new Error('proto'); } }))),
);

const anythingArb = fc.anything({
  withBigInt: true, withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true,
  withBoxedValues: true, withDate: true, withSparseArray: true, withObjectString: true, maxDepth: 2,
}).map(plain);

/** Any value at all: the mix the properties draw from. */
const valueArb = fc.oneof(
  { arbitrary: anythingArb, weight: 6 },
  { arbitrary: oddStringArb.map(plain), weight: 3 },
  { arbitrary: longStringArb, weight: 1 },
  { arbitrary: numberArb.map(plain), weight: 2 },
  { arbitrary: fc.bigInt().map(plain), weight: 1 },
  { arbitrary: fc.constantFrom(Symbol('s'), Symbol.for('x'), Symbol.iterator).map(plain), weight: 1 },
  { arbitrary: functionArb, weight: 1 },
  { arbitrary: throwingGetterArb, weight: 2 },
  { arbitrary: throwingProxyArb, weight: 2 },
  { arbitrary: lyingProxyArb, weight: 1 },
  { arbitrary: fc.constantFrom(gen('a revoked proxy', () => revoked({})), gen('a revoked function proxy', () => revoked(() => {}))), weight: 1 },
  { arbitrary: signalArb, weight: 1 },
  { arbitrary: headersArb, weight: 1 },
  { arbitrary: miscObjectArb, weight: 2 },
);

// ---- checking one call ------------------------------------------------------

/** Messages of refusals made before anything is sent. */
const BEFORE_SENDING = [
  /^(options|params|pollOpts|sessionId|session)(\.|\[|\s)/,
  /^API key is required/,
  /^createSession needs an API key/,
  /^authorize\(\) needs a browser window/,
  /^The popup was blocked/,
];
const isRefusal = (err) => err?.constructor === AirstoreError && BEFORE_SENDING.some((re) => re.test(err.message));

function assertAirstoreError(err, what) {
  assert.ok(!(err instanceof WebAssembly.RuntimeError), `${what}: WebAssembly.RuntimeError: ${messageOf(err)}`);
  assert.ok(err instanceof AirstoreError, `${what}: expected an AirstoreError, got ${className(err)}: ${messageOf(err)}`);
  assert.equal(err.name, err.constructor.name, `${what}: name`);
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0, `${what}: empty message`);
}

/**
 * Runs one async method call and checks its outcome.
 * - `invalid`: the input is known to be bad: it must be refused with an
 *   AirstoreError before anything is sent.
 * - `maxFetches`: how many requests the call may make at most.
 * - `keylessCall`: no request may carry Authorization.
 */
async function checkCall(what, fn, { invalid = false, maxFetches = 1, keylessCall = false, mayResolve = true } = {}) {
  cases++;
  const fetchesBefore = fetchSpy.calls.length;
  let promise;
  try {
    promise = fn();
  } catch (err) {
    assert.fail(`${what}: threw synchronously instead of rejecting: ${className(err)}: ${messageOf(err)}`);
  }
  assert.ok(promise instanceof Promise, `${what}: did not return a promise`);
  const outcome = await settleWithin(promise, SETTLE_MS, what);
  const sent = fetchSpy.calls.slice(fetchesBefore);
  if (outcome.ok) {
    assert.ok(!invalid, `${what}: resolved although the input is invalid`);
    assert.ok(mayResolve, `${what}: resolved, which it cannot here`);
  } else {
    assertAirstoreError(outcome.error, what);
    if (invalid) assert.ok(isRefusal(outcome.error), `${what}: expected a refusal naming the argument, got ${className(outcome.error)}: ${outcome.error.message}`);
    if (isRefusal(outcome.error)) assert.equal(sent.length, 0, `${what}: refused (${outcome.error.message}) but sent ${sent.length} request(s)`);
  }
  assert.ok(sent.length <= maxFetches, `${what}: sent ${sent.length} requests (at most ${maxFetches} allowed)`);
  if (keylessCall) {
    for (const req of sent) {
      assert.ok(!Object.keys(req.headers).some((n) => n.toLowerCase() === 'authorization'), `${what}: a keyless request carried Authorization`);
    }
  }
  if (cases % HEALTH_EVERY === 0) await healthCheck(`after case ${cases}`);
  return outcome;
}

/** Runs a constructor-like call: it returns or throws an AirstoreError, and sends nothing. */
function checkConstruct(what, fn, { invalid = false } = {}) {
  cases++;
  const fetchesBefore = fetchSpy.calls.length;
  let made;
  let error;
  try {
    made = fn();
  } catch (err) {
    error = err;
  }
  assert.equal(fetchSpy.calls.length, fetchesBefore, `${what}: the constructor sent a request`);
  if (error !== undefined) {
    assertAirstoreError(error, what);
    assert.equal(error.constructor, AirstoreError, `${what}: a configuration error is a plain AirstoreError`);
    return undefined;
  }
  assert.ok(!invalid, `${what}: accepted invalid options`);
  assert.ok(made instanceof Airstore, `${what}: returned ${className(made)}`);
  return made;
}

/** The shared clients still work: a real getSession against the stand-in. */
async function healthCheck(when) {
  for (const [name, c] of [['client', client], ['keyless', keyless]]) {
    healthRequests++;
    const out = await settleWithin(c.oauth.getSession(ids.completed), SETTLE_MS, `${name} health check ${when}`);
    assert.ok(out.ok, `${name} stopped working ${when}: ${className(out.error)}: ${messageOf(out.error)}`);
    assert.equal(out.value.status, 'complete');
    assert.equal(out.value.connection_id, 'conn_fuzz_ok');
  }
}

const isObjectLike = (v) => v !== null && typeof v === 'object';
const badOptions = (v) => v !== undefined && !isObjectLike(v); // functions included: options must be objects
const badId = (v) => typeof v !== 'string' || v === '' || v === '.' || v === '..';

/** A session id to use: a real one (completed / failed) or an arbitrary value. */
const idArb = fc.oneof(
  { arbitrary: fc.constantFrom('completed', 'failed', 'unknown').map((k) => gen(`<${k} session id>`, () => (k === 'unknown' ? 'f'.repeat(32) : ids[k]))), weight: 1 },
  { arbitrary: valueArb, weight: 4 },
);

let propertyIndex = 0;
async function check(property, numRuns) {
  const seed = SEED + propertyIndex++;
  await fc.assert(property, { numRuns, seed, endOnFailure: true });
}

// ---- the properties ---------------------------------------------------------

test('new Airstore(x) returns a client or throws AirstoreError', { timeout: 60_000 }, async () => {
  await check(fc.property(valueArb, (x) => {
    const v = x.make();
    checkConstruct(`new Airstore(${x[fc.toStringMethod]()})`, () => new Airstore(v), { invalid: badOptions(v) });
  }), 800);
});

test('Airstore.keyless(x) returns a client or throws AirstoreError', { timeout: 60_000 }, async () => {
  await check(fc.property(valueArb, (x) => {
    const v = x.make();
    checkConstruct(`Airstore.keyless(${x[fc.toStringMethod]()})`, () => Airstore.keyless(v), { invalid: badOptions(v) });
  }), 500);
});

test('each ClientOptions field takes anything; a client it makes works or fails cleanly', { timeout: 60_000 }, async () => {
  const fields = ['apiKey', 'baseURL', 'timeout', 'maxRetries', 'defaultHeaders'];
  await check(fc.asyncProperty(fc.constantFrom(...fields), valueArb, fc.boolean(), async (field, x, isKeyless) => {
    const v = x.make();
    const options = { apiKey: KEY, baseURL: standin.baseURL, maxRetries: 0, timeout: 200, [field]: v };
    if (isKeyless) delete options.apiKey;
    if (isKeyless && field === 'apiKey') options.apiKey = v;
    const what = `${isKeyless ? 'Airstore.keyless' : 'new Airstore'}({ ${field}: ${x[fc.toStringMethod]()} })`;
    const invalid = {
      apiKey: isKeyless ? v !== undefined : typeof v !== 'string' || v === '',
      baseURL: typeof v !== 'string' && v !== undefined,
      timeout: v !== undefined && (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)),
      maxRetries: v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0),
      defaultHeaders: badOptions(v),
    }[field];
    const made = checkConstruct(what, () => (isKeyless ? Airstore.keyless(options) : new Airstore(options)), { invalid });
    // A client pointed at the stand-in is used once (a baseURL may point anywhere: not that one).
    if (made && field !== 'baseURL') {
      await checkCall(`${what}.oauth.getSession(<completed>)`, () => made.oauth.getSession(ids.completed), { keylessCall: isKeyless, maxFetches: 1 });
    }
  }), 1200);
});

test('createSession(x, y) resolves or rejects AirstoreError; bad params send nothing', { timeout: 60_000 }, async () => {
  await check(fc.asyncProperty(valueArb, fc.option(valueArb, { nil: undefined }), async (x, y) => {
    const params = x.make();
    const options = y?.make();
    const invalid = params === undefined || badOptions(params) || badOptions(options);
    await checkCall(`createSession(${x[fc.toStringMethod]()}, ${y ? y[fc.toStringMethod]() : 'undefined'})`,
      () => client.oauth.createSession(params, options), { invalid });
  }), 700);
});

test('each createSession param field takes anything', { timeout: 60_000 }, async () => {
  await check(fc.asyncProperty(fc.constantFrom('integrationType', 'workspaceId', 'returnTo'), valueArb, async (field, x) => {
    const v = x.make();
    const params = { integrationType: 'gmail', [field]: v };
    const invalid = field === 'integrationType' ? typeof v !== 'string' || v === '' : v !== undefined && typeof v !== 'string';
    await checkCall(`createSession({ integrationType: 'gmail', ${field}: ${x[fc.toStringMethod]()} })`,
      () => client.oauth.createSession(params), { invalid });
  }), 800);
});

test('getSession(x, y) resolves or rejects AirstoreError; bad ids send nothing', { timeout: 60_000 }, async () => {
  await check(fc.asyncProperty(idArb, fc.option(valueArb, { nil: undefined }), async (x, y) => {
    const id = x.make();
    const options = y?.make();
    await checkCall(`getSession(${x[fc.toStringMethod]()}, ${y ? y[fc.toStringMethod]() : 'undefined'})`,
      () => client.oauth.getSession(id, options), { invalid: badId(id) || badOptions(options) });
  }), 1000);
});

test('each RequestOptions field takes anything, on every method', { timeout: 60_000 }, async () => {
  const fields = ['timeout', 'maxRetries', 'headers', 'signal'];
  const methods = ['getSession', 'poll', 'createSession', 'keyless.getSession', 'keyless.poll'];
  await check(fc.asyncProperty(fc.constantFrom(...methods), fc.constantFrom(...fields), valueArb, async (method, field, x) => {
    const v = x.make();
    const options = { [field]: v };
    const invalid = {
      timeout: v !== undefined && (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)),
      maxRetries: v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0),
      headers: badOptions(v),
      signal: false, // an AbortSignal-like check the test cannot mirror exactly
    }[field];
    const what = `${method}(…, { ${field}: ${x[fc.toStringMethod]()} })`;
    const isKeyless = method.startsWith('keyless.');
    const c = isKeyless ? keyless : client;
    const name = method.replace('keyless.', '');
    const call = {
      getSession: () => c.oauth.getSession(ids.completed, options),
      // A pending session and a 50 ms poll: bounded whatever the options say.
      poll: () => c.oauth.poll(ids.pending, { timeout: 50, interval: 10 }, options),
      createSession: () => c.oauth.createSession({ integrationType: 'gmail' }, options),
    }[name];
    await checkCall(what, call, { invalid, keylessCall: isKeyless, maxFetches: name === 'poll' ? 100 : 1 });
  }), 1500);
});

test('poll(x, y, z) resolves or rejects AirstoreError, and always settles', { timeout: 60_000 }, async () => {
  // Never the pending session here: with a default 5-minute timeout it would not settle in 2 s.
  await check(fc.asyncProperty(idArb, fc.option(valueArb, { nil: undefined }), fc.option(valueArb, { nil: undefined }), async (x, y, z) => {
    const id = x.make();
    const pollOpts = y?.make();
    const options = z?.make();
    const what = `poll(${x[fc.toStringMethod]()}, ${y ? y[fc.toStringMethod]() : 'undefined'}, ${z ? z[fc.toStringMethod]() : 'undefined'})`;
    await checkCall(what, () => client.oauth.poll(id, pollOpts, options),
      { invalid: badId(id) || badOptions(pollOpts) || badOptions(options), maxFetches: 100 });
  }), 800);
});

test('each poll option field takes anything', { timeout: 60_000 }, async () => {
  await check(fc.asyncProperty(fc.constantFrom('timeout', 'interval', 'signal', 'onStatus'), valueArb, fc.constantFrom('pending', 'completed', 'failed'), async (field, x, which) => {
    // A huge `timeout` on a pending session would poll for minutes: use a finished one then.
    const session = field === 'timeout' && which === 'pending' ? 'failed' : which;
    const v = x.make();
    const pollOpts = { timeout: 50, interval: 10, [field]: v };
    const invalid = {
      timeout: v !== undefined && (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)),
      interval: v !== undefined && (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)),
      signal: false,
      onStatus: v !== undefined && typeof v !== 'function',
    }[field];
    await checkCall(`poll(<${session}>, { timeout: 50, interval: 10, ${field}: ${x[fc.toStringMethod]()} })`,
      () => client.oauth.poll(ids[session], pollOpts), { invalid, maxFetches: 100 });
  }), 1200);
});

test('authorize(x, y, z) rejects AirstoreError outside a browser and sends nothing without a window', { timeout: 60_000 }, async () => {
  await check(fc.asyncProperty(
    fc.oneof(valueArb, fc.tuple(fc.constantFrom('session_id', 'authorize_url'), valueArb).map(([field, x]) =>
      gen(() => `{ session_id: <unknown>, authorize_url: 'https://x.example/a', ${field}: ${x[fc.toStringMethod]()} }`,
        () => ({ session_id: 'f'.repeat(32), authorize_url: 'https://x.example/a', [field]: x.make() })))),
    fc.option(fc.oneof(valueArb, valueArb.map((x) => gen(() => `{ popup: ${x[fc.toStringMethod]()}, timeout: 50 }`, () => ({ popup: x.make(), timeout: 50 })))), { nil: undefined }),
    fc.option(valueArb, { nil: undefined }),
    async (x, y, z) => {
      const session = x.make();
      const opts = y?.make();
      const requestOptions = z?.make();
      // A fake popup window makes authorize poll (unknown id: one 404); otherwise nothing may be sent.
      const popup = isObjectLike(opts) ? (() => { try { return opts.popup; } catch { return undefined; } })() : undefined;
      const hasWindow = popup !== undefined && popup !== null;
      await checkCall(`authorize(${x[fc.toStringMethod]()}, ${y ? y[fc.toStringMethod]() : 'undefined'}, ${z ? z[fc.toStringMethod]() : 'undefined'})`,
        () => client.oauth.authorize(session, opts, requestOptions), { maxFetches: hasWindow ? 3 : 0, mayResolve: hasWindow });
    },
  ), 800);
});

test('keyless clients refuse Authorization in any spelling and never send it', { timeout: 60_000 }, async () => {
  const spellings = fc.constantFrom('authorization', 'Authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn');
  await check(fc.asyncProperty(spellings, headerValueArb, fc.constantFrom('getSession', 'poll', 'defaultHeaders'), headersArb, async (name, value, where, extra) => {
    const headers = { 'x-a': '1', [name]: value };
    if (where === 'defaultHeaders') {
      checkConstruct(`Airstore.keyless({ defaultHeaders: { ${name}: … } })`, () => Airstore.keyless({ baseURL: standin.baseURL, defaultHeaders: headers }), { invalid: true });
      return;
    }
    const call = where === 'poll'
      ? () => keyless.oauth.poll(ids.completed, { timeout: 50 }, { headers })
      : () => keyless.oauth.getSession(ids.completed, { headers });
    await checkCall(`keyless.${where}(…, { headers: { ${JSON.stringify(name)}: … } })`, call, { invalid: true, keylessCall: true, maxFetches: 0 });
    // Arbitrary other headers on the keyless client: never an Authorization on the wire.
    const other = extra.make();
    await checkCall(`keyless.getSession(…, { headers: ${extra[fc.toStringMethod]()} })`,
      () => keyless.oauth.getSession(ids.completed, { headers: other }), { keylessCall: true, maxFetches: 1 });
  }), 300);
});

test('only invalid input: nothing at all reaches the stand-in', { timeout: 60_000 }, async () => {
  // Every call here is refused before sending; the stand-in's own log must not grow.
  await sleep(50); // let requests of timed-out calls from earlier properties land
  const before = standin.requests.length;
  const healthBefore = healthRequests;
  const badIdArb = valueArb.filter((x) => { const v = x.make(); return badId(v); });
  const badOptsArb = valueArb.filter((x) => badOptions(x.make()));
  await check(fc.asyncProperty(
    fc.constantFrom('getSession', 'poll', 'createSession', 'keyless.createSession'),
    badIdArb, badOptsArb,
    async (method, x, y) => {
      const id = x.make();
      const bad = y.make();
      const call = {
        getSession: () => client.oauth.getSession(id),
        poll: () => client.oauth.poll(id, { timeout: 50 }),
        createSession: () => client.oauth.createSession(bad),
        'keyless.createSession': () => keyless.oauth.createSession({ integrationType: 'gmail' }),
      }[method];
      await checkCall(`${method}(${method.includes('create') ? y[fc.toStringMethod]() : x[fc.toStringMethod]()})`, call, { invalid: true, maxFetches: 0 });
    },
  ), 400);
  await sleep(50);
  assert.equal(standin.requests.length - (healthRequests - healthBefore), before, 'the stand-in received requests for invalid input (health checks aside)');
});

test('a listener the package dropped, called later by a lying signal, does not break the instance', async () => {
  // A fake signal that keeps listeners after removeEventListener and calls them after the call settled.
  const kept = [];
  const signal = { aborted: false, addEventListener(_t, l) { kept.push(l); }, removeEventListener() {} };
  const status = await client.oauth.getSession(ids.completed, { signal });
  assert.equal(status.status, 'complete');
  assert.ok(kept.length >= 1, 'the package listened on the signal');
  for (const listener of kept) {
    try {
      listener();
    } catch (err) {
      // wasm-bindgen throws a plain Error for a dropped closure; what matters is no trap.
      assert.ok(!(err instanceof WebAssembly.RuntimeError), `WebAssembly.RuntimeError: ${messageOf(err)}`);
    }
  }
  await healthCheck('after calling dropped listeners');
});

test('methods work detached; a foreign `this` fails without breaking the instance', async () => {
  // airstore.oauth's methods are bound to it (src/bindings/mod.rs), so
  // `const { getSession } = airstore.oauth` works as with other SDKs.
  const { getSession } = client.oauth;
  assert.equal((await getSession(ids.completed)).status, 'complete');
  assert.equal((await getSession.call(undefined, ids.completed)).status, 'complete');
  // Only code that digs out the prototype's own method can call it on another
  // object: wasm-bindgen's glue refuses it ("null pointer passed to rust",
  // or a TypeError reading __wbg_ptr of undefined) before the package runs.
  const unbound = Object.getPrototypeOf(client.oauth).getSession;
  for (const [what, fn] of [
    ['getSession with this = undefined', () => unbound.call(undefined, ids.completed)],
    ['getSession with this = {}', () => unbound.call({}, ids.completed)],
    ['poll with this = {}', () => Object.getPrototypeOf(client.oauth).poll.call({}, ids.completed)],
    ['Object.create(Airstore.prototype).oauth', () => Object.create(Airstore.prototype).oauth],
  ]) {
    let err;
    try {
      await fn();
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof Error, `${what}: expected an Error`);
    assert.ok(!(err instanceof WebAssembly.RuntimeError), `${what}: WebAssembly.RuntimeError: ${messageOf(err)}`);
  }
  await healthCheck('after calls with a wrong this');
});

test(`at least ${MIN_TOTAL_CASES} generated cases ran, and the clients still work`, async () => {
  console.log(`fast-check cases run: ${cases} (seed ${SEED})`);
  assert.ok(cases >= MIN_TOTAL_CASES, `only ${cases} cases ran`);
  await healthCheck('at the end');
  await sleep(50);
  assert.ok(standin.requests.length <= fetchSpy.calls.length, `every request the stand-in saw went through fetch (${standin.requests.length} seen, ${fetchSpy.calls.length} fetched)`);
  // Nothing reached a path other than the two documented endpoints.
  for (const r of standin.requests) {
    const ok = r.path === SESSIONS_PATH || (r.path.startsWith(`${SESSIONS_PATH}/`) && !r.path.slice(SESSIONS_PATH.length + 1).includes('/'));
    assert.ok(ok, `${r.method} ${r.path.slice(0, 200)} is not a documented endpoint`);
  }
});
