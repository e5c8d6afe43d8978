// A local stand-in for the Airstore OAuth gateway (CONTRACT.md section 4),
// plus a fake provider consent page, with fault injection for client tests.
// Built on node:http only, so it runs anywhere Node 20 does without installs.
//
//   import { startStandin } from './standin.mjs'
//   const s = await startStandin({ completedTtlMs: 200 })
//   ... fetch(`${s.baseURL}/oauth/sessions`, ...) ...
//   await s.close()
//
// CLI: node tests/server/standin.mjs [--port 4010] [--host 127.0.0.1] [--public-url URL]

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const API_PREFIX = '/api/v1';
const SESSIONS_PATH = `${API_PREFIX}/oauth/sessions`;
const CALLBACK_PATH = `${API_PREFIX}/oauth/callback`;
const CONSENT_PATH = '/oauth/consent';

/** OAuth integration types and the name shown on the consent page. */
const PROVIDERS = {
  gmail: 'Gmail',
  gdrive: 'Google Drive',
  github: 'GitHub',
  notion: 'Notion',
  linear: 'Linear',
  slack: 'Slack',
};

/** Gmail and Drive are both Google: the gateway prefixes errors with the upstream provider. */
const ERROR_PREFIX = { gmail: 'google', gdrive: 'google' };

/** What a truncated or stalled body starts with: a plausible envelope cut short. */
const PARTIAL_BODY = '{"success":true,"data":';

const hex = (bytes) => randomBytes(bytes).toString('hex');

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  apiKeys: ['org_test_key'],
  completedTtlMs: 30_000,
  failedTtlMs: 120_000,
  sessionTtlMs: 600_000,
  corsOrigins: '*',
  publicURL: undefined,
  onRequest: undefined,
  // What the consent page sends as Cross-Origin-Opener-Policy, as real
  // providers do (Linear, Microsoft, Stripe, Shopify; GitHub's sign-in hop):
  // it cuts the popup off from its opener, whose handle then reads `closed`.
  // null: no header.
  consentCOOP: 'same-origin',
};

/**
 * Start the stand-in. Resolves once it is listening.
 * @returns {Promise<{url: string, baseURL: string, requests: object[], sessions: Map<string, object>,
 *   complete: Function, fail: Function, inject: Function, clearFaults: Function, reset: Function,
 *   close: () => Promise<void>}>}
 */
