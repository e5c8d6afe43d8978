// The example app's backend, a Cloudflare Worker, written to be copied: it
// holds the Airstore API key, creates OAuth sessions for its own signed-in
// users only, and serves the single-page app (www/app) with security headers.
//
// Its rules, each for a reason (the README's "Security" section has more):
//   - Only pages of ALLOWED_ORIGINS may create sessions (the Origin header,
//     which browsers send on every POST), never judged against Host, which the
//     caller writes. A request without Origin is refused.
//   - POST /api/oauth/sessions takes `Content-Type: application/json` only
//     (415 otherwise): a cross-site form or a `text/plain` fetch cannot send
//     it without a CORS preflight, which this Worker never answers.
//   - `Sec-Fetch-Site`, when the browser sends it, must be `same-origin`.
//   - authenticate() decides who the caller is; the workspace comes from that
//     server-side identity, never from the request body.
//   - returnTo is one of RETURN_TO_URLS, the app's own URLs.
//   - The caller sees fixed error texts and a requestId; the details go to
//     console.error under the same requestId.
//   - Sessions per user are limited with Cloudflare's Rate Limiting binding.
// The key is a secret (`npx wrangler secret put AIRSTORE_API_KEY`), never a var.
import {
  Airstore,
  AirstoreError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  PermissionDeniedError,
  RateLimitError,
} from 'airstore-wasm';

const INTEGRATION_TYPES = ['gmail', 'gdrive', 'github', 'notion', 'linear', 'slack'];
const DEFAULT_BASE_URL = 'https://api.airstore.ai/api/v1';
const SESSIONS_PATH = '/api/oauth/sessions';
/** A create request is `{"integrationType":"gmail"}` and perhaps a returnTo: 2 KB is plenty. */
const MAX_BODY_BYTES = 2048;

// ---- who is calling ------------------------------------------------------------

/**
 * Decides who the caller is. Returns `{ userId, workspaceId }` for a signed-in
 * user of your app, or null to refuse the request (401).
 *
 * `userId` keys the rate limit. `workspaceId` is the Airstore workspace this
 * user's connections belong to: look it up in your own records for the user.
 * Leaving it undefined puts the connection in the API key's default workspace.
 *
 * Replace the body with your app's own check: its session cookie, a JWT from
 * Cloudflare Access (`Cf-Access-Jwt-Assertion`, verified), your auth
 * provider's token. Read identity only from something the browser cannot
 * choose (not a header or body field the page sets).
 */
async function authenticate(request, env) {
  // ┌──────────────────────────────────────────────────────────────────────┐
  // │ DEMO IMPLEMENTATION: REPLACE BEFORE DEPLOYING.                       │
  // │ Every caller is the same "demo-user", and only while the config says │
  // │ DEMO_ANYONE_IS_DEMO_USER = "true". Without that var it refuses all.  │
  // └──────────────────────────────────────────────────────────────────────┘
  if (env.DEMO_ANYONE_IS_DEMO_USER !== 'true') return null;
  return { userId: 'demo-user', workspaceId: env.DEMO_WORKSPACE_ID || undefined };
}

// ---- the Worker ------------------------------------------------------------------

// One client per isolate, made on the first request that needs it (env is
// only known then) and reused by every later request. No I/O at global scope.
let client;
function airstore(env) {
  client ??= new Airstore({ apiKey: env.AIRSTORE_API_KEY, baseURL: env.AIRSTORE_BASE_URL || undefined });
  return client;
}

