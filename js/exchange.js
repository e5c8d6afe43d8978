// The hot path of one HTTP exchange, on the JS side of the wasm boundary.
// Each crossing between wasm and JS costs (strings are re-encoded, closures
// registered), so one call here does what would otherwise take dozens:
// build the fetch options, start the per-request timer, read and parse the
// body. The decisions (what to send, what an answer means, retries) stay in
// Rust. Globals (`fetch`, `setTimeout`) are looked up at call time.

const MAX_DELAY = 2147483647; // setTimeout fires at once beyond 2^31-1 ms

// Resolution of `exchange` when the time ran out.
export const TIMED_OUT = 0;

// Node only (js/node.js turns it on): making an AbortController's signal
// costs about 2 µs in Node 20 (it is made transferable), a tenth of a whole
// call with a stubbed fetch. A controller whose signal never fired is kept
// for a later exchange. Each real fetch leaves a listener on the signal
// until its request is garbage-collected, so a controller serves at most
// MAX_USES exchanges (undici warns past 1,500 listeners). Not in workerd,
// which ties a signal to the request being served when it was made (a
// fetch in a later request with that signal never settles), nor in
// browsers, where making one is cheap.
//
// A kept controller also keeps its timer: Node re-arms a Timeout with
// `refresh()` for about 0.07 µs, against 0.34 µs for setTimeout and
// clearTimeout, and between exchanges it is unref'd, so it never holds the
// process open (if it fires then, it does nothing).
const MAX_USES = 64;
const MAX_SPARES = 16; // enough for the concurrent calls of a busy backend
let spares;

/** Keeps AbortControllers whose signal never fired for later exchanges. */
export function reuseControllers() {
  spares ??= [];
}

/** A controller (and its timer) for one exchange: { controller, uses, timer, ms, madeBy, fire }. */
function takeController() {
  return spares?.pop() ?? { controller: new AbortController(), uses: 0, timer: undefined, ms: 0, madeBy: undefined, fire: undefined };
}

function giveBack(held) {
  if (spares && !held.controller.signal.aborted && ++held.uses < MAX_USES && spares.length < MAX_SPARES) {
    spares.push(held);
  } else {
    clearTimeout(held.timer);
  }
}

/** Calls `fire` once `ms` have passed, unless `stopTimer(held)` comes first. */
function startTimer(held, ms, fire) {
  held.fire = fire;
  const timer = held.timer;
  // The kept timer, if it was made for this delay by today's setTimeout
  // (tests may install fake timers).
  if (timer !== undefined && held.ms === ms && held.madeBy === setTimeout && typeof timer.refresh === 'function') {
    timer.refresh().ref();
    return;
  }
  clearTimeout(timer);
  held.ms = ms;
  held.madeBy = setTimeout;
  const arm = (left) => {
    held.timer = setTimeout(() => (left > MAX_DELAY ? arm(left - MAX_DELAY) : held.fire?.()), Math.min(left, MAX_DELAY));
  };
  arm(ms);
}

function stopTimer(held) {
  held.fire = undefined;
  const timer = held.timer;
  if (spares !== undefined && held.ms <= MAX_DELAY && typeof timer?.unref === 'function') {
    timer.unref(); // kept for the next exchange
  } else {
    clearTimeout(timer);
    held.timer = undefined;
  }
}

/**
 * Sends one request and reads the whole body within `timeoutMs`, aborting
 * the request when the time runs out. Resolves with TIMED_OUT, or with
 * [status, headers, opaqueRedirect, isJson, parsedBody, emptyBody]; rejects
 * with what fetch rejected with. `abortExchange(promise)` aborts it.
 */
export function exchange(url, method, headerLines, body, timeoutMs) {
  let held;
  let settled = false; // then the controller may serve another exchange
  const answer = new Promise((resolve, reject) => {
    try {
      held = takeController();
    } catch (e) {
      return reject(e); // a runtime without AbortController: a network error
    }
    const { controller } = held;
    startTimer(held, timeoutMs, () => {
      controller.abort();
      resolve(TIMED_OUT);
    });
    const settle = (fn) => (value) => {
      settled = true;
      stopTimer(held);
      giveBack(held);
      fn(value);
    };
    let init;
    try {
      init = { method, headers: headersOf(headerLines), signal: controller.signal, redirect: 'manual' };
      if (body !== undefined) init.body = body;
    } catch (e) {
      return settle(reject)(e);
    }
    read(url, init).then(settle(resolve), settle(reject));
  });
  // How `abortExchange` stops it (a property of this internal promise:
  // cheaper than a WeakMap entry per exchange).
  answer.abort = () => {
    if (held === undefined || settled) return;
    stopTimer(held);
    held.controller.abort();
  };
  return answer;
}

/**
 * The whole answer: [status, headers, opaqueRedirect, isJson, parsedBody,
 * emptyBody]. Also takes what tests often give for a Response (a mocked
 * fetch resolving with `{ ok, json }`, no `text` or `status`): the body then
 * comes from `json()`, and the status from `ok`.
 */
async function read(url, init) {
  const response = await fetch(url, init);
  let status = response.status;
  if (typeof status !== 'number') status = response.ok === false ? 0 : 200;
  let parsed;
  let isJson = true;
  let empty = false;
  if (typeof response.text !== 'function' && typeof response.json === 'function') {
    parsed = await response.json();
  } else {
    const text = await response.text();
    empty = text.length === 0;
    try {
      parsed = JSON.parse(text);
    } catch {
      isJson = false;
    }
  }
  // An opaque redirect (redirect: 'manual' in browsers) has status 0.
  return [status, response.headers, status === 0 && response.type === 'opaqueredirect', isJson, parsed, empty];
}

// The headers last sent, parsed: a client sends the same lines again and
// again (the wasm keeps them as one JS string per client).
let lastLines;
let lastHeaders;

/** `Name:value` lines as a fresh headers object for fetch's init. */
function headersOf(lines) {
  if (lines !== lastLines) {
    // A plain object, as fetch wrappers expect; built as a fast object
    // (a null-prototype one is ~25 times slower to copy).
    const headers = {};
    for (const line of lines.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) {
        // Defined, not assigned, so a header named __proto__ stays a header.
        Object.defineProperty(headers, line.slice(0, colon), { value: line.slice(colon + 1), enumerable: true, writable: true, configurable: true });
      }
    }
    lastHeaders = headers;
    lastLines = lines;
  }
  // A copy each time (spread defines, so __proto__ stays a header): a fetch
  // wrapper may add to the object it is given.
  return { ...lastHeaders };
}

/** Aborts the exchange `answer` came from (the caller's signal fired). */
export function abortExchange(answer) {
  answer.abort?.();
}

/** `headers.get(name)`: a response header, or null. */
export function headerOf(headers, name) {
  return headers.get(name);
}

// Not a JSON value, so a field holding 0 or false is never taken for missing.
const MISSING = Symbol('missing');

/** `value[key]` if `value` is a plain JSON object that has `key` itself. */
function own(value, key) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, key) ? value[key] : MISSING;
}

/**
 * What is at `first` (then `second`, if given; own properties only, so names
 * like `__proto__` cannot reach in) in a parsed JSON body: the string
 * itself, or a code for what else is there.
 */
export function fieldAt(value, first, second) {
  let found = own(value, first);
  if (second !== undefined && found !== MISSING) found = own(found, second);
  if (typeof found === 'string') return found;
  if (found === MISSING) return 0;
  if (found === null) return 1;
  if (Array.isArray(found)) return 3;
  if (typeof found === 'object') return 2;
  return typeof found === 'boolean' ? 5 : 4;
}
