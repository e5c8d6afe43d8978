// Drives a call the wasm prepared (src/bindings/call.rs): performs each step
// it asks for (an exchange, a wait, telling `onStatus`) and feeds back what
// happened; the wasm decides the next step, so retries, backoff, deadlines
// and the poll's outcome are decided in Rust (src/core/machine.rs).
//
// Written with callbacks, not `await`: the exchange (js/exchange.js) and the
// wait call this run back when they end, so a call makes one promise (the
// one it returns) where awaiting would make one per step and layer. Every
// callback is asynchronous (never from inside the call that started the
// step), and a step that was stopped calls nothing back.

import { giveBack } from './calls.js';
import { MAX_DELAY } from './exchange.js';
import { closePopup } from './popup.js';

// Step codes (src/bindings/call.rs).
const SEND = 0;
const WAIT = 1;
const REPORT = 2;
const DONE = 3;

const POPUP_LOOK_MS = 250; // windows fire no event to their opener when closed

/**
 * Runs `call` to its end: resolves with its result or rejects with its
 * error. `signal` cancels it; a poll tells `onStatus` of each check; the
 * `popup` of authorize is closed at the end, and with `watchPopup` a wait
 * ends early once it is closed.
 */
export function drive(call, signal, onStatus, popup, watchPopup) {
  return new Promise((resolve, reject) => new Run(call, resolve, reject, signal, onStatus, popup, watchPopup).begin());
}

/** One call being driven. `answered`, `timedOut`, `failed` and `woke` are its callbacks. */
class Run {
  constructor(call, resolve, reject, signal, onStatus, popup, watchPopup) {
    this.call = call;
    this.resolve = resolve;
    this.reject = reject;
    this.signal = signal;
    this.onStatus = onStatus;
    this.popup = popup;
    this.watchPopup = watchPopup;
    this.onAbort = undefined;
    // The step under way (an exchange or a sleep): `stop()` ends it without
    // a callback. Undefined between steps.
    this.pending = undefined;
    this.ended = false;
  }

  begin() {
    try {
      const signal = this.signal;
      if (signal !== undefined) {
        this.onAbort = () => this.interrupted();
        signal.addEventListener('abort', this.onAbort);
      }
      this.next(signal?.aborted ? this.call.cancelled(reasonOf(this.signal)) : this.call.start(Date.now()));
    } catch (e) {
      this.end(e, false);
    }
  }

  /** Takes steps until one has to wait for the outside world, or the end. */
  next(step) {
    const call = this.call;
    for (;;) {
      if ((step === SEND || step === WAIT) && this.signal?.aborted) {
        step = call.cancelled(reasonOf(this.signal));
      } else if (step === SEND) {
        this.pending = call.send(this); // calls this.answered, this.timedOut or this.failed
        // A fetch (or a wrapper) may fire the caller's signal while starting.
        if (this.signal?.aborted) this.interrupted();
        return;
      } else if (step === WAIT) {
        this.pending = new Sleep(call.ms, this.watchPopup ? this.popup : undefined, this); // calls this.woke
        return;
      } else if (step === REPORT) {
        let threw = false;
        let thrown;
        if (this.onStatus !== undefined) {
          try {
            this.onStatus(call.value, call.attempt);
          } catch (e) {
            threw = true;
            thrown = e;
          }
        }
        step = call.reported(threw, thrown);
      } else {
        return this.end(call.value, step === DONE);
      }
    }
  }

  /** The exchange's answer (numbers and booleans cross into wasm as they are). */
  answered(status, headers, opaqueRedirect, isJson, parsed, empty) {
    this.pending = undefined;
    try {
      this.next(this.call.answered(status, headers, opaqueRedirect, isJson, parsed, empty, Date.now(), Math.random()));
    } catch (e) {
      this.end(e, false);
    }
  }

  /** The exchange's time ran out. */
  timedOut() {
    this.pending = undefined;
    try {
      this.next(this.call.timedOut(Date.now(), Math.random()));
    } catch (e) {
      this.end(e, false);
    }
  }

  /** fetch rejected with `error`. */
  failed(error) {
    this.pending = undefined;
    try {
      this.next(this.call.failed(error, Date.now(), Math.random()));
    } catch (e) {
      this.end(e, false);
    }
  }

  /** The wait is over. */
  woke() {
    this.pending = undefined;
    try {
      this.next(this.call.woke(Date.now()));
    } catch (e) {
      this.end(e, false);
    }
  }

  /** The caller's signal fired: ends the step under way at once. */
  interrupted() {
    const pending = this.pending;
    if (pending === undefined || this.ended) return; // between steps, `next` looks at the signal
    this.pending = undefined;
    try {
      pending.stop();
      this.next(this.call.cancelled(reasonOf(this.signal)));
    } catch (e) {
      this.end(e, false);
    }
  }

  end(value, ok) {
    if (this.ended) return;
    this.ended = true;
    try {
      this.signal?.removeEventListener('abort', this.onAbort);
    } catch {
      // A signal whose listener cannot be removed can no longer reach us: `ended`.
    }
    if (this.popup !== undefined) closePopup(this.popup);
    if (ok) this.resolve(value);
    else this.reject(value);
    giveBack(this.call);
  }
}

/** `signal.reason`, kept as the error's `cause` (undefined if reading it throws). */
function reasonOf(signal) {
  try {
    return signal.reason;
  } catch {
    return undefined;
  }
}

/**
 * Waits `ms`, or less, then calls `to.woke()`: less when the page shows
 * again (browsers throttle timers in hidden tabs, and a completed session is
 * deleted about 30 s after completion, so look at once), or when `popup` is
 * closed. `stop()` ends it without the call.
 */
class Sleep {
  constructor(ms, popup, to) {
    this.to = to;
    this.timer = undefined;
    this.look = undefined;
    this.doc = undefined;
    const doc = globalThis.document;
    if (typeof doc?.addEventListener === 'function') {
      this.doc = doc;
      this.onVisibility = () => {
        if (doc.visibilityState === 'visible') this.end(true);
      };
      doc.addEventListener('visibilitychange', this.onVisibility);
    }
    // A popup closed already: look at once (still from a timer, never from here).
    this.arm(popup?.closed === true ? 0 : Math.max(ms, 0));
    if (popup !== undefined) {
      this.look = setInterval(() => {
        if (popup.closed === true) this.end(true);
      }, POPUP_LOOK_MS);
    }
  }

  arm(left) {
    this.timer = setTimeout(() => (left > MAX_DELAY ? this.arm(left - MAX_DELAY) : this.end(true)), Math.min(Math.ceil(left), MAX_DELAY));
  }

  stop() {
    this.end(false);
  }

  end(woke) {
    if (this.to === undefined) return;
    const to = this.to;
    this.to = undefined;
    clearTimeout(this.timer);
    clearInterval(this.look);
    this.doc?.removeEventListener('visibilitychange', this.onVisibility);
    if (woke) to.woke();
  }
}
