// `exchange` as a promise, for the Rust platform (src/platform), which
// awaits it as a future. A module of its own so that the npm package's
// bundles, which never use it, do not carry it.
import { exchange } from './exchange.js';

// What the promise resolves with when the time ran out (src/platform reads it).
const TIMED_OUT = 0;

/**
 * Resolves with TIMED_OUT or [status, headers, opaqueRedirect, isJson,
 * parsedBody, emptyBody], rejects with what fetch rejected with;
 * `abortExchange(promise)` stops it.
 */
export function exchangePromise(url, method, headerLines, body, timeoutMs) {
  let ex;
  const answer = new Promise((resolve, reject) => {
    const to = { answered: (...answer) => resolve(answer), timedOut: () => resolve(TIMED_OUT), failed: reject };
    ex = exchange(url, method, headerLines, body, timeoutMs, to);
  });
  answer.stop = () => ex.stop();
  return answer;
}

/** Stops the exchange of `exchangePromise` (the caller's signal fired). */
export function abortExchange(answer) {
  answer.stop?.();
}
