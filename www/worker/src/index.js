// The demo's backend, a Cloudflare Worker. It holds the Airstore API key,
// creates OAuth sessions for the page, and tells the page where to poll.
// Static files (the Vite build) are served by Workers static assets.
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

// One client per isolate, made on the first request that needs it (env is
// only known then) and reused by every later request. No I/O at global scope.
let client;
function airstore(env) {
  client ??= new Airstore({ apiKey: env.AIRSTORE_API_KEY, baseURL: env.AIRSTORE_BASE_URL || undefined });
  return client;
}

/** Where browsers poll session status: the public gateway address. */
function publicBaseURL(env) {
  return (env.AIRSTORE_PUBLIC_BASE_URL || env.AIRSTORE_BASE_URL || DEFAULT_BASE_URL).replace(/\/+$/, '');
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);

    if (pathname === '/api/config') {
      if (request.method !== 'GET') return methodNotAllowed('GET');
      return json(200, { baseURL: publicBaseURL(env) });
    }

    if (pathname === '/api/oauth/sessions') {
      if (request.method !== 'POST') return methodNotAllowed('POST');
      return createSession(request, env);
    }

    if (pathname.startsWith('/api/')) return json(404, { error: 'not found' });

    // Not reached with `run_worker_first = ["/api/*"]`; kept for setups without it.
    return env.ASSETS ? env.ASSETS.fetch(request) : json(404, { error: 'not found' });
  },
};

async function createSession(request, env) {
  // A page on another site must not spend our key. (A real app would also
  // check who the user is, and pass their workspaceId.)
  const origin = request.headers.get('origin');
  if (origin && origin !== new URL(request.url).origin) return json(403, { error: 'cross-origin request refused' });

  let body;
  try {
    body = await request.json();
  } catch {
    return json(400, { error: 'body must be JSON like {"integrationType":"gmail"}' });
  }
  const integrationType = body?.integrationType;
  if (!INTEGRATION_TYPES.includes(integrationType)) {
    return json(400, { error: `integrationType must be one of ${INTEGRATION_TYPES.join(', ')}` });
  }

  try {
    const session = await airstore(env).oauth.createSession({ integrationType });
    return json(201, {
      session: { session_id: session.session_id, authorize_url: session.authorize_url },
      baseURL: publicBaseURL(env),
    });
  } catch (err) {
    return errorResponse(err);
  }
}

/** Package errors as JSON answers the page can show, without leaking server details. */
function errorResponse(err) {
  const requestId = err instanceof APIError ? err.requestId : undefined;
  const reply = (status, error, headers) => json(status, { error, type: err?.name, requestId }, headers);

  if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) {
    console.error('Airstore refused the API key:', err.message);
    return reply(500, 'the server is not set up correctly (Airstore refused its API key)');
  }
  if (err instanceof RateLimitError) {
    const retryAfter = err.headers?.get?.('retry-after');
    return reply(429, 'too many requests, try again shortly', retryAfter ? { 'retry-after': retryAfter } : undefined);
  }
  if (err instanceof APIError) {
    // 400 and 422 are about the request (e.g. a type Airstore does not support); the rest is upstream trouble.
    if (err.status === 400 || err.status === 422) return reply(400, err.message);
    console.error(`Airstore answered ${err.status}:`, err.message);
    return reply(502, `Airstore could not create the session (${err.message})`);
  }
  if (err instanceof APIConnectionTimeoutError) return reply(504, 'Airstore did not answer in time');
  if (err instanceof APIConnectionError) return reply(502, 'could not reach Airstore');
  if (err instanceof AirstoreError) {
    // Configuration: no API key, a bad base URL.
    console.error('Airstore client error:', err.message);
    return reply(500, 'the server is not set up correctly (set AIRSTORE_API_KEY and AIRSTORE_BASE_URL)');
  }
  console.error(err);
  return reply(500, 'internal error');
}

function methodNotAllowed(allow) {
  return json(405, { error: 'method not allowed' }, { allow });
}

function json(status, data, headers) {
  return new Response(JSON.stringify(data), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}
