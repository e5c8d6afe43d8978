// Bundlers building for Node (esbuild, webpack, Rollup: the "module"
// condition, which Node itself ignores): the CommonJS build's exports, by a
// static import the bundler can follow. Node loads dist/node.mjs instead,
// which skips the export-name scan a static import of CommonJS costs.
// The bundle reads the .wasm from its own directory: copy
// airstore_wasm_bg.wasm next to it.
import cjs from './node.cjs';

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
