// `exchange` as a promise, for the Rust platform (src/platform), which
// awaits it as a future. A module of its own so that the npm package's
// bundles, which never use it, do not carry it.
import { exchange } from './exchange.js';

/**
 * Resolves with what `to.answered` would be told, rejects with what
 * `to.failed` would; `abortExchange(promise)` stops it.
 */
export function exchangePromise(url, method, headerLines, body, timeoutMs) {
  let ex;
  const answer = new Promise((resolve, reject) => {
    ex = exchange(url, method, headerLines, body, timeoutMs, { answered: resolve, failed: reject });
  });
  answer.stop = () => ex.stop();
  return answer;
}

/** Stops the exchange of `exchangePromise` (the caller's signal fired). */
export function abortExchange(answer) {
  answer.stop?.();
}
