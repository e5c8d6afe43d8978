// airstore-wasm: the Airstore OAuth client, in Rust compiled to WebAssembly.
// Works in browsers, Cloudflare Workers, Node.js 18+, Deno and Bun with no
// set-up code.

// The runtime's own Headers, AbortSignal and Window types where it has them
// (DOM lib, @types/node, workers types); a structural stand-in otherwise, so
// these declarations type-check with any `lib` setting.
type HeadersLike = typeof globalThis extends { Headers: { prototype: infer H } }
  ? H
  : { get(name: string): string | null; has(name: string): boolean; forEach(cb: (value: string, key: string) => void): void };
type AbortSignalLike = typeof globalThis extends { AbortSignal: { prototype: infer S } }
  ? S
  : { readonly aborted: boolean; readonly reason?: unknown; addEventListener(type: 'abort', listener: () => void): void; removeEventListener(type: 'abort', listener: () => void): void };
type WindowLike = typeof globalThis extends { Window: { prototype: infer W } }
  ? W
  : { readonly closed: boolean; close(): void; location: { href: string } };

/** The providers Airstore connects through OAuth. */
export type IntegrationType = 'gmail' | 'gdrive' | 'github' | 'notion' | 'linear' | 'slack';

/** Parameters of {@link OAuthResource.createSession}. */
export interface OAuthSessionCreateParams {
  /** Provider: gmail, gdrive, github, notion, linear, slack. */
  integrationType: IntegrationType;
  /** Workspace to attach the connection to. Required for org/admin tokens; optional for workspace tokens (derived from the token). */
  workspaceId?: string | undefined;
  /** URL to redirect to after OAuth completes (same-tab flow): a path starting with `/`, or an http(s) URL. If omitted, a static success/error page is shown. */
  returnTo?: string | undefined;
}

/** A new OAuth session. */
export interface OAuthSession {
  /** Session ID for polling (32 lowercase hex characters). */
  session_id: string;
  /** URL to send the user to in their browser. */
  authorize_url: string;
}

/** The state of an OAuth session. */
export interface OAuthSessionStatus {
  /** `pending` until the user finishes; then `complete` or `error`. */
  status: 'pending' | 'complete' | 'error';
  /** Error message if status is `error` (for example `google: access_denied`). */
  error?: string;
  /** Connection ID if status is `complete` (for example `conn_xyz789`). */
  connection_id?: string;
}

/** Options of {@link OAuthResource.poll}. */
export interface OAuthPollOptions {
  /** Max time to wait in ms. Default 300000 (5 minutes). The poll settles at this deadline even if a request is in flight. */
  timeout?: number | undefined;
  /** Polling interval in ms. Default 2000. */
  interval?: number | undefined;
  /** Stops the poll at once: it rejects with `AirstoreError('Request was cancelled')`. Takes precedence over `options.signal`. */
  signal?: AbortSignalLike | undefined;
  /** Called after each check with the status and the 1-based check number, for progress in a UI. If it throws, the poll rejects. */
  onStatus?: ((status: OAuthSessionStatus, attempt: number) => void) | undefined;
}

/** What `onEvent` is told of a browser flow, with `at` (`Date.now()`) on each. */
export type OAuthFlowEvent =
  | { type: 'opened'; at: number; mode: 'popup' | 'redirect' }
  | { type: 'blocked'; at: number }
  | { type: 'window_closed'; at: number }
  | { type: 'returned'; at: number }
  | { type: 'check'; at: number; status: 'pending' | 'complete' | 'error'; attempt: number }
  | { type: 'completed'; at: number; connection_id?: string }
  | { type: 'failed'; at: number; error: AirstoreError }
  | { type: 'cancelled'; at: number }
  | { type: 'timed_out'; at: number };

