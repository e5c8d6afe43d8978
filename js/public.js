// What every entry exports: the client and the eleven error classes.
import { Airstore, OAuth } from '../build/bindgen/airstore_wasm.js';
import { giveBack, takeCall } from './calls.js';
import { drive } from './driver.js';

// Bundling turns `class Airstore` into `var Airstore = class _Airstore`;
// keep the names people see in logs and stack traces.
Object.defineProperty(Airstore, 'name', { value: 'Airstore' });
Object.defineProperty(OAuth, 'name', { value: 'OAuth' });

// The wasm prepares each call (`startGetSession`, …: every argument checked,
// a throw if one is wrong) into a `Call`, and js/driver.js runs it. The
// public methods always return a promise: a bad argument rejects it,
// nothing is sent.
for (const name of ['createSession', 'getSession', 'poll', 'authorize']) {
  const start = `start${name[0].toUpperCase()}${name.slice(1)}`;
  const prepare = OAuth.prototype[start];
  delete OAuth.prototype[start];
  Object.defineProperty(OAuth.prototype, name, {
    value: {
      // Fixed parameters (each method takes at most three): faster than
      // rest and apply on the hot path.
      [name](a, b, c) {
        const call = takeCall();
        try {
          prepare.call(this, call, a, b, c);
        } catch (error) {
          giveBack(call);
          return Promise.reject(error);
        }
        return drive(call); // gives the call back when it ends
      },
    }[name],
    writable: true,
    configurable: true,
  });
}

export { Airstore, Airstore as default };
export {
  AirstoreError,
  APIError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  APIConnectionTimeoutError,
} from './errors.js';
