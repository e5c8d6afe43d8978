// The error classes of the Airstore client (CONTRACT section 2). They are
// real JS classes so `instanceof` works; the wasm builds them through
// `makeError`, with the class name the core's error table decides.

export class AirstoreError extends Error {
  constructor(message, cause) {
    super(message);
    // The class's own name, set literally below (minifiers rename classes).
    this.name = new.target.name;
    if (cause !== undefined) this.cause = cause;
  }
}

export class APIError extends AirstoreError {
  constructor(status, message, headers, requestId) {
    super(message ?? `Request failed with status ${status}`);
    this.status = status;
    this.headers = headers;
    this.requestId = requestId;
  }
}

export class AuthenticationError extends APIError {
  constructor(message, headers, requestId) { super(401, message, headers, requestId); }
}

export class PermissionDeniedError extends APIError {
  constructor(message, headers, requestId) { super(403, message, headers, requestId); }
}

export class NotFoundError extends APIError {
  constructor(message, headers, requestId) { super(404, message, headers, requestId); }
}

export class ConflictError extends APIError {
  constructor(message, headers, requestId) { super(409, message, headers, requestId); }
}

export class UnprocessableEntityError extends APIError {
  constructor(message, headers, requestId) { super(422, message, headers, requestId); }
}

export class RateLimitError extends APIError {
  constructor(message, headers, requestId) { super(429, message, headers, requestId); }
}

/** 500 and above: the status is the answer's. */
export class InternalServerError extends APIError {}

export class APIConnectionError extends AirstoreError {
  constructor(message = 'Connection error.', cause) { super(message, cause); }
}

export class APIConnectionTimeoutError extends APIConnectionError {
  constructor(message = 'Request timed out', cause) { super(message, cause); }
}

export class PopupClosedError extends AirstoreError {
  constructor(message = 'The authorization window was closed before the connection was made', cause) { super(message, cause); }
}

export class PopupBlockedError extends AirstoreError {
  constructor(message = 'The popup was blocked', cause) { super(message, cause); }
}

// A minifier renames the classes (the workerd entry ships minified, and app
// bundlers minify the others): keep the names `constructor.name`, `error.name`
// and logs show.
const NAMED = {
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
};
for (const name of Object.keys(NAMED)) Object.defineProperty(NAMED[name], 'name', { value: name });

// Called from Rust with the class name decided by the core's error table.
export function makeError(name, message, status, headers, requestId, cause) {
  const C = NAMED[name] ?? AirstoreError;
  if (C === APIError || C === InternalServerError) return new C(status, message, headers, requestId);
  if (C.prototype instanceof APIError) return new C(message, headers, requestId);
  return new C(message, cause);
}