/** Options of {@link OAuthResource.resume}. */
export interface OAuthResumeOptions {
  /** Polling interval in ms. Default 2000. */
  interval?: number | undefined;
  /** Stops the flow at once: it rejects with `AirstoreError('Request was cancelled')`. */
  signal?: AbortSignalLike | undefined;
  /** Called after each check with the status and the 1-based check number. If it throws, the flow rejects. */
  onStatus?: ((status: OAuthSessionStatus, attempt: number) => void) | undefined;
  /** Told of each step; every flow ends with exactly one of `completed`, `failed`, `cancelled`, `timed_out`. */
  onEvent?: ((event: OAuthFlowEvent) => void) | undefined;
}

/** Options of {@link OAuthResource.authorize}. */
export interface OAuthAuthorizeOptions extends OAuthPollOptions {
  /**
   * `'popup'` (default): a popup; a blocked one rejects at once with
   * `PopupBlockedError`. `'redirect'`: the whole page goes to the provider
   * (the flow is kept in `sessionStorage`; call {@link OAuthResource.resume}
   * when the app loads again; this promise never settles, the page leaves).
   * `'auto'`: a popup, and the redirect when the popup is blocked.
   */
  mode?: 'popup' | 'redirect' | 'auto' | undefined;
  /** Told of each step; every flow ends with exactly one of `completed`, `failed`, `cancelled`, `timed_out`. */
  onEvent?: ((event: OAuthFlowEvent) => void) | undefined;
  /**
   * A window you opened yourself, synchronously in the click handler
   * (`window.open('', 'airstore-oauth', 'popup')`), so popup blockers allow
   * it. Without it, `authorize` opens one, which a blocker may refuse if
   * `authorize` runs after an `await`.
   */
  popup?: WindowLike | null | undefined;
  /**
   * A window that reads `closed` is only a hint: a provider page that sends
   * `Cross-Origin-Opener-Policy` makes it read closed while the person is
   * still consenting. It triggers a check at once and the flow goes on; the
   * flow ends with `PopupClosedError` only when the window reads closed, this
   * page has had focus back for 1.5 s, and a check still says pending.
   * Default true; `false` never ends the flow on a closed window.
   */
  endOnClose?: boolean | undefined;
  /**
   * The only hosts (`host` or `host:port`, case-insensitive) the window may be
   * sent to; `authorize` rejects any other `authorize_url` before opening a
   * window. Without it, any http(s) URL is opened (never plain http from an
   * https page, loopback aside).
   */
  allowedAuthorizeHosts?: readonly string[] | undefined;
}

/** Options of the client. */
export interface ClientOptions {
  /** Default: `AIRSTORE_API_KEY` from the environment where there is one (Node: `process.env`). Required unless the environment has it. */
  apiKey?: string | undefined;
  /** Default: `AIRSTORE_BASE_URL`, else `https://api.airstore.ai/api/v1`. Must be http(s); trailing `/` stripped. */
  baseURL?: string | undefined;
  /** Per-request timeout in ms, covering the whole exchange including the body. Default 60000. */
  timeout?: number | undefined;
  /** Retries after a retryable failure (408, 409, 429, 500, 502, 503, 504, or a network failure). Default 2, so 3 attempts at most. */
  maxRetries?: number | undefined;
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string> | undefined;
  /**
   * A client with an API key refuses to be made in a browser page (a
   * `window` with a `document`), where anyone who opens the page can read the
   * key: create sessions on your server and use {@link Airstore.keyless}
   * there. Set this to `true` only for a page that is not public.
   */
  dangerouslyAllowBrowser?: boolean | undefined;
}

/** Options of {@link Airstore.keyless}: a client for browsers that holds no API key. */
export type KeylessClientOptions = Omit<ClientOptions, 'apiKey'>;

/** Per-call options. */
export interface RequestOptions {
  /** Overrides the client's timeout (ms) for this call. */
  timeout?: number | undefined;
  /** Overrides the client's maxRetries for this call. */
  maxRetries?: number | undefined;
  /** Cancels the call: it rejects at once with `AirstoreError('Request was cancelled')` and sends nothing more. */
  signal?: AbortSignalLike | undefined;
  /** Extra headers for this call; they replace default headers of the same name. */
  headers?: Record<string, string> | undefined;
}

