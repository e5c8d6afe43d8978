// What every entry exports: the client and the eleven error classes.
import { Airstore, OAuth } from '../build/bindgen/airstore_wasm.js';

// Bundling turns `class Airstore` into `var Airstore = class _Airstore`;
// keep the names people see in logs and stack traces.
Object.defineProperty(Airstore, 'name', { value: 'Airstore' });
Object.defineProperty(OAuth, 'name', { value: 'OAuth' });

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
