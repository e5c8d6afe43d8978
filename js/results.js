// The objects the calls resolve with, made on this side of the boundary:
// an object literal gets one shape for every result and costs one crossing,
// where setting each member from wasm would cost one per member. The wasm
// decides every value (src/bindings/convert.rs); absent members are left
// out, never `null`, as the gateway does.

/** What getSession and poll resolve with (and what `onStatus` is told). */
export function sessionStatus(status, error, connectionId) {
  const result = { status };
  if (error !== undefined) result.error = error;
  if (connectionId !== undefined) result.connection_id = connectionId;
  return result;
}

/** What createSession resolves with. */
export function oauthSession(sessionId, authorizeUrl) {
  return { session_id: sessionId, authorize_url: authorizeUrl };
}

/** Attaches the non-enumerable `lastResponse` to a result object. */
export function attachResponse(result, statusCode, headers, requestId) {
  Object.defineProperty(result, 'lastResponse', {
    value: { statusCode, headers, requestId },
    enumerable: false,
    configurable: true,
    writable: false,
  });
  return result;
}