/** The HTTP answer behind a result, as its `lastResponse`. */
export interface ResponseMeta {
  /** The HTTP status of the answer (200, 201). */
  statusCode: number;
  /** The answer's headers, as the runtime's `Headers`. */
  headers: HeadersLike;
  /** The `x-request-id` response header: quote it when you ask Airstore about a call. */
  requestId: string | undefined;
}

/**
 * A result as the documentation shows it (snake_case members, absent ones
 * left out) plus `lastResponse`, the HTTP answer behind it.
 *
 * `lastResponse` is non-enumerable: it is not in `JSON.stringify(result)`,
 * `{ ...result }` or `Object.keys(result)`, so results can be stored or sent
 * on as they are.
 */
export type WithResponseMeta<T> = T & {
  /** The HTTP answer behind this result (non-enumerable). */
  readonly lastResponse: ResponseMeta;
};

/** `airstore.oauth`: interactive connection flows where users authorize access in their browser. */
export interface OAuthResource {
  /** Creates an OAuth session and gets the URL to send the user to. Needs an API key: call it server-side. */
  createSession(params: OAuthSessionCreateParams, options?: RequestOptions): Promise<WithResponseMeta<OAuthSession>>;
  /** Checks the current status of an OAuth session. Needs no API key. */
  getSession(sessionId: string, options?: RequestOptions): Promise<WithResponseMeta<OAuthSessionStatus>>;
  /**
   * Polls a session until it completes, errors, or times out. Resolves with
   * `status: "complete"`; rejects with `AirstoreError` if the session fails
   * (`OAuth session failed: …`) or the timeout passes (`OAuth session timed out after …ms`).
   * In a browser, a page that becomes visible again checks at once.
   */
  poll(sessionId: string, pollOpts?: OAuthPollOptions, options?: RequestOptions): Promise<WithResponseMeta<OAuthSessionStatus>>;
  /**
   * Browsers only: opens `session.authorize_url` in a popup (or uses
   * `options.popup`), polls until the session completes, closes the popup and
   * resolves with the completed status. If the person closes the popup first,
   * it checks once more, then rejects with `AirstoreError` saying the window
   * was closed. Opens only http(s) URLs.
   */
  authorize(session: OAuthSession, options?: OAuthAuthorizeOptions, requestOptions?: RequestOptions): Promise<WithResponseMeta<OAuthSessionStatus>>;
  /**
   * Browsers: finishes a flow `authorize({ mode: 'redirect' })` began, on the
   * return page or at app start: checks at once and polls until the kept
   * deadline. Resolves `null` when there is nothing to resume; the kept entry
   * is cleared on every outcome.
   */
  resume(options?: OAuthResumeOptions, requestOptions?: RequestOptions): Promise<WithResponseMeta<OAuthSessionStatus> | null>;
}

/**
 * On the page at `returnTo` (your app's own origin), where the gateway sends
 * the popup after the provider: tells the opener's `authorize()` to check at
 * once (through a `BroadcastChannel`, with a `localStorage` write as
 * fallback; the message carries nothing secret) and closes the window where
 * the browser allows it. Works after a provider's COOP cut the window handle.
 */
export declare function completeReturn(): void;

/**
 * Opens the authorize window blank (`window.open('', 'airstore-oauth',
 * 'popup,width=520,height=720')`), for a click handler to open it before it
 * awaits anything: popup blockers allow a window only during the click. Pass
 * it to `authorize` as `options.popup`. `null` when it was blocked or there is
 * no browser window.
 */
export declare function openAuthorizeWindow(): WindowLike | null;

/**
 * The Airstore client.
 *
 * @example
 * import Airstore from 'airstore-wasm'
 *
 * const airstore = new Airstore({ apiKey: process.env.AIRSTORE_API_KEY })
 * const session = await airstore.oauth.createSession({ integrationType: 'gmail', workspaceId: 'ws_abc123' })
 * // send the user to session.authorize_url, then:
 * const result = await airstore.oauth.poll(session.session_id)
 * console.log(result.connection_id) // "conn_xyz789"
 */
