// Calls whose run is over, kept for the next ones: making a `Call` costs a
// FinalizationRegistry entry (about 0.4 µs in Node). A few suffice for the
// concurrent calls of a busy backend; beyond them a call is freed.
import { Call } from '../build/bindgen/airstore_wasm.js';

const MAX_IDLE = 16;
const idle = [];

/** A `Call` for `OAuth.start*` to prepare. */
export function takeCall() {
  return idle.pop() ?? new Call();
}

/** Takes back a call whose run is over (or that was never prepared). */
export function giveBack(call) {
  try {
    if (idle.length < MAX_IDLE) {
      call.clear(); // holds no JS value while idle
      idle.push(call);
    } else {
      call.free();
    }
  } catch {
    // A call left borrowed by a JS exception thrown through the wasm: not
    // reused (its memory is the FinalizationRegistry's to free).
  }
}