export default {
  async fetch(request, env) {
    const headers = securityHeaders(env);
    const { pathname } = new URL(request.url);

    if (pathname === SESSIONS_PATH) {
      const requestId = crypto.randomUUID();
      if (request.method !== 'POST') return fail(405, 'Method not allowed.', requestId, headers, { allow: 'POST' });
      return createSession(request, env, requestId, headers);
    }
    if (pathname === '/api' || pathname.startsWith('/api/')) return fail(404, 'Not found.', crypto.randomUUID(), headers);

    // The app's files (`run_worker_first: true` sends them here), with the headers.
    if (!env.ASSETS) return fail(404, 'Not found.', crypto.randomUUID(), headers);
    const asset = await env.ASSETS.fetch(request);
    const response = new Response(asset.body, asset);
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    // Vite's build output under /assets/ is named by its content hash: it never
    // changes, so browsers keep it without asking again. The return page then
    // loads at once from the cache the app's page filled (script and wasm).
    if (pathname.startsWith('/assets/') && response.ok && !response.headers.get('content-type')?.startsWith('text/html')) {
      response.headers.set('cache-control', 'public, max-age=31536000, immutable');
    }
    return response;
  },
};

async function createSession(request, env, requestId, headers) {
  const refuse = (status, text, detail) => {
    console.warn(`[${requestId}] ${SESSIONS_PATH} refused (${status}): ${detail}`);
    return fail(status, text, requestId, headers);
  };

  // Which page is asking: an exact entry of ALLOWED_ORIGINS, or nothing.
  const origin = request.headers.get('origin');
  if (origin === null) return refuse(403, 'This request must come from the app.', 'no Origin header');
  if (!list(env.ALLOWED_ORIGINS).includes(origin)) {
    return refuse(403, 'This request must come from the app.', `Origin ${JSON.stringify(origin)} is not in ALLOWED_ORIGINS`);
  }
  // Browsers that send Fetch Metadata say where the request comes from; only
  // the app's own pages may ask. Without the header (older browsers, or pages
  // not served over https or from localhost) the Origin check above decides.
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') {
    return refuse(403, 'This request must come from the app.', `Sec-Fetch-Site ${JSON.stringify(site)}`);
  }
  if (mediaType(request.headers.get('content-type')) !== 'application/json') {
    return refuse(415, 'Send the body as Content-Type: application/json.', `Content-Type ${JSON.stringify(request.headers.get('content-type'))}`);
  }

  const user = await authenticate(request, env);
  if (!user) return refuse(401, 'Sign in first.', 'authenticate() refused the caller');

  const limiter = env.SESSIONS_RATE_LIMITER;
  if (!limiter) {
    console.error(`[${requestId}] no SESSIONS_RATE_LIMITER binding: add "ratelimits" to the Worker's config`);
    return fail(500, 'The server is not set up correctly.', requestId, headers);
  }
  const { success } = await limiter.limit({ key: `sessions:${user.userId}` });
  if (!success) return refuse(429, 'Too many connection attempts. Try again in a minute.', `user ${user.userId} is over the rate limit`);

  if (Number(request.headers.get('content-length')) > MAX_BODY_BYTES) {
    return refuse(413, 'The request body is too large.', `Content-Length ${request.headers.get('content-length')}`);
  }
  const text = await request.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) return refuse(413, 'The request body is too large.', `${text.length} characters`);
  const body = parseBody(text, env);
  if (typeof body === 'string') return refuse(400, body, body);

  try {
    const session = await airstore(env).oauth.createSession({
      integrationType: body.integrationType,
      workspaceId: user.workspaceId,
      returnTo: body.returnTo,
    });
    return json(201, {
      session: { session_id: session.session_id, authorize_url: session.authorize_url },
      baseURL: publicBaseURL(env),
    }, headers);
  } catch (err) {
    return upstreamFailure(err, requestId, headers);
  }
}

/**
 * The create request's fields, or the fixed text of what is wrong with it.
 * Only integrationType and returnTo are read; anything else (a workspaceId
 * above all: that is the server's to decide) is refused.
 */
