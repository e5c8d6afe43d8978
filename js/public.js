// What every entry exports: the client and the eleven error classes.
import { Airstore, OAuth } from '../build/bindgen/airstore_wasm.js';
import { drive } from './driver.js';

// Bundling turns `class Airstore` into `var Airstore = class _Airstore`;
// keep the names people see in logs and stack traces.
Object.defineProperty(Airstore, 'name', { value: 'Airstore' });
Object.defineProperty(OAuth, 'name', { value: 'OAuth' });

// The wasm prepares each call (`startGetSession`, …: every argument checked,
// a throw if one is wrong) and js/driver.js runs it. The public methods
// always return a promise: a bad argument rejects it, nothing is sent.
for (const name of ['createSession', 'getSession', 'poll', 'authorize']) {
  const start = `start${name[0].toUpperCase()}${name.slice(1)}`;
  const prepare = OAuth.prototype[start];
  delete OAuth.prototype[start];
  Object.defineProperty(OAuth.prototype, name, {
    value: {
      [name](...args) {
        let call;
        try {
          call = prepare.apply(this, args);
        } catch (error) {
          return Promise.reject(error);
        }
        return drive(call);
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
