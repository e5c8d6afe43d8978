// Drives a call the wasm prepared (src/bindings/call.rs): performs each step
// it asks for (an exchange, a wait, telling `onStatus`) and feeds back what
// happened; the wasm decides the next step, so retries, backoff, deadlines
// and the poll's outcome are decided in Rust (src/core/machine.rs). Driving
// from here, not from Rust futures, saves two closures and two microtask
// hops per awaited promise, and the futures' code in the wasm.

import { giveBack } from './calls.js';
import { abortExchange, TIMED_OUT } from './exchange.js';

// Step codes (src/bindings/call.rs).
const SEND = 0;
const WAIT = 1;
const REPORT = 2;
const DONE = 3;

const MAX_DELAY = 2147483647; // setTimeout fires at once beyond 2^31-1 ms
const POPUP_LOOK_MS = 250; // windows fire no event to their opener when closed
const CANCELLED = {}; // what an interrupted step resolves with
const WOKE = {};

/** Runs `call` to its end: resolves with its result or rejects with its error. */
export async function drive(call) {
  const has = call.has; // see Call::has: most calls have none of these
  const signal = has & 1 ? call.signal : undefined;
  const onStatus = has & 2 ? call.onStatus : undefined;
  const popup = has & 4 ? call.popup : undefined;
  const watchPopup = (has & 8) !== 0;
  // Ends the step under way when the caller's signal fires.
  let interrupt;
  const onAbort = () => interrupt?.(CANCELLED);
  try {
    signal?.addEventListener('abort', onAbort);
    let step = signal?.aborted ? call.cancelled() : call.start(Date.now());
    for (;;) {
      if ((step === SEND || step === WAIT) && signal?.aborted) {
        step = call.cancelled();
      } else if (step === SEND) {
        const answer = call.send();
        let outcome;
        try {
          outcome = signal ? await interruptible(answer, (end) => (interrupt = end)) : await answer;
        } catch (error) {
          step = call.failed(error, Date.now(), Math.random());
          continue;
        } finally {
          interrupt = undefined;
        }
        if (outcome === CANCELLED) {
          abortExchange(answer);
          step = call.cancelled();
        } else if (outcome === TIMED_OUT) {
          step = call.timedOut(Date.now(), Math.random());
        } else {
          // The parts one by one: numbers and booleans cross as they are.
          const [status, headers, opaqueRedirect, isJson, parsed, empty] = outcome;
          step = call.answered(status, headers, opaqueRedirect, isJson, parsed, empty, Date.now(), Math.random());
        }
      } else if (step === WAIT) {
        const outcome = await wait(call.ms, watchPopup ? popup : undefined, (end) => (interrupt = end));
        interrupt = undefined;
        step = outcome === CANCELLED ? call.cancelled() : call.woke(Date.now());
      } else if (step === REPORT) {
        let threw = false;
        let thrown;
        if (onStatus !== undefined) {
          try {
            onStatus(call.value, call.attempt);
          } catch (e) {
            threw = true;
            thrown = e;
          }
        }
        step = call.reported(threw, thrown);
      } else if (step === DONE) {
        return call.value;
      } else {
        throw call.value;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (popup !== undefined) closeWindow(popup);
    giveBack(call);
  }
}

/** Closes the popup of `authorize` if it is still open. */
function closeWindow(popup) {
  try {
    if (popup.closed === false) popup.close();
  } catch {
    // A window that cannot be closed from here is the page's to close.
  }
}

/** `promise`, unless `setEnd`'s function is called first (with its value). */
function interruptible(promise, setEnd) {
  return new Promise((resolve, reject) => {
    setEnd(resolve);
    promise.then(resolve, reject);
  });
}

/**
 * Waits `ms`, or less: when the page shows again (browsers throttle timers
 * in hidden tabs, and a completed session is deleted about 30 s after
 * completion, so look at once), or when `popup` is closed. Resolves with
 * WOKE, or with what `setEnd`'s function is called with.
 */
function wait(ms, popup, setEnd) {
  return new Promise((resolve) => {
    const doc = globalThis.document;
    const watchesPage = typeof doc?.addEventListener === 'function';
    let timer;
    let look;
    const end = (why) => {
      clearTimeout(timer);
      clearInterval(look);
      if (watchesPage) doc.removeEventListener('visibilitychange', onVisibility);
      resolve(why);
    };
    const onVisibility = () => {
      if (doc.visibilityState === 'visible') end(WOKE);
    };
    const arm = (left) => {
      timer = setTimeout(() => (left > MAX_DELAY ? arm(left - MAX_DELAY) : end(WOKE)), Math.min(Math.ceil(left), MAX_DELAY));
    };
    setEnd(end);
    if (popup?.closed === true) return end(WOKE);
    arm(Math.max(ms, 0));
    if (watchesPage) doc.addEventListener('visibilitychange', onVisibility);
    if (popup !== undefined) {
      look = setInterval(() => {
        if (popup.closed === true) end(WOKE);
      }, POPUP_LOOK_MS);
    }
  });
}