function parseBody(text, env) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return 'The body must be JSON like {"integrationType":"gmail"}.';
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return 'The body must be JSON like {"integrationType":"gmail"}.';
  }
  if (Object.keys(body).some((key) => key !== 'integrationType' && key !== 'returnTo')) {
    return 'Only integrationType and returnTo may be sent.';
  }
  if (!INTEGRATION_TYPES.includes(body.integrationType)) {
    return `integrationType must be one of ${INTEGRATION_TYPES.join(', ')}.`;
  }
  const allowed = list(env.RETURN_TO_URLS);
  if (body.returnTo === undefined) return { integrationType: body.integrationType, returnTo: allowed[0] };
  if (!allowed.includes(body.returnTo)) return 'returnTo must be one of the app’s own URLs.';
  return { integrationType: body.integrationType, returnTo: body.returnTo };
}

/** Fixed texts for the caller; Airstore's message and request id go to the log. */
function upstreamFailure(err, requestId, headers) {
  const upstream = err instanceof APIError ? ` (HTTP ${err.status}, Airstore request ${err.requestId ?? 'unknown'})` : '';
  console.error(`[${requestId}] createSession failed: ${err?.name}: ${err?.message}${upstream}`);

  if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) {
    return fail(500, 'The server is not set up correctly.', requestId, headers);
  }
  if (err instanceof RateLimitError) {
    const retryAfter = err.headers?.get('retry-after');
    const extra = retryAfter && /^\d{1,4}$/.test(retryAfter) ? { 'retry-after': retryAfter } : undefined;
    return fail(429, 'Too many connection attempts. Try again in a minute.', requestId, headers, extra);
  }
  if (err instanceof APIError) return fail(502, 'Airstore could not create the session. Try again later.', requestId, headers);
  if (err instanceof APIConnectionTimeoutError) return fail(504, 'Airstore did not answer in time. Try again later.', requestId, headers);
  if (err instanceof APIConnectionError) return fail(502, 'Could not reach Airstore. Try again later.', requestId, headers);
  if (err instanceof AirstoreError) return fail(500, 'The server is not set up correctly.', requestId, headers);
  return fail(500, 'Internal error.', requestId, headers);
}

// ---- configuration ---------------------------------------------------------------

/** Where browsers poll session status: the public gateway address. */
function publicBaseURL(env) {
  return (env.AIRSTORE_PUBLIC_BASE_URL || env.AIRSTORE_BASE_URL || DEFAULT_BASE_URL).replace(/\/+$/, '');
}

/** A list from the config: a JSON array (wrangler.jsonc vars), or a comma-separated string (a dashboard var). */
function list(value) {
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string');
  if (typeof value === 'string') return value.split(',').map((v) => v.trim()).filter(Boolean);
  return [];
}

/** `application/json; charset=utf-8` -> `application/json`. */
function mediaType(contentType) {
  return contentType === null ? null : contentType.split(';')[0].trim().toLowerCase();
}

/**
 * The headers of every response, the app's files above all. The page loads
 * only its own scripts (and compiles the package's wasm: 'wasm-unsafe-eval'),
 * talks only to itself and to Airstore, where it polls (connect-src comes
 * from the config), and cannot be framed. same-origin-allow-popups keeps the
 * page apart from other windows but lets it watch the popup it opens.
 */
function securityHeaders(env) {
  let airstoreOrigin = '';
  try {
    airstoreOrigin = ` ${new URL(publicBaseURL(env)).origin}`;
  } catch {
    console.error(`AIRSTORE_PUBLIC_BASE_URL / AIRSTORE_BASE_URL is not a URL: ${publicBaseURL(env)}`);
  }
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self' 'wasm-unsafe-eval'",
      `connect-src 'self'${airstoreOrigin}`,
      "img-src 'self' data:",
      "style-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'cross-origin-opener-policy': 'same-origin-allow-popups',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-content-type-options': 'nosniff',
  };
}

// ---- answers -------------------------------------------------------------------

function fail(status, error, requestId, headers, extra) {
  return json(status, { error, requestId }, { ...headers, ...extra });
}

function json(status, data, headers) {
  return new Response(JSON.stringify(data), {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}
