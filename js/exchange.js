// The hot path of one HTTP exchange, on the JS side of the wasm boundary.
// Each crossing between wasm and JS costs (strings are re-encoded, closures
// registered), so one call here does what would otherwise take dozens:
// build the fetch options, start the per-request timer, read and parse the
// body. The decisions (what to send, what an answer means, retries) stay in
// Rust. Globals (`fetch`, `setTimeout`) are looked up at call time.

const MAX_DELAY = 2147483647; // setTimeout fires at once beyond 2^31-1 ms

// Resolution of `exchange` when the time ran out.
const TIMED_OUT = 0;

/**
 * Sends one request and reads the whole body within `timeoutMs`, aborting
 * `controller` when the time runs out. Resolves with TIMED_OUT, or with
 * [status, headers, opaqueRedirect, isJson, parsedBody, emptyBody]; rejects
 * with what fetch rejected with.
 */
export function exchange(url, method, headerLines, body, controller, timeoutMs) {
  return new Promise((resolve, reject) => {
    let timer;
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
}

/**
 * What is at `path` (dot-separated own properties) in a parsed JSON body:
 * the string itself, or a code for what else is there.
 */
export function fieldAt(value, path) {
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) return 0;
    value = value[key];
  }
  if (typeof value === 'string') return value;
  if (value === null) return 1;
  if (Array.isArray(value)) return 3;
  if (typeof value === 'object') return 2;
  return typeof value === 'boolean' ? 5 : 4;
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
