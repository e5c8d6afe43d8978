// The error classes of the Airstore client (CONTRACT section 2). They are
// real JS classes so `instanceof` works; the wasm builds them through
// `makeError`. Each `name` is set literally because minifiers rename classes.

export class AirstoreError extends Error {
  constructor(message, cause) {
    super(message);
    this.name = 'AirstoreError';
    if (cause !== undefined) this.cause = cause;
  }
}

export class APIError extends AirstoreError {
  constructor(status, message, headers, requestId) {
    super(message ?? `Request failed with status ${status}`);
    this.name = 'APIError';
    this.status = status;
    this.headers = headers;
    this.requestId = requestId;
  }
}

export class AuthenticationError extends APIError {
  constructor(message, headers, requestId) {
    super(401, message, headers, requestId);
    this.name = 'AuthenticationError';
  }
}

export class PermissionDeniedError extends APIError {
  constructor(message, headers, requestId) {
    super(403, message, headers, requestId);
    this.name = 'PermissionDeniedError';
  }
}

export class NotFoundError extends APIError {
  constructor(message, headers, requestId) {
    super(404, message, headers, requestId);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends APIError {
  constructor(message, headers, requestId) {
    super(409, message, headers, requestId);
    this.name = 'ConflictError';
  }
}

export class UnprocessableEntityError extends APIError {
  constructor(message, headers, requestId) {
    super(422, message, headers, requestId);
    this.name = 'UnprocessableEntityError';
  }
}

export class RateLimitError extends APIError {
  constructor(message, headers, requestId) {
    super(429, message, headers, requestId);
    this.name = 'RateLimitError';
  }
}

export class InternalServerError extends APIError {
  constructor(status, message, headers, requestId) {
    super(status, message, headers, requestId);
    this.name = 'InternalServerError';
  }
}

export class APIConnectionError extends AirstoreError {
  constructor(message = 'Connection error.', cause) {
    super(message, cause);
    this.name = 'APIConnectionError';
  }
}

export class APIConnectionTimeoutError extends APIConnectionError {
  constructor(message = 'Request timed out', cause) {
    super(message, cause);
    this.name = 'APIConnectionTimeoutError';
  }
}

export class PopupClosedError extends AirstoreError {
  constructor(message = 'The authorization window was closed before the connection was made', cause) {
    super(message, cause);
    this.name = 'PopupClosedError';
  }
}

export class PopupBlockedError extends AirstoreError {
  constructor(message = 'The popup was blocked', cause) {
    super(message, cause);
    this.name = 'PopupBlockedError';
  }
}

// A minifier renames the classes (the workerd entry ships minified, and app
// bundlers minify the others): keep the names `constructor.name` and logs show.
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
  switch (name) {
    case 'APIError': return new APIError(status, message, headers, requestId);
    case 'AuthenticationError': return new AuthenticationError(message, headers, requestId);
    case 'PermissionDeniedError': return new PermissionDeniedError(message, headers, requestId);
    case 'NotFoundError': return new NotFoundError(message, headers, requestId);
    case 'ConflictError': return new ConflictError(message, headers, requestId);
    case 'UnprocessableEntityError': return new UnprocessableEntityError(message, headers, requestId);
    case 'RateLimitError': return new RateLimitError(message, headers, requestId);
    case 'InternalServerError': return new InternalServerError(status, message, headers, requestId);
    case 'APIConnectionError': return new APIConnectionError(message, cause);
    case 'APIConnectionTimeoutError': return new APIConnectionTimeoutError(message, cause);
    case 'PopupClosedError': return new PopupClosedError(message, cause);
    case 'PopupBlockedError': return new PopupBlockedError(message, cause);
    default: return new AirstoreError(message, cause);
  }
}
