// The browser half of the demo. The Worker creates the OAuth session with the
// secret key; this page opens the provider in a popup and follows the session
// with a keyless client, which can only read a session's status. The
// provider sends the popup back to /oauth/return (src/return.js), which tells
// this page to check at once. A blocked popup falls back to sending this whole
// tab (mode 'auto'); the app's start resumes that flow.
import { Airstore, openAuthorizeWindow } from 'airstore-wasm';

const PROVIDERS = [
  { type: 'gmail', name: 'Gmail', mark: 'M', color: '#d93025' },
  { type: 'gdrive', name: 'Google Drive', mark: 'D', color: '#188038' },
  { type: 'github', name: 'GitHub', mark: 'G', color: '#24292f' },
  { type: 'notion', name: 'Notion', mark: 'N', color: '#191919' },
  { type: 'linear', name: 'Linear', mark: 'L', color: '#5e6ad2' },
  { type: 'slack', name: 'Slack', mark: 'S', color: '#4a154b' },
];

/** How long to wait for the person to finish in the popup. */
const TIMEOUT_MS = 5 * 60_000;

const providersEl = document.getElementById('providers');
const panel = document.getElementById('panel');
const footer = document.getElementById('footer');

/** One keyless client per base URL, made on first use and reused. */
const clients = new Map();
function keylessClient(baseURL) {
  if (!clients.has(baseURL)) clients.set(baseURL, Airstore.keyless({ baseURL }));
  return clients.get(baseURL);
}

/** The attempt in progress: its provider, popup and abort controller. */
let current = null;
let countdown = null;

// ---- providers -------------------------------------------------------------

for (const provider of PROVIDERS) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'provider';
  button.dataset.provider = provider.type;
  button.innerHTML = `<span class="mark" aria-hidden="true">${provider.mark}</span>
    <span class="label">Connect ${provider.name}</span>`;
  // Through the CSSOM: the page's CSP (style-src 'self') refuses style="" attributes.
  button.querySelector('.mark').style.setProperty('--brand', provider.color);
  // Synchronous up to window.open: the popup belongs to the click, so blockers allow it.
  button.addEventListener('click', () => connect(provider));
  providersEl.append(button);
}

function setBusy(busy) {
  for (const button of providersEl.querySelectorAll('button')) button.disabled = busy;
}

// ---- the flow --------------------------------------------------------------

async function connect(provider) {
  if (current) return;
  const popup = openAuthorizeWindow();
  paintPopup(popup, provider);

  const controller = new AbortController();
  const attempt = { provider, popup, controller };
  current = attempt;
  setBusy(true);
  showWaiting(provider);

  try {
    const { session, baseURL } = await createSession(provider.type, controller.signal);
    showHost(baseURL);
    startCountdown(TIMEOUT_MS);
    setField('phase', `Waiting for you to approve ${provider.name} in the popup window…`);
    // Kept for this tab's return if the flow turns into a redirect (a blocked popup).
    const watch = watchFlow(Date.now());
    localStorage.removeItem('demo-approved-at');
    sessionStorage.setItem(RESUME_KEY, JSON.stringify({ provider: provider.type, baseURL, since: watch.since }));
    // 'auto': the popup opened above; if it was blocked, this whole tab goes to the provider.
    const result = await keylessClient(baseURL).oauth.authorize(session, {
      mode: 'auto',
      popup: popup ?? undefined,
      timeout: TIMEOUT_MS,
      signal: controller.signal,
      ...watch.options,
    });
    showDone(provider, result.connection_id, watch.summary());
  } catch (err) {
    if (popup && !popup.closed) popup.close();
    if (controller.signal.aborted) showIdle();
    else showFailed(provider, err);
  } finally {
    sessionStorage.removeItem(RESUME_KEY);
    stopCountdown();
    if (current === attempt) current = null;
    setBusy(false);
  }
}

