// What every entry exports: the client and the eleven error classes.
// `Airstore` and its `OAuth` resource are wasm-bindgen's classes: each
// method is a Rust `async fn` (src/bindings/mod.rs) that reads the caller's
// values, runs the call over fetch and timers, and resolves or rejects the
// promise it returns.
import { Airstore, OAuth, completeReturn, openAuthorizeWindow } from '../build/bindgen/airstore_wasm.js';

// Minifiers rename classes (`class Airstore` becomes `class r`): keep the
// names people see in logs and `constructor.name`.
Object.defineProperty(Airstore, 'name', { value: 'Airstore' });
Object.defineProperty(OAuth, 'name', { value: 'OAuth' });

export { Airstore, completeReturn, openAuthorizeWindow };
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
  PopupClosedError,
  PopupBlockedError,
} from './errors.js';
export { Airstore as default };