export declare class Airstore {
  /**
   * Throws `AirstoreError` if no API key is given and the environment has
   * none, or if a value is invalid (the message names the field).
   */
  constructor(options?: ClientOptions);
  /** A client without an API key, for browsers: `getSession`, `poll` and `authorize` work; `createSession` rejects (sessions are created server-side). */
  static keyless(options?: KeylessClientOptions): Airstore;
  /** The OAuth resource (the same object on every access; its methods work detached). */
  readonly oauth: OAuthResource;
  /**
   * Wipes the API key from the client's WebAssembly memory and ends the
   * client: its methods then reject with `AirstoreError`. Calls already
   * under way finish first. Also `[Symbol.dispose]`, for `using`.
   */
  free(): void;
}
export default Airstore;

/** Base of all errors from this package: configuration problems, bad arguments, cancellation, poll failure and timeout. */
export declare class AirstoreError extends Error {
  constructor(message: string, cause?: unknown);
  /**
   * What caused this error, where there was something: the `TypeError` fetch
   * rejected with (for `APIConnectionError`), the signal's `reason` (for a
   * cancellation), or what `onStatus` threw.
   */
  cause?: unknown;
}
/** Any non-2xx answer. The message is the body's `error` (else `message`), else `Request failed with status N`. */
export declare class APIError extends AirstoreError {
  constructor(status: number, message: string | undefined, headers: HeadersLike, requestId?: string);
  readonly status: number;
  readonly headers: HeadersLike;
  /** The `x-request-id` response header. */
  readonly requestId: string | undefined;
}
/** 401: missing or invalid API key. */
export declare class AuthenticationError extends APIError {
  constructor(message: string | undefined, headers: HeadersLike, requestId?: string);
  readonly status: 401;
}
/** 403: the key may not do this. */
export declare class PermissionDeniedError extends APIError {
  constructor(message: string | undefined, headers: HeadersLike, requestId?: string);
  readonly status: 403;
}
/** 404: for example a session that is unknown or expired (`session not found`). */
export declare class NotFoundError extends APIError {
  constructor(message: string | undefined, headers: HeadersLike, requestId?: string);
  readonly status: 404;
}
/** 409: a conflicting operation. */
export declare class ConflictError extends APIError {
  constructor(message: string | undefined, headers: HeadersLike, requestId?: string);
  readonly status: 409;
}
/** 422: validation failed. */
export declare class UnprocessableEntityError extends APIError {
  constructor(message: string | undefined, headers: HeadersLike, requestId?: string);
  readonly status: 422;
}
/** 429: rate limited; retried after `retry-after` (at most 60 s of it) while retries remain. */
export declare class RateLimitError extends APIError {
  constructor(message: string | undefined, headers: HeadersLike, requestId?: string);
  readonly status: 429;
}
/** 500 and above. */
export declare class InternalServerError extends APIError {
  constructor(status: number, message: string | undefined, headers: HeadersLike, requestId?: string);
}
/** Network failure: DNS, TCP, TLS, CORS refusal, a reset connection. */
export declare class APIConnectionError extends AirstoreError {
  constructor(message?: string, cause?: unknown);
}
/** The request took longer than `timeout` (`Request timed out`). Not retried. */
export declare class APIConnectionTimeoutError extends APIConnectionError {
  constructor(message?: string, cause?: unknown);
}
/** authorize: the person left the window (closed, with this page focused again) while the session was still pending. */
export declare class PopupClosedError extends AirstoreError {
  constructor(message?: string, cause?: unknown);
}
/** authorize in `mode: 'popup'`: the browser refused to open the window (open it in the click handler and pass `popup`, or use `mode: 'auto'`). */
export declare class PopupBlockedError extends AirstoreError {
  constructor(message?: string, cause?: unknown);
}
