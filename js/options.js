// Reading and checking what the caller passes: every value from JavaScript,
// before anything reaches the wasm. Nothing is trusted: a getter may throw,
// a proxy may lie, a number may be NaN. Each problem is an AirstoreError
// whose message names the field, thrown before any request is made.
//
// Why on this side of the boundary: reading a JS object from wasm costs a
// crossing per property and, in the wasm, code to carry each error back
// (docs/size.md: 9.3 KB of wasm gzipped). The wasm gets plain strings and
// numbers, already checked, and decides everything about the protocol: the
// request, retries, the poll, what an answer means. What is not given is
// left undefined: the defaults are the core's (src/core/config.rs).

import { AirstoreError } from './errors.js';
import { isWellFormed } from './text.js';

/** The providers Airstore connects through OAuth (others are still sent: the server decides). */
const INTEGRATION_TYPES = 'gmail, gdrive, github, notion, linear, slack';
const MISSING_API_KEY = 'API key is required. Pass it via the `apiKey` option or set the AIRSTORE_API_KEY environment variable.';

/** The longest string accepted (UTF-16 units): every string is copied into wasm memory. */
const MAX_STRING = 65_536;
const MAX_SESSION_ID = 1_024;
const MAX_U32 = 4_294_967_295;

// Headers that belong to the connection, which fetch manages itself (Node's
// fetch refuses them, browsers drop them silently).
const CONNECTION_HEADERS = new Set(['connection', 'content-length', 'expect', 'host', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Control characters (tab aside) or beyond Latin-1: fetch would refuse the value deep inside a call.
const BAD_HEADER_VALUE = /[\0-\x08\n-\x1f\x7f-\x9f]|[^\0-\xff]/;
const BAD_KEY = /[\0-\x1f\x7f-\x9f]|[^\0-\xff]/;
// Unicode White_Space and control characters.
const SPACE_OR_CONTROL = /[\0-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

const invalid = (field, why) => new AirstoreError(`${field} ${why}`);

/**
 * A string within `max` UTF-16 units and with no lone surrogate (which
 * would become U+FFFD on the way into wasm, so two different values would
 * read alike); `undefined` if `value` is not a string.
 */
function text(value, field, max) {
  if (typeof value !== 'string') return undefined;
  if (value.length > max) throw invalid(field, `is too long (at most ${max} characters)`);
  if (!isWellFormed(value)) throw invalid(field, 'must be well-formed Unicode (it has a lone surrogate)');
  return value;
}

/** `target[key]`, or undefined if `target` is not an object or the read throws. */
export function look(target, key) {
  if ((typeof target !== 'object' || target === null) && typeof target !== 'function') return undefined;
  try {
    return target[key];
  } catch {
    return undefined;
  }
}

/** An options object being read; `path` names it in messages. */
class Fields {
  constructor(value, path) {
    if (value !== undefined && (typeof value !== 'object' || value === null)) throw invalid(path, 'must be an object');
    this.object = value;
    this.path = path;
  }

  /** The raw value of `key`; a throwing getter or proxy trap is reported. */
  get(key) {
    if (this.object === undefined) return undefined;
    try {
      return Reflect.get(this.object, key);
    } catch (e) {
      throw new AirstoreError(`${this.path}.${key} could not be read (its getter threw)`, e);
    }
  }

  string(key) {
    const value = this.get(key);
    if (value === undefined) return undefined;
    const field = `${this.path}.${key}`;
    const s = text(value, field, MAX_STRING);
    if (s === undefined) throw invalid(field, 'must be a string');
    return s;
  }

  #typed(key, type) {
    const value = this.get(key);
    if (value !== undefined && typeof value !== type) throw invalid(`${this.path}.${key}`, `must be a ${type}`);
    return value;
  }

  boolean(key) {
    return this.#typed(key, 'boolean');
  }

  function(key) {
    return this.#typed(key, 'function');
  }

  /** A duration: a finite number of milliseconds, zero or more (-0 reads as 0). */
  millis(key) {
    const n = this.#typed(key, 'number');
    if (n === undefined) return undefined;
    if (!Number.isFinite(n) || n < 0) throw invalid(`${this.path}.${key}`, 'must be a finite number of milliseconds, zero or more');
    return n + 0;
  }

  /** A retry count: a whole number, zero or more. */
  retries(key) {
    const n = this.#typed(key, 'number');
    if (n !== undefined && !(Number.isInteger(n) && n >= 0 && n <= MAX_U32)) throw invalid(`${this.path}.${key}`, 'must be a whole number, zero or more');
    return n;
  }

  /**
   * A `Record<string, string>` of header names and values, as the
   * `Name:value` lines (each ended by `\n`) the wasm takes; '' for none.
   * A checked name has no ':' and a checked value no line break.
   */
  headers(key) {
    const value = this.get(key);
    if (value === undefined) return '';
    const field = `${this.path}.${key}`;
    // A plain object's prototype is Object.prototype (whose own is null) or
    // null; a Headers or Map would pass Object.keys empty.
    const prototype = (v) => {
      try {
        return Reflect.getPrototypeOf(v);
      } catch (e) {
        throw new AirstoreError(`${field} could not be read`, e);
      }
    };
    // (Array.isArray last: it throws on a revoked proxy, which `prototype` reports.)
    const own = typeof value === 'object' && value !== null ? prototype(value) : undefined;
    const plain = own !== undefined && (own === null || prototype(own) === null) && !Array.isArray(value);
    if (!plain) throw invalid(field, 'must be a plain object of header names to string values');
    let names;
    try {
      names = Object.keys(value);
    } catch (e) {
      throw new AirstoreError(`${field} could not be enumerated`, e);
    }
    let lines = '';
    for (const name of names) {
      text(name, field, MAX_STRING);
      const itemField = `${field}["${name}"]`;
      let item;
      try {
        item = Reflect.get(value, name);
      } catch (e) {
        throw new AirstoreError(`${itemField} could not be read (its getter threw)`, e);
      }
      if (text(item, itemField, MAX_STRING) === undefined) throw invalid(itemField, 'must be a string');
      if (!TOKEN.test(name)) throw invalid(field, 'has a header name that is not a valid HTTP token');
      if (CONNECTION_HEADERS.has(name.toLowerCase())) throw invalid(itemField, 'is a connection header that fetch sets itself');
      if (BAD_HEADER_VALUE.test(item)) throw invalid(itemField, 'must be a header value without control characters or characters beyond Latin-1');
      lines += `${name}:${item}\n`;
    }
    return lines;
  }

  /** An AbortSignal (an `aborted` boolean, and `addEventListener` that takes an 'abort' listener). */
  signal(key) {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (typeof look(value, 'addEventListener') !== 'function' || typeof look(value, 'aborted') !== 'boolean' || !acceptsListener(value)) {
      throw invalid(`${this.path}.${key}`, 'must be an AbortSignal');
    }
    return value;
  }
}

function ignore() {}

/** A signal that refuses a listener could never stop the call. */
function acceptsListener(signal) {
  try {
    signal.addEventListener('abort', ignore);
    signal.removeEventListener('abort', ignore);
    return true;
  } catch {
    return false;
  }
}

/** A keyless client never sends Authorization, whatever its headers say. */
function refuseAuthorization(lines, field) {
  if (/^authorization:/im.test(lines)) throw invalid(field, 'must not set Authorization on a keyless client');
}

/** `process.env[name]` where a `process` exists (Node; workerd with nodejs_compat). */
function env(name) {
  const value = look(look(look(globalThis, 'process'), 'env'), name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Checks that `raw` is an absolute http: or https: URL with a host and no
 * spaces, control characters or credentials; returns the part after the scheme.
 */
function httpURL(field, raw) {
  const scheme = /^https?:\/\//i.exec(raw);
  if (scheme === null) throw invalid(field, 'must be an http(s) URL, starting with https:// or http://');
  if (SPACE_OR_CONTROL.test(raw)) throw invalid(field, 'must be an http(s) URL without spaces or control characters');
  const rest = raw.slice(scheme[0].length);
  const authority = rest.split(/[/?#]/, 1)[0];
  if (authority === '') throw invalid(field, 'must be an http(s) URL with a host');
  if (authority.includes('@')) throw invalid(field, 'must be an http(s) URL without credentials');
  return rest;
}

/** Whether the runtime's own URL parser (what fetch uses) accepts `url`. */
function parses(url) {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** A base URL: an http(s) URL without query or fragment (paths are appended), trailing slashes stripped. */
function baseURL(field, raw) {
  httpURL(field, raw);
  if (/[?#]/.test(raw)) throw invalid(field, 'must be an http(s) URL without a query or fragment');
  return raw.replace(/\/+$/, '');
}

/**
 * Whether a URL authority (`host[:port]`) names this machine: localhost,
 * 127.0.0.0/8 or [::1]. Browsers treat these as secure, so an https page
 * may call them over http.
 */
function isLoopback(authority) {
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1 || undefined) : authority.split(':', 1)[0];
  const octets = host.split('.');
  const ipv4 = octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
  return host.toLowerCase() === 'localhost' || host === '[::1]' || ipv4;
}

/**
 * A page served over https cannot call an http API (mixed content): say so
 * now instead of failing later with an opaque network error.
 */
function refuseMixedContent(url) {
  const page = look(look(globalThis, 'location'), 'protocol');
  const plain = /^http:\/\/([^/]*)/i.exec(url);
  if (page === 'https:' && plain !== null && !isLoopback(plain[1])) {
    throw invalid('options.baseURL', 'is http: but this page is https:, and browsers block such requests (mixed content); use an https: baseURL');
  }
}

/**
 * `ClientOptions` (or the keyless client's), with the environment
 * fallbacks: { apiKey, baseURL, timeout, maxRetries, headers }, each
 * undefined (headers '') where neither gives one.
 */
export function clientOptions(value, keyless) {
  const fields = new Fields(value, 'options');
  let apiKey;
  if (keyless) {
    if (fields.get('apiKey') !== undefined) throw invalid('options.apiKey', 'must not be given to Airstore.keyless: a browser must never hold the key');
  } else {
    const given = fields.string('apiKey');
    apiKey = given !== undefined ? given : env('AIRSTORE_API_KEY');
    if (!apiKey) throw new AirstoreError(MISSING_API_KEY);
    if (BAD_KEY.test(apiKey)) throw invalid('options.apiKey', 'must not contain line breaks, control characters or characters beyond Latin-1');
  }
  const given = fields.string('baseURL');
  const fromEnv = given === undefined ? env('AIRSTORE_BASE_URL') : undefined;
  const url = given !== undefined ? baseURL('options.baseURL', given) : fromEnv !== undefined ? baseURL('AIRSTORE_BASE_URL', fromEnv) : undefined;
  if (url !== undefined) {
    if (!parses(url)) throw invalid('options.baseURL', 'must be an http(s) URL that parses (check the host and port)');
    refuseMixedContent(url);
  }
  const headers = fields.headers('defaultHeaders');
  if (keyless) refuseAuthorization(headers, 'options.defaultHeaders');
  return {
    apiKey,
    baseURL: url,
    timeout: fields.millis('timeout'),
    maxRetries: fields.retries('maxRetries'),
    headers,
  };
}

/** The options of a call that has none. */
const NO_OPTIONS = Object.freeze({ timeout: undefined, maxRetries: undefined, headers: '', signal: undefined });

/** `RequestOptions`: { timeout, maxRetries, headers, signal } (undefined where not given). */
export function requestOptions(value, keyless) {
  if (value === undefined) return NO_OPTIONS; // the usual case
  const fields = new Fields(value, 'options');
  const options = { timeout: fields.millis('timeout'), maxRetries: fields.retries('maxRetries'), headers: fields.headers('headers'), signal: undefined };
  if (keyless) refuseAuthorization(options.headers, 'options.headers');
  options.signal = fields.signal('signal');
  return options;
}

/** A session id: a non-empty string (the wasm refuses '.' and '..'). */
export function sessionId(value, field = 'sessionId') {
  const id = text(value, field, MAX_SESSION_ID);
  if (!id) throw invalid(field, 'must be a non-empty string');
  return id;
}

/** `OAuthSessionCreateParams`. */
export function createParams(value) {
  const fields = new Fields(value, 'params');
  if (value === undefined) throw invalid('params', 'must be an object with an integrationType');
  const integrationType = fields.string('integrationType');
  if (!integrationType) throw invalid('params.integrationType', `is required: a provider such as ${INTEGRATION_TYPES}`);
  return { integrationType, workspaceId: fields.string('workspaceId'), returnTo: fields.string('returnTo') };
}

/**
 * `OAuthPollOptions` (also the base of the authorize options) read into
 * `options` (what `requestOptions` returned): their `signal`, if any, takes
 * the place of the request options' one. Returns the fields, for more.
 */
export function pollOptions(value, path, request) {
  const fields = new Fields(value, path);
  const poll = {
    timeout: fields.millis('timeout'),
    interval: fields.millis('interval'),
    onStatus: fields.function('onStatus'),
    signal: fields.signal('signal') ?? request.signal,
  };
  return [poll, fields];
}

/** The session `authorize` was given: { id, url } of `session_id` and `authorize_url`. */
export function authorizeSession(value) {
  const fields = new Fields(value, 'session');
  if (value === undefined) throw invalid('session', 'must be the object createSession returned');
  const given = fields.get('session_id');
  let id;
  try {
    id = sessionId(given, 'session.session_id');
  } catch {
    throw invalid('session.session_id', 'must be a non-empty string'); // too long, or a lone surrogate, too
  }
  const url = fields.string('authorize_url');
  if (url === undefined) throw invalid('session.authorize_url', 'must be a string');
  httpURL('session.authorize_url', url);
  if (!parses(url)) throw invalid('session.authorize_url', 'must be an http(s) URL that parses');
  return { id, url };
}
