// Node.js, ES modules: the CommonJS build's exports, so both share one
// instance (`instanceof` works across import and require). Loaded with
// `require` rather than `import`: importing CommonJS makes Node scan the
// whole file for its export names (cjs-module-lexer, a few ms of cold start).
import { createRequire } from 'node:module';

const cjs = createRequire(import.meta.url)('./node.cjs');

export const {
  Airstore,
  completeReturn,
  openAuthorizeWindow,
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
} = cjs;
export default cjs.Airstore;
