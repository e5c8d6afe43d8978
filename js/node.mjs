// Node.js, ES modules: the CommonJS build's exports, so both share one
// instance (`instanceof` works across import and require).
import cjs from './node.cjs';

export const {
  Airstore,
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
} = cjs;
export default cjs.Airstore;
