// Node only (js/node.js installs it): exchanges keep their AbortController
// and its timer for later exchanges (see `controllers` in js/exchange.js).
//
// Making an AbortController's signal costs about 2 µs in Node 20 (it is made
// transferable), a tenth of a whole call with a stubbed fetch. A controller
// whose signal never fired is kept for a later exchange. Each real fetch
// leaves a listener on the signal until its request is garbage-collected,
// so a controller serves at most MAX_USES exchanges (undici warns past
// 1,500 listeners). Not in workerd, which ties a signal to the request being
// served when it was made (a fetch in a later request with that signal
// never settles), nor in browsers, where making one is cheap.
//
// A kept controller also keeps its timer: Node re-arms a Timeout with
// `refresh()` for about 0.07 µs, against 0.34 µs for setTimeout and
// clearTimeout, and between exchanges it is unref'd, so it never holds the
// process open (if it fires then, it does nothing).
import { armTimer, controllers, MAX_DELAY } from './exchange.js';

const MAX_USES = 64;
const MAX_SPARES = 16; // enough for the concurrent calls of a busy backend

/** Installs the keeping versions of `controllers`. */
export function keepControllers() {
  const spares = [];
  Object.assign(controllers, {
    take: () => spares.pop() ?? { controller: new AbortController(), uses: 0, timer: undefined, ms: 0, madeBy: undefined, clear: undefined, fire: undefined },
    giveBack(held) {
      if (!held.controller.signal.aborted && ++held.uses < MAX_USES && spares.length < MAX_SPARES) spares.push(held);
      else held.clear?.(held.timer);
    },
    start(held, ms, ex) {
      held.fire = ex;
      const timer = held.timer;
      // The kept timer, if it was made for this delay by today's setTimeout
      // (tests may install fake timers).
      if (timer !== undefined && held.ms === ms && held.madeBy === setTimeout && typeof timer.refresh === 'function') {
        timer.refresh().ref();
        return;
      }
      held.clear?.(timer); // with the clearTimeout that goes with the timer's setTimeout
      held.ms = ms;
      held.madeBy = setTimeout;
      held.clear = clearTimeout;
      armTimer(held, ms);
    },
    stop(held) {
      held.fire = undefined;
      const timer = held.timer;
      // A delay beyond MAX_DELAY runs in steps (armTimer): not kept.
      if (held.ms <= MAX_DELAY && typeof timer?.unref === 'function') {
        timer.unref(); // kept for the next exchange
      } else {
        held.clear?.(timer);
        held.timer = undefined;
      }
    },
  });
}
