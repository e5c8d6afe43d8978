// The check of a caller's AbortSignal done on the JS side.

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
