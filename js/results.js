// The objects the calls resolve with, made on this side of the boundary:
// an object literal gets one shape for every result and costs one crossing,
// where setting each member from wasm would cost one per member. The wasm
// decides every value (src/bindings/convert.rs); absent members are left
// out, never `null`, as the gateway does.

/**
 * What getSession and poll resolve with; with a `statusCode`, it has
 * `lastResponse` (what `onStatus` is told has none).
 */
export function sessionStatus(status, error, connectionId, statusCode, headers, requestId) {
  const result = { status };
  if (error !== undefined) result.error = error;
  if (connectionId !== undefined) result.connection_id = connectionId;
  return statusCode === 0 ? result : attachResponse(result, statusCode, headers, requestId);
}

/** What createSession resolves with. */
export function oauthSession(sessionId, authorizeUrl, statusCode, headers, requestId) {
  return attachResponse({ session_id: sessionId, authorize_url: authorizeUrl }, statusCode, headers, requestId);
}

// One descriptor for every `lastResponse`, its value set for each use.
const described = { value: undefined, enumerable: false, configurable: true, writable: false };

/** Attaches the non-enumerable `lastResponse` to a result object. */
function attachResponse(result, statusCode, headers, requestId) {
  described.value = { statusCode, headers, requestId };
  Object.defineProperty(result, 'lastResponse', described);
  described.value = undefined; // holds nothing between calls
  return result;
}
