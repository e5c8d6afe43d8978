// The hot path of one HTTP exchange, on the JS side of the wasm boundary.
// Each crossing between wasm and JS costs (strings are re-encoded, closures
// registered), so one call here does what would otherwise take dozens:
// build the fetch options, start the per-request timer, read and parse the
// body. The decisions (what to send, what an answer means, retries) stay in
// Rust. Globals (`fetch`, `setTimeout`) are looked up at call time.

export const MAX_DELAY = 2147483647; // setTimeout fires at once beyond 2^31-1 ms

// Where an exchange gets its AbortController, and how its timer runs: a
// fresh controller and a plain setTimeout here; js/keep.js replaces these
// in Node (js/node.js), where both are worth keeping between exchanges.
// `held` is { controller, timer, fire }: `fire` is the exchange whose
// `timeout()` the timer calls.
export const controllers = {
  take: () => ({ controller: new AbortController(), timer: undefined, fire: undefined }),
  giveBack() {
    // Nothing is kept; `stop` cleared the timer, or it fired.
  },
  /** Calls `ex.timeout()` once `ms` have passed, unless `stop(held)` comes first. */
  start(held, ms, ex) {
    held.fire = ex;
    armTimer(held, ms);
  },
  stop(held) {
    held.fire = undefined;
    clearTimeout(held.timer);
  },
};

/** Sets `held.timer` to call `held.fire.timeout()` after `ms`, in steps setTimeout takes. */
export function armTimer(held, ms) {
  const timer = setTimeout(() => {
    // Only the held's current timer may fire (an old one that could not be
    // cleared, say a real timer under a test's fake clearTimeout, does not).
    if (held.timer !== timer) return;
    if (ms > MAX_DELAY) armTimer(held, ms - MAX_DELAY);
    else held.fire?.timeout();
  }, Math.min(ms, MAX_DELAY));
  held.timer = timer;
}

/**
 * Sends one request and reads the whole body within `timeoutMs`, aborting
 * the request when the time runs out. Then calls, once and never from
 * inside this call, `to.answered(status, headers, opaqueRedirect, isJson,
 * parsedBody, emptyBody)`, `to.timedOut()` or
 * `to.failed(whatFetchRejectedWith)`. Returns the exchange: its `stop()`
 * aborts the request and calls nothing back.
 */
export function exchange(url, method, headerLines, body, timeoutMs, to) {
  let held;
  try {
    held = controllers.take();
  } catch (e) {
    // A runtime without AbortController: a network error.
    return new Exchange(undefined, to).failLater(e);
  }
  const ex = new Exchange(held, to);
  controllers.start(held, timeoutMs, ex);
  let init;
  try {
    init = { method, headers: headersOf(headerLines), signal: held.controller.signal, redirect: 'manual' };
    if (body !== undefined) init.body = body;
  } catch (e) {
    return ex.failLater(e);
  }
  read(url, init, ex);
  return ex;
}

/** One exchange under way; see `exchange`. */
class Exchange {
  constructor(held, to) {
    this.held = held; // its controller and timer
    this.to = to; // undefined once settled or stopped
  }

  /** The answer: tells `to` (see `exchange`), and frees the controller. */
  answered(status, headers, opaqueRedirect, isJson, parsed, empty) {
    const to = this.finish();
    if (to !== undefined) to.answered(status, headers, opaqueRedirect, isJson, parsed, empty);
  }

  /** fetch (or reading the body) failed with `error`. */
  failed(error) {
    const to = this.finish();
    if (to !== undefined) to.failed(error);
  }

  /** Ends the exchange once: frees the controller, returns whom to tell (undefined if it ended already). */
  finish() {
    const to = this.to;
    if (to === undefined) return undefined;
    this.to = undefined;
    if (this.held !== undefined) {
      controllers.stop(this.held);
      controllers.giveBack(this.held);
    }
    return to;
  }

  /** The timer fired: abort the request (its rejection then comes too late). */
  timeout() {
    const to = this.to;
    if (to === undefined) return;
    this.to = undefined;
    this.held.controller.abort();
    controllers.giveBack(this.held);
    to.timedOut();
  }

  stop() {
    if (this.to === undefined) return;
    this.to = undefined;
    if (this.held !== undefined) {
      controllers.stop(this.held);
      this.held.controller.abort();
      controllers.giveBack(this.held);
    }
  }

  failLater(error) {
    Promise.resolve().then(() => this.failed(error));
    return this;
  }
}

/**
 * Reads the whole answer (see `exchange`) and tells `ex`. Also
 * takes what tests often give for a Response (a mocked fetch resolving with
 * `{ ok, json }`, no `text` or `status`): the body then comes from `json()`,
 * and the status from `ok`.
 */
async function read(url, init, ex) {
  let response;
  let status;
  let parsed;
  let isJson = true;
  let empty = false;
  try {
    response = await fetch(url, init);
    status = response.status;
    if (typeof status !== 'number') status = response.ok === false ? 0 : 200;
    if (typeof response.text !== 'function' && typeof response.json === 'function') {
      try {
        parsed = await response.json();
      } catch {
        isJson = false; // as a text body that does not parse
      }
    } else {
      const text = await response.text();
      empty = text.length === 0;
      try {
        parsed = JSON.parse(text);
      } catch {
        isJson = false;
      }
    }
  } catch (e) {
    // Later, never now: a fetch that throws at once lands here while the
    // wasm is still inside `Call::send`.
    return ex.failLater(e);
  }
  // An opaque redirect (redirect: 'manual' in browsers) has status 0.
  // A mocked Response may have no headers; lastResponse.headers is always a Headers.
  const headers = response.headers ?? new Headers();
  ex.answered(status, headers, status === 0 && response.type === 'opaqueredirect', isJson, parsed, empty);
}

// The headers last sent, parsed: a client sends the same lines again and
// again (the wasm keeps them as one JS string per client). They hold the
// last client's API key until another client sends (module state, reachable
// from no API).
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

/** What is at `first`, then `second` if given (own properties only, so names like `__proto__` cannot reach in). */
function lookup(value, first, second) {
  const found = own(value, first);
  return second !== undefined && found !== MISSING ? own(found, second) : found;
}

/** The string at `first` (then `second`) in a parsed JSON body, or undefined. */
export function fieldAt(value, first, second) {
  const found = lookup(value, first, second);
  return typeof found === 'string' ? found : undefined;
}

/**
 * What kind of value is at `first` (then `second`) in a parsed JSON body:
 * 0 missing, 1 null, 2 object, 3 array, 4 number, 5 boolean, 6 string. A
 * number crosses into wasm as it is; most fields read are missing.
 */
export function fieldKind(value, first, second) {
  const found = lookup(value, first, second);
  if (found === MISSING) return 0;
  if (found === null) return 1;
  if (typeof found === 'string') return 6;
  if (Array.isArray(found)) return 3;
  if (typeof found === 'object') return 2;
  return typeof found === 'boolean' ? 5 : 4;
}