export async function startStandin(opts = {}) {
  const cfg = { ...DEFAULTS, ...stripUndefined(opts) };
  const requests = [];
  const sessions = new Map();
  const byState = new Map(); // state -> session id
  const faults = [];
  const deletionTimers = new Map(); // session id -> timer
  const delayTimers = new Set();
  const sockets = new Set();
  let closing = null;

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      // A bug in the stand-in must show up as a 500, not as a hung test.
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 500, { success: false, error: `stand-in error: ${err.message}` }, baseHeaders(req));
      }
    });
  });
  // Tracked so close() can destroy keep-alive and deliberately hung connections.
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();
  const url = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${port}`;
  const publicURL = (cfg.publicURL || url).replace(/\/+$/, '');

  // ---- request entry point -------------------------------------------------

  async function handle(req, res) {
    const body = await readBody(req);
    if (body === null) return; // client went away mid-body
    const entry = { method: req.method, path: req.url, headers: { ...req.headers }, body, at: Date.now() };
    requests.push(entry);
    // A test's hook, run before the answer: it can complete a session on an
    // event (the Nth check of it) instead of on a timer.
    cfg.onRequest?.(entry);

    const fault = takeFault(req.method, req.url);
    if (fault) return applyFault(fault, req, res, body);
    return route(req, res, body);
  }

  function route(req, res, body) {
    const { pathname, query } = splitPath(req.url);
    const headers = baseHeaders(req);
    const fail = (status, error, extra) =>
      sendJson(res, status, { success: false, error }, { ...headers, ...extra });

    // Preflights never reach the handlers, whatever the path (like CORS middleware).
    if (req.method === 'OPTIONS' && isApiPath(pathname)) return preflight(req, res, headers);

    if (pathname === SESSIONS_PATH) {
      if (req.method !== 'POST') return fail(405, 'method not allowed', { allow: 'POST' });
      return createSession(req, res, body, headers);
    }
    if (pathname.startsWith(`${SESSIONS_PATH}/`)) {
      const id = pathname.slice(SESSIONS_PATH.length + 1);
      if (id === '' || id.includes('/')) return fail(404, 'not found');
      if (req.method !== 'GET') return fail(405, 'method not allowed', { allow: 'GET' });
      return getSession(res, id, headers);
    }
    if (pathname === CALLBACK_PATH) {
      if (req.method !== 'GET') return fail(405, 'method not allowed', { allow: 'GET' });
      return callback(res, query, headers);
    }
    if (pathname === CONSENT_PATH) {
      if (req.method !== 'GET') return fail(405, 'method not allowed', { allow: 'GET' });
      const coop = cfg.consentCOOP ? { 'cross-origin-opener-policy': cfg.consentCOOP } : {};
      return sendHtml(res, 200, consentPage(query), { ...headers, ...coop });
    }
    return fail(404, 'not found');
  }

  // ---- handlers -------------------------------------------------------------

  function createSession(req, res, body, headers) {
    const fail = (status, error) => sendJson(res, status, { success: false, error }, headers);

    const auth = req.headers.authorization;
    if (auth === undefined || auth === '') return fail(401, 'authorization required');
    if (!auth.startsWith('Bearer ')) return fail(401, 'bearer token required');
    if (!cfg.apiKeys.includes(auth.slice('Bearer '.length))) return fail(401, 'invalid token');

    const params = parseParams(body);
    if (!params) return fail(400, 'invalid request');
    const { integrationType, workspaceId, returnTo } = params;
    if (!integrationType) return fail(400, 'integration_type required');
    if (!Object.hasOwn(PROVIDERS, integrationType)) {
      return fail(400, `integration ${integrationType} does not use OAuth`);
    }
    if (returnTo && !returnToAllowed(returnTo)) {
      return fail(400, 'return_to must be a relative path or full URL');
    }

    const session = {
      id: hex(16),
      state: hex(16),
      integrationType,
      workspaceId,
      returnTo,
      status: 'pending',
      createdAt: Date.now(),
    };
    sessions.set(session.id, session);
    byState.set(session.state, session.id);

    const authorizeURL =
      `${publicURL}${CONSENT_PATH}?state=${session.state}&provider=${encodeURIComponent(integrationType)}`;
    return sendJson(res, 201, { success: true, data: { session_id: session.id, authorize_url: authorizeURL } }, headers);
  }

  function getSession(res, id, headers) {
    const session = liveSession(id);
    if (!session) return sendJson(res, 404, { success: false, error: 'session not found' }, headers);
    const data = { status: session.status };
    // Absent fields are omitted, never null.
    if (session.connectionId !== undefined) data.connection_id = session.connectionId;
    if (session.error !== undefined) data.error = session.error;
    return sendJson(res, 200, { success: true, data }, headers);
  }

  function callback(res, query, headers) {
    const id = byState.get(query.get('state') ?? '');
    const session = id && liveSession(id);
    if (!session) return sendHtml(res, 400, page('Invalid request', 'Unknown or expired state.'), headers);
    if (session.status !== 'pending') {
      return sendHtml(res, 400, page('Invalid request', 'This session is already finished.'), headers);
    }

    const providerError = query.get('error');
    if (providerError) {
      finish(session, { status: 'error', error: `${ERROR_PREFIX[session.integrationType] ?? session.integrationType}: ${providerError}` });
    } else if (query.get('code')) {
      finish(session, { status: 'complete', connectionId: `conn_${hex(12)}` });
    } else {
      return sendHtml(res, 400, page('Invalid request', 'Missing code.'), headers);
    }

    if (session.returnTo) {
      res.writeHead(302, { ...headers, location: session.returnTo, 'content-length': '0' });
      return res.end();
    }
    return session.status === 'complete'
      ? sendHtml(res, 200, page('Connected', 'Connected. You can close this window.'), headers)
      : sendHtml(res, 200, page('Connection failed', `Connection failed: ${session.error}`), headers);
  }

  function preflight(req, res, headers) {
    const requested = req.headers['access-control-request-headers'];
    if (headers['access-control-allow-origin']) {
      headers['access-control-allow-methods'] = 'GET, POST, OPTIONS';
      headers['access-control-allow-headers'] = requested || 'authorization, content-type';
    }
    res.writeHead(204, headers);
    res.end();
  }

  // ---- sessions -------------------------------------------------------------

  /** The session, unless unknown or (while pending) older than sessionTtlMs. */
  function liveSession(id) {
    const session = sessions.get(id);
    if (!session) return undefined;
    if (session.status === 'pending' && Date.now() - session.createdAt > cfg.sessionTtlMs) {
      forget(id);
      return undefined;
    }
    return session;
  }

  /** Mark a session finished; like the gateway, it is then deleted after a short grace period. */
  function finish(session, outcome) {
    Object.assign(session, outcome);
    clearTimeout(deletionTimers.get(session.id));
    const ttl = session.status === 'complete' ? cfg.completedTtlMs : cfg.failedTtlMs;
    const timer = setTimeout(() => forget(session.id), ttl);
    timer.unref();
    deletionTimers.set(session.id, timer);
  }

  function forget(id) {
    const session = sessions.get(id);
    if (session) byState.delete(session.state);
    sessions.delete(id);
    clearTimeout(deletionTimers.get(id));
    deletionTimers.delete(id);
  }

  function mustGet(id) {
    const session = sessions.get(id);
    if (!session) throw new Error(`stand-in: no session ${id}`);
    return session;
  }

  // ---- faults ---------------------------------------------------------------

  /** First queued fault matching this request (FIFO); consumes one use of it. */
  function takeFault(method, rawPath) {
    const index = faults.findIndex((f) => faultMatches(f, method, rawPath));
    if (index === -1) return undefined;
    const fault = faults[index];
    if (--fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  }

  async function applyFault(fault, req, res, body) {
    if (fault.delayMs) {
      await sleep(fault.delayMs);
      if (res.destroyed || closing) return; // the client gave up, or we are shutting down
    }
    if (fault.hang) return; // never answer; close() destroys the socket

    const headers = { ...baseHeaders(req), 'content-type': 'application/json', ...fault.headers };
    const status = fault.status ?? 200;

    if (fault.reset === 'before-headers') return req.socket.destroy();
    if (fault.reset === 'after-headers') return sendPartial(res, status, headers, () => req.socket.destroy());
    if (fault.stallBody) return sendPartial(res, status, headers, () => {});
    if (fault.malformedJson) return sendRaw(res, status, headers, PARTIAL_BODY);
    if (fault.redirect) return sendRaw(res, fault.status ?? 302, { ...headers, location: fault.redirect }, '');
    if (fault.status !== undefined || fault.body !== undefined || fault.headers !== undefined) {
      return sendRaw(res, status, headers, faultBody(fault, status));
    }
    // Only a delay: answer normally.
    return route(req, res, body);
  }

  function sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        delayTimers.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      delayTimers.add(timer);
    });
  }

  // ---- CORS and common headers ---------------------------------------------

  function baseHeaders(req) {
    const headers = { 'x-request-id': `req_${hex(12)}` };
    const origin = req.headers.origin;
    if (origin && isApiPath(splitPath(req.url).pathname) && originAllowed(origin)) {
      headers['access-control-allow-origin'] = cfg.corsOrigins === '*' ? '*' : origin;
      headers['access-control-expose-headers'] = 'x-request-id, retry-after, retry-after-ms';
      if (cfg.corsOrigins !== '*') headers.vary = 'Origin';
    }
    return headers;
  }

  function originAllowed(origin) {
    return cfg.corsOrigins === '*' || (Array.isArray(cfg.corsOrigins) && cfg.corsOrigins.includes(origin));
  }

  // ---- public object --------------------------------------------------------

  return {
    url,
    baseURL: `${url}${API_PREFIX}`,
    requests,
    sessions,

    complete(sessionId, connectionId = `conn_${hex(12)}`) {
      const session = mustGet(sessionId);
      finish(session, { status: 'complete', connectionId });
      return session;
    },

    fail(sessionId, error = 'google: access_denied') {
      const session = mustGet(sessionId);
      finish(session, { status: 'error', error });
      return session;
    },

    inject(fault) {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },

    clearFaults() {
      faults.length = 0;
    },

    reset() {
      for (const timer of deletionTimers.values()) clearTimeout(timer);
      deletionTimers.clear();
      sessions.clear();
      byState.clear();
      requests.length = 0;
      faults.length = 0;
    },

    close() {
      closing ??= new Promise((resolve) => {
        for (const timer of deletionTimers.values()) clearTimeout(timer);
        for (const timer of delayTimers) clearTimeout(timer);
        deletionTimers.clear();
        delayTimers.clear();
        server.close(() => resolve());
        // Hung and keep-alive sockets would otherwise hold close() open.
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

// ---- helpers (no state) -----------------------------------------------------

function stripUndefined(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/** The whole body as a string, or null if the client aborted. */
function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/** Split a raw request target without decoding the path (ids are matched byte for byte). */
function splitPath(rawPath) {
  const q = rawPath.indexOf('?');
  return q === -1
    ? { pathname: rawPath, query: new URLSearchParams() }
    : { pathname: rawPath.slice(0, q), query: new URLSearchParams(rawPath.slice(q + 1)) };
}

function isApiPath(pathname) {
  return pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`);
}

