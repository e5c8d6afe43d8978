// The hot path of one HTTP exchange, on the JS side of the wasm boundary.
// Each crossing between wasm and JS costs (strings are re-encoded, closures
// registered), so one call here does what would otherwise take dozens:
// build the fetch options, start the per-request timer, read and parse the
// body. The decisions (what to send, what an answer means, retries) stay in
// Rust. Globals (`fetch`, `setTimeout`) are looked up at call time.

const MAX_DELAY = 2147483647; // setTimeout fires at once beyond 2^31-1 ms

// Resolution of `exchange` when the time ran out.
const TIMED_OUT = 0;

// How to stop each exchange under way, for `abortExchange`.
const running = new WeakMap();

/**
 * Sends one request and reads the whole body within `timeoutMs`, aborting
 * the request when the time runs out. Resolves with TIMED_OUT, or with
 * [status, headers, opaqueRedirect, isJson, parsedBody, emptyBody]; rejects
 * with what fetch rejected with. `abortExchange(promise)` aborts it.
 */
export function exchange(url, method, headerLines, body, timeoutMs) {
  // A new controller each time. Reusing one whose signal never fired would
  // save about 3 µs in Node, but workerd ties a signal to the request being
  // served when it was made: a fetch in a later request with that signal
  // never settles (tests/pack caught it).
  let controller;
  let timer;
  const answer = new Promise((resolve, reject) => {
    try {
      controller = new AbortController();
    } catch (e) {
      return reject(e); // a runtime without AbortController: a network error
    }
    const arm = (left) => {
      timer = setTimeout(() => {
        if (left > MAX_DELAY) return arm(left - MAX_DELAY);
        controller.abort();
        resolve(TIMED_OUT);
      }, Math.min(left, MAX_DELAY));
    };
    arm(timeoutMs);
    const settle = (fn) => (value) => {
      clearTimeout(timer);
      running.delete(answer);
      fn(value);
    };
    let sent;
    try {
      const headers = Object.create(null); // so a header named __proto__ is kept
      for (const line of headerLines.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon)] = line.slice(colon + 1);
      }
      const init = { method, headers, signal: controller.signal, redirect: 'manual' };
      if (body !== undefined) init.body = body;
      sent = fetch(url, init);
    } catch (e) {
      sent = Promise.reject(e);
    }
    Promise.resolve(sent)
      .then((response) =>
        response.text().then((text) => {
          let parsed;
          let isJson = true;
          try {
            parsed = JSON.parse(text);
          } catch {
            isJson = false;
          }
          return [response.status, response.headers, response.type === 'opaqueredirect', isJson, parsed, text.length === 0];
        }),
      )
      .then(settle(resolve), settle(reject));
  });
  running.set(answer, () => {
    clearTimeout(timer);
    controller?.abort();
  });
  return answer;
}

/** Aborts the exchange `answer` came from (the caller's signal fired). */
export function abortExchange(answer) {
  running.get(answer)?.();
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

/** Attaches the non-enumerable `lastResponse` to a result object. */
export function attachResponse(result, statusCode, headers, requestId) {
  Object.defineProperty(result, 'lastResponse', {
    value: { statusCode, headers, requestId },
    enumerable: false,
    configurable: true,
    writable: false,
  });
  return result;
}
