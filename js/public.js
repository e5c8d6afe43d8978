// What every entry exports: the client and the eleven error classes.
export { Airstore, Airstore as default } from '../build/bindgen/airstore_wasm.js';
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