/**
 * The create-session body as camelCase params, or null when it is not what the
 * gateway can decode (not JSON, not an object, or a field of the wrong type).
 * Like the Go gateway, null and "" count as absent.
 */
function parseParams(body) {
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
  const fields = ['integration_type', 'workspace_id', 'return_to'];
  const values = fields.map((name) => json[name] ?? '');
  if (values.some((v) => typeof v !== 'string')) return null;
  const [integrationType, workspaceId, returnTo] = values.map((v) => v || undefined);
  return { integrationType, workspaceId, returnTo };
}

/**
 * What a gateway must accept as `return_to`, where it later redirects the
 * user's browser: a path on its own site (`/…`) or a full http(s) URL.
 * A browser reads `//evil.example` as a URL on another host, and `/\evil`
 * too (it treats `\` as `/` in http(s) URLs), and it drops tabs and
 * newlines from URLs (`/\t/evil.example` is `//evil.example`): so a path
 * may not start with `//` or `/\`, and no control character, space or
 * backslash is accepted anywhere.
 */
export function returnToAllowed(value) {
  if (/[\u0000-\u0020\u007f\\]/.test(value)) return false;
  if (value.startsWith('/')) return !value.startsWith('//');
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    return Boolean(new URL(value).host);
  } catch {
    return false;
  }
}