/** This tab's flow kept across a redirect: { provider, baseURL, since }. */
const RESUME_KEY = 'demo-airstore';

/**
 * Back from a redirect-mode flow (the popup was blocked): oauth.resume()
 * checks at once and follows the session to its end; null when there is
 * nothing to resume.
 */
async function resumeAtStart() {
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(RESUME_KEY) ?? 'null');
  } catch {}
  sessionStorage.removeItem(RESUME_KEY);
  const provider = kept && PROVIDERS.find((p) => p.type === kept.provider);
  if (!provider) return;
  const controller = new AbortController();
  const attempt = { provider, popup: null, controller };
  current = attempt;
  setBusy(true);
  showWaiting(provider);
  showHost(kept.baseURL);
  setField('phase', `Back from ${provider.name}: confirming…`);
  try {
    const watch = watchFlow(Number(kept.since) || Date.now());
    const result = await keylessClient(kept.baseURL).oauth.resume({ signal: controller.signal, ...watch.options });
    if (result) showDone(provider, result.connection_id, watch.summary());
    else showIdle();
  } catch (err) {
    if (controller.signal.aborted) showIdle();
    else showFailed(provider, err);
  } finally {
    if (current === attempt) current = null;
    setBusy(false);
  }
}

/**
 * The progress of a flow begun at `since`, and how long after the approval it
 * was confirmed: from the Allow click (the return page's navigation start,
 * which it keeps in localStorage) or else from the return page's signal
 * (the `returned` event), to now.
 */
function watchFlow(since) {
  let checks = 0;
  let returnedAt;
  return {
    since,
    options: {
      onStatus: (status, attempt) => {
        checks = attempt;
        setField('status', status.status);
        setField('checks', String(attempt));
      },
      onEvent: (event) => {
        if (event.type === 'returned') returnedAt ??= event.at;
        if (event.type === 'window_closed') setField('phase', 'The provider’s page took over the window (it cuts the link to this page): waiting for its answer…');
      },
    },
    summary() {
      const now = Date.now();
      const approvedAt = Number(localStorage.getItem('demo-approved-at')) || returnedAt;
      localStorage.removeItem('demo-approved-at');
      return { checks, ms: now - since, sinceApproval: approvedAt >= since ? Math.max(0, now - approvedAt) : undefined };
    },
  };
}

