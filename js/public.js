// What every entry exports: the client and the eleven error classes.
//
// Each public method reads and checks its arguments here (js/options.js),
// has the wasm prepare the call (the request, and the core's state machine
// for its attempts, retries and checks) into a `Call`, and returns the
// promise of js/driver.js running it. A bad argument rejects that promise
// and nothing is sent.
import { OAuth } from '../build/bindgen/airstore_wasm.js';
import { giveBack, takeCall } from './calls.js';
import { drive } from './driver.js';
import { authorizeSession, clientOptions, createParams, pollOptions, requestOptions, sessionId } from './options.js';
import { closePopup, openPopup } from './popup.js';

// Kept here and deleted from the class: only values js/options.js checked reach them.
const { startCreateSession, startGetSession, startPoll } = OAuth.prototype;
for (const start of ['startCreateSession', 'startGetSession', 'startPoll']) delete OAuth.prototype[start];
const makeOAuth = OAuth.make;
delete OAuth.make;
// Bundling turns `class OAuth` into `var OAuth = class _OAuth`; keep the
// name people see in logs.
Object.defineProperty(OAuth, 'name', { value: 'OAuth' });

/** Set by `Airstore.keyless` for the one construction it makes. */
let makingKeyless = false;

/** The resources of keyless clients: they never send Authorization. */
const KEYLESS_RESOURCES = new WeakSet();

/** `undefined` for no header lines: the wasm then reads none. */
const lines = (headers) => (headers === '' ? undefined : headers);

/** The Airstore client. */
export class Airstore {
  #oauth;

  /** `new Airstore(options?)`: throws `AirstoreError` without an API key. */
  constructor(options) {
    const keyless = makingKeyless;
    makingKeyless = false;
    const c = clientOptions(options, keyless);
    this.#oauth = makeOAuth(c.apiKey, c.baseURL, c.timeout, c.maxRetries, lines(c.headers));
    if (keyless) KEYLESS_RESOURCES.add(this.#oauth);
  }

  /**
   * A client without an API key, for browsers: `getSession` and `poll`
   * need none; `createSession` is refused (sessions are made server-side).
   */
  static keyless(options) {
    makingKeyless = true;
    try {
      return new Airstore(options);
    } finally {
      makingKeyless = false;
    }
  }

  /** The OAuth resource; the same object on every access. */
  get oauth() {
    return this.#oauth;
  }
}
Object.defineProperty(Airstore, 'name', { value: 'Airstore' });

// The public methods: the parameters are fixed (not rest), which is faster
// on the hot path, and `length` is what the documentation shows.
const methods = {
  createSession(params, options) {
    const call = takeCall();
    try {
      const p = createParams(params);
      const o = requestOptions(options, false);
      startCreateSession.call(this, call, p.integrationType, p.workspaceId, p.returnTo, o.timeout, o.maxRetries, lines(o.headers));
      return drive(call, o.signal, undefined, undefined, false);
    } catch (error) {
      giveBack(call);
      return Promise.reject(error);
    }
  },

  getSession(id, options) {
    const call = takeCall();
    try {
      const checked = sessionId(id);
      const o = requestOptions(options, KEYLESS_RESOURCES.has(this));
      startGetSession.call(this, call, id, checked, o.timeout, o.maxRetries, lines(o.headers));
      return drive(call, o.signal, undefined, undefined, false);
    } catch (error) {
      giveBack(call);
      return Promise.reject(error);
    }
  },

  /** Checks the session every `interval` until it is complete or failed, or `timeout` passes; `onStatus(status, attempt)` sees every check. */
  poll(id, pollOpts, options) {
    const call = takeCall();
    try {
      const checked = sessionId(id);
      const o = requestOptions(options, KEYLESS_RESOURCES.has(this));
      const [poll] = pollOptions(pollOpts, 'pollOpts', o);
      startPoll.call(this, call, id, checked, poll.timeout, poll.interval, o.timeout, o.maxRetries, lines(o.headers));
      return drive(call, poll.signal, poll.onStatus, undefined, false);
    } catch (error) {
      giveBack(call);
      return Promise.reject(error);
    }
  },

  /**
   * Browsers: opens `session.authorize_url` in a popup (or `options.popup`),
   * polls until the session completes, closes the popup and resolves with
   * the completed status.
   */
  authorize(session, options, requestOpts) {
    const call = takeCall();
    let popup;
    try {
      const s = authorizeSession(session);
      const o = requestOptions(requestOpts, KEYLESS_RESOURCES.has(this));
      const [poll, fields] = pollOptions(options, 'options', o);
      const watch = fields.boolean('endOnClose') ?? true;
      const given = fields.get('popup');
      // Prepared before the window opens, so an id the wasm refuses ('.',
      // '..') opens and navigates no window.
      startPoll.call(this, call, s.id, s.id, poll.timeout, poll.interval, o.timeout, o.maxRetries, lines(o.headers));
      popup = openPopup(s.url, given);
      if (watch) call.watchPopup(popup);
      return drive(call, poll.signal, poll.onStatus, popup, watch);
    } catch (error) {
      // Do not leave the window the caller opened for us (or we opened) blank.
      const left = popup ?? givenPopup(options);
      if (left !== undefined && left !== null) closePopup(left);
      giveBack(call);
      return Promise.reject(error);
    }
  },
};

for (const [name, value] of Object.entries(methods)) {
  Object.defineProperty(OAuth.prototype, name, { value, writable: true, configurable: true });
}

/** `options.popup` of a failed authorize, if it can be read. */
function givenPopup(options) {
  try {
    return typeof options === 'object' && options !== null ? options.popup : undefined;
  } catch {
    return undefined;
  }
}

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
export { Airstore as default };