/**
 * Faults without a method never match a preflight, so injecting a fault for
 * "the next POST" does not get eaten by the browser's OPTIONS request.
 */
function faultMatches(fault, method, rawPath) {
  if (fault.method ? fault.method.toUpperCase() !== method : method === 'OPTIONS') return false;
  if (fault.path === undefined) return true;
  if (fault.path instanceof RegExp) {
    fault.path.lastIndex = 0; // a /g regexp is stateful
    return fault.path.test(rawPath);
  }
  return rawPath.startsWith(fault.path);
}

/** An injected body: strings verbatim, objects as JSON, else an envelope fitting the status. */
function faultBody(fault, status) {
  if (typeof fault.body === 'string') return fault.body;
  if (fault.body !== undefined) return JSON.stringify(fault.body);
  return status < 400
    ? JSON.stringify({ success: true, data: {} })
    : JSON.stringify({ success: false, error: (http.STATUS_CODES[status] ?? 'error').toLowerCase() });
}

function sendJson(res, status, envelope, headers) {
  sendRaw(res, status, { ...headers, 'content-type': 'application/json' }, JSON.stringify(envelope));
}

function sendHtml(res, status, html, headers) {
  sendRaw(res, status, { ...headers, 'content-type': 'text/html; charset=utf-8' }, html);
}

function sendRaw(res, status, headers, body) {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** Headers and the start of a body reach the client, then `after()` (reset, or nothing: stall). */
function sendPartial(res, status, headers, after) {
  if (res.destroyed) return;
  // A content-length longer than what is sent makes the truncation unambiguous.
  res.writeHead(status, { ...headers, 'content-length': String(PARTIAL_BODY.length + 64) });
  res.flushHeaders();
  res.write(PARTIAL_BODY, () => setImmediate(after));
}

// ---- HTML -------------------------------------------------------------------

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A minimal page for the callback outcomes. `message` is escaped here. */
function page(title, message, extra = '') {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1f2328; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); padding: 32px; max-width: 420px; text-align: center; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  .actions { display: flex; gap: 12px; justify-content: center; margin-top: 24px; }
  .actions a { padding: 10px 24px; border-radius: 8px; text-decoration: none; font-weight: 600; }
  #allow { background: #1a73e8; color: #fff; }
  #deny { background: #e8eaed; color: #1f2328; }
</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${extra}</main></body></html>
`;
}

/** The fake provider's consent page: Allow and Deny both go back to the gateway callback. */
function consentPage(query) {
  const state = query.get('state') ?? '';
  const provider = query.get('provider') ?? '';
  const name = Object.hasOwn(PROVIDERS, provider) ? PROVIDERS[provider] : provider || 'your account';
  const back = `${CALLBACK_PATH}?state=${encodeURIComponent(state)}`;
  const allow = `${back}&code=${hex(16)}`;
  const deny = `${back}&error=access_denied`;
  const buttons = `<div class="actions">
  <a id="deny" data-testid="deny" href="${escapeHtml(deny)}">Deny</a>
  <a id="allow" data-testid="allow" href="${escapeHtml(allow)}">Allow</a>
</div>`;
  return page(`Allow Airstore to access your ${name}?`,
    `Airstore will be able to read your ${name} data. (Local stand-in provider.)`, buttons);
}

// ---- CLI --------------------------------------------------------------------

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (flag === '--port') out.port = Number.parseInt(value, 10);
    else if (flag === '--host') out.host = value;
    else if (flag === '--public-url') out.publicURL = value;
    else throw new Error(`unknown option ${flag}`);
  }
  if (Number.isNaN(out.port)) throw new Error('--port needs a number');
  return out;
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${err.message}\nusage: node standin.mjs [--port 4010] [--host 127.0.0.1] [--public-url URL]`);
    process.exit(2);
  }
  const standin = await startStandin({ port: 4010, ...args });
  console.log(`Airstore stand-in listening on ${standin.baseURL}`);
  const stop = () => standin.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