/** Asks our own backend (the Worker) for a session; it holds the API key. */
async function createSession(integrationType, signal) {
  let res;
  try {
    res = await fetch('/api/oauth/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // returnTo: this origin's return page (the Worker accepts only its RETURN_TO_URLS).
      body: JSON.stringify({ integrationType, returnTo: `${location.origin}/oauth/return` }),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new Error('Could not reach the demo server. Is it still running?');
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`Could not start the connection: ${body.error ?? `HTTP ${res.status}`}`);
  return body;
}

/** The blank popup shows something friendly until it goes to the provider. */
function paintPopup(popup, provider) {
  try {
    popup.document.title = `Connecting ${provider.name}…`;
    popup.document.body.style.cssText =
      'margin:0;min-height:100vh;display:grid;place-items:center;font:16px/1.5 system-ui,sans-serif;color:#475467;background:#f6f7f9';
    popup.document.body.textContent = `Opening ${provider.name}…`;
  } catch {
    // Blocked (null) or already elsewhere: authorize() reports what matters.
  }
}

// ---- countdown -------------------------------------------------------------

function startCountdown(ms) {
  const deadline = Date.now() + ms;
  const tick = () => {
    const left = Math.max(0, deadline - Date.now());
    setField('time-left', formatDuration(left));
    const bar = panel.querySelector('.bar > span');
    if (bar) bar.style.width = `${(left / ms) * 100}%`;
  };
  tick();
  countdown = setInterval(tick, 250);
}

function stopCountdown() {
  clearInterval(countdown);
  countdown = null;
}

function formatDuration(ms) {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

// ---- views -----------------------------------------------------------------

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function setField(name, text) {
  const el = panel.querySelector(`[data-field="${name}"]`);
  if (el) el.textContent = text;
}

function render(state, html) {
  panel.dataset.state = state;
  panel.innerHTML = html;
}

function showIdle() {
  render('idle', `
    <div class="head"><span class="badge">Idle</span></div>
    <p class="title">No connection yet</p>
    <p class="muted">Choose a provider above to start.</p>`);
}

function showWaiting(provider) {
  render('waiting', `
    <div class="head"><span class="badge"><span class="spinner" aria-hidden="true"></span>Waiting</span></div>
    <p class="title">Connecting ${escape(provider.name)}</p>
    <p class="muted" data-field="phase">Creating a session…</p>
    <dl class="stats">
      <div><dt>Session status</dt><dd data-field="status" data-testid="status">starting</dd></div>
      <div><dt>Checks made</dt><dd data-field="checks" data-testid="checks">0</dd></div>
      <div><dt>Time left</dt><dd data-field="time-left" data-testid="time-left">${formatDuration(TIMEOUT_MS)}</dd></div>
    </dl>
    <div class="bar" aria-hidden="true"><span></span></div>
    <div class="actions"><button type="button" class="secondary" data-action="cancel">Cancel</button></div>`);
  panel.querySelector('[data-action=cancel]').addEventListener('click', () => current?.controller.abort());
}

function showDone(provider, connectionId, { checks, ms, sinceApproval }) {
  render('done', `
    <div class="head"><span class="badge">Connected</span></div>
    <p class="title">${escape(provider.name)} is connected</p>
    <p class="muted">Airstore made this connection. Use its id to sync data:</p>
    <div class="result">
      <code data-testid="connection-id">${escape(connectionId)}</code>
      <button type="button" class="ghost" data-action="copy">Copy</button>
    </div>
    <p class="note" data-testid="confirmed">${sinceApproval === undefined
      ? `Confirmed after ${checks} ${checks === 1 ? 'check' : 'checks'} in ${Math.max(1, Math.round(ms / 1000))} s.`
      : `Confirmed ${sinceApproval} ms after you approved (${checks} ${checks === 1 ? 'check' : 'checks'}).`}</p>
    <div class="actions"><button type="button" class="secondary" data-action="reset">Connect another</button></div>`);
  const copy = panel.querySelector('[data-action=copy]');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(connectionId);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Copy failed';
    }
  });
  panel.querySelector('[data-action=reset]').addEventListener('click', showIdle);
}

function showFailed(provider, err) {
  const message = err instanceof Error ? err.message : String(err);
  render('failed', `
    <div class="head"><span class="badge">Failed</span></div>
    <p class="title">${escape(provider.name)} was not connected</p>
    <p class="error" data-testid="error">${escape(message)}</p>
    ${hint(message) ? `<p class="muted">${hint(message)}</p>` : ''}
    <div class="actions">
      <button type="button" class="primary" data-action="retry">Try again</button>
      <button type="button" class="secondary" data-action="reset">Start over</button>
    </div>`);
  panel.querySelector('[data-action=retry]').addEventListener('click', () => connect(provider));
  panel.querySelector('[data-action=reset]').addEventListener('click', showIdle);
}

/** A line of advice for the errors a person can act on. */
function hint(message) {
  if (/access_denied/.test(message)) return 'Access was denied in the provider’s window. Choose Allow to connect.';
  if (/window was closed/.test(message)) return 'Keep the window open until it says you are connected.';
  if (/timed out/.test(message)) return 'The window waited too long. Start again when you are ready.';
  if (/popup was blocked/i.test(message)) return 'Allow popups for this site, then try again.';
  return '';
}

function showHost(baseURL) {
  footer.textContent = `The API key stays in the Worker. This page only checks the session's status at ${new URL(baseURL).host}.`;
}

showIdle();
resumeAtStart();
