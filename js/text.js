// Checks of JS values done on the JS side, each in one call instead of
// many wasm crossings.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `s` has no lone surrogate (String.prototype.isWellFormed, Node 20+, with a fallback). */
export function isWellFormed(s) {
  return typeof s.isWellFormed === 'function' ? s.isWellFormed() : !LONE_SURROGATE.test(s);
}

function ignore() {}

/**
 * Whether `signal` takes (and gives back) an 'abort' listener: one that
 * refuses could never stop the call that js/driver.js runs with it.
 */
export function acceptsListener(signal) {
  try {
    signal.addEventListener('abort', ignore);
    signal.removeEventListener('abort', ignore);
    return true;
  } catch {
    return false;
  }
}
