// The browser-only behaviour, driven in Node with stand-ins for the DOM
// globals the package looks up at call time: `window.open` for
// `oauth.authorize()`, and `document` for "check at once when the page shows
// again". (The real-browser versions run in tests/e2e and tests/pack.)
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Airstore, AirstoreError, NotFoundError, PopupBlockedError, PopupClosedError } from '../../pkg/dist/node.mjs';
import { KEY, SESSIONS_PATH, assertExactly, caught, sleep, startStandin, waitFor } from './helpers.mjs';

let standin;
before(async () => {
  standin = await startStandin();
});
after(() => standin.close());
afterEach(() => {
  delete globalThis.window;
  delete globalThis.document;
  delete globalThis.sessionStorage;
  standin.reset();
});

const server = () => new Airstore({ apiKey: KEY, baseURL: standin.baseURL });
const browser = () => Airstore.keyless({ baseURL: standin.baseURL });
const checks = (id) => standin.requests.filter((r) => r.method === 'GET' && r.path === `${SESSIONS_PATH}/${id}`);

/** A fake popup window: `closed`, `close()`, `location.href`. */
function fakePopup() {
  return { closed: false, location: { href: 'about:blank' }, close() { this.closed = true; } };
}

/** Installs `window.open`, recording what it was asked to open. */
function installWindow(popup) {
  const opened = [];
  globalThis.window = {
    open(url, name, features) {
      opened.push({ url, name, features });
      if (popup) popup.location.href = url;
      return popup;
    },
  };
  return opened;
}

test('authorize opens authorize_url in a popup, polls, closes it and resolves', async () => {
  const session = await server().oauth.createSession({ integrationType: 'github' });
  const popup = fakePopup();
  const opened = installWindow(popup);
  setTimeout(() => standin.complete(session.session_id), 150);
  const seen = [];
  const result = await browser().oauth.authorize(session, { interval: 50, onStatus: (s, n) => seen.push([s.status, n]) });
  assert.equal(result.status, 'complete');
  assert.match(result.connection_id, /^conn_/);
  assert.equal(opened.length, 1);
  assert.equal(opened[0].url, session.authorize_url);
  assert.equal(popup.closed, true, 'the popup is closed once connected');
  assert.deepEqual(seen.at(-1), ['complete', seen.length]);
  assert.ok(checks(session.session_id).every((r) => r.headers.authorization === undefined));
});

test('authorize uses the window the caller opened in the click handler', async () => {
  const session = await server().oauth.createSession({ integrationType: 'gmail' });
  const opened = installWindow(fakePopup());
  const mine = fakePopup();
  setTimeout(() => standin.complete(session.session_id), 100);
  await browser().oauth.authorize(session, { popup: mine, interval: 50 });
  assert.equal(opened.length, 0, 'no second window is opened');
  assert.equal(mine.location.href, session.authorize_url);
  assert.equal(mine.closed, true);
});

test('a closed window is a hint: a check at once and an event; the flow ends with PopupClosedError only once this page has had focus back', async () => {
  const session = await server().oauth.createSession({ integrationType: 'slack' });
  const popup = fakePopup();
  installWindow(popup);
  let focused = false;
  globalThis.document = Object.assign(new EventTarget(), { visibilityState: 'visible', hasFocus: () => focused });
  const events = [];
  const flow = browser().oauth.authorize(session, { interval: 10_000, onEvent: (e) => events.push(e) });
  await waitFor(() => events.some((e) => e.type === 'check'), 2_000, 'the first check');
  popup.closed = true; // as a provider page with COOP makes it read, while the person consents
  // (Told by the flow's own event: the request reaching the stand-in comes before its answer is read.)
  await waitFor(() => events.filter((e) => e.type === 'check').length === 2, 2_000, 'a check at once on the closed window');
  assert.deepEqual(events.map((e) => e.type), ['opened', 'check', 'window_closed', 'check']);
  assert.equal(checks(session.session_id).length, 2);
  focused = true; // the person is back on this page: after the grace, one more check, then the error
  const err = await caught(() => flow);
  assertExactly(err, PopupClosedError, 'The authorization window was closed before the connection was made');
  assert.equal(checks(session.session_id).length, 3);
  assert.deepEqual(events.map((e) => e.type), ['opened', 'check', 'window_closed', 'check', 'check', 'failed']);
  assert.equal(events.at(-1).error, err);
});

test('behind a COOP page (reads closed at once, this page not focused) the flow is never ended by the closed flag', async () => {
  const session = await server().oauth.createSession({ integrationType: 'linear' });
  installWindow({ ...fakePopup(), closed: true });
  globalThis.document = Object.assign(new EventTarget(), { visibilityState: 'visible', hasFocus: () => false });
  const flow = browser().oauth.authorize(session, { interval: 100 });
  // Well past the 1.5 s grace: the flow is still on.
  await waitFor(() => checks(session.session_id).length >= 20, 5_000, 'twenty checks');
  standin.complete(session.session_id);
  assert.equal((await flow).status, 'complete');
});

test('a popup closed just after completion still resolves', async () => {
  const session = await server().oauth.createSession({ integrationType: 'notion' });
  const popup = fakePopup();
  installWindow(popup);
  setTimeout(() => {
    standin.complete(session.session_id);
    popup.closed = true;
  }, 120);
  const result = await browser().oauth.authorize(session, { interval: 5_000 });
  assert.equal(result.status, 'complete');
});

test('authorize reports a denied session with the provider error', async () => {
  const session = await server().oauth.createSession({ integrationType: 'gmail' });
  installWindow(fakePopup());
  setTimeout(() => standin.fail(session.session_id, 'google: access_denied'), 100);
  const err = await caught(() => browser().oauth.authorize(session, { interval: 50 }));
  assert.equal(err.message, 'OAuth session failed: google: access_denied');
});

test('a blocked popup, a non-http URL and a missing window are clear errors that send nothing', async () => {
  const session = await server().oauth.createSession({ integrationType: 'linear' });
  const before = standin.requests.length;
  let err = await caught(() => browser().oauth.authorize(session));
  assert.ok(err instanceof AirstoreError);
  assert.match(err.message, /needs a browser window/);
  installWindow(null);
  err = await caught(() => browser().oauth.authorize(session));
  assertExactly(err, PopupBlockedError, "The popup was blocked. Open it synchronously in the click handler, e.g. const popup = window.open('', 'airstore-oauth', 'popup'), and pass it as options.popup");
  installWindow(fakePopup());
  for (const url of ['javascript:alert(1)', 'data:text/html,hi', 'file:///etc/passwd']) {
    err = await caught(() => browser().oauth.authorize({ session_id: session.session_id, authorize_url: url }));
    assert.ok(err instanceof AirstoreError);
    assert.match(err.message, /session\.authorize_url must be an http\(s\) URL/);
  }
  err = await caught(() => browser().oauth.authorize({ authorize_url: session.authorize_url }));
  assert.match(err.message, /session\.session_id/);
  assert.equal(standin.requests.length, before);
});

test('a page that becomes visible again is checked at once instead of after the interval', async () => {
  const session = await server().oauth.createSession({ integrationType: 'gmail' });
  const document = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
  globalThis.document = document;
  const polling = browser().oauth.poll(session.session_id, { interval: 10_000, timeout: 20_000 });
  await waitFor(() => checks(session.session_id).length === 1, 10_000, 'the first check');
  standin.complete(session.session_id);
  // Becoming hidden again does not wake the poll; becoming visible does.
  document.dispatchEvent(new Event('visibilitychange'));
  await sleep(100);
  assert.equal(checks(session.session_id).length, 1);
  document.visibilityState = 'visible';
  const shownAt = Date.now();
  document.dispatchEvent(new Event('visibilitychange'));
  const result = await polling;
  assert.equal(result.status, 'complete');
  // 5 s: a check at once takes milliseconds even on a loaded 2-core machine; the alternative is the 10 s interval.
  assert.ok(Date.now() - shownAt < 5_000, 'checked at once, not after the 10 s interval');
  assert.equal(checks(session.session_id).length, 2);
});

test('endOnClose: false keeps polling when the window looks closed (a provider page with COOP)', async () => {
  const session = await server().oauth.createSession({ integrationType: 'linear' });
  // Cross-Origin-Opener-Policy makes the opener see `closed` at once.
  const popup = { ...fakePopup(), closed: true };
  installWindow(popup);
  setTimeout(() => standin.complete(session.session_id), 400);
  const result = await browser().oauth.authorize(session, { interval: 100, endOnClose: false });
  assert.equal(result.status, 'complete');
  const err = await caught(() => browser().oauth.authorize(session, { endOnClose: 'no' }));
  assert.match(err.message, /options\.endOnClose must be a boolean/);
});

test('a bad argument closes the popup the caller opened, so it is not left blank', async () => {
  const popup = fakePopup();
  const err = await caught(() => browser().oauth.authorize({ session_id: 'x', authorize_url: 'javascript:alert(1)' }, { popup }));
  assert.ok(err instanceof AirstoreError);
  assert.equal(popup.closed, true);
});

test("a session id the wasm refuses ('.', '..') opens and navigates no window", async () => {
  const opened = installWindow(fakePopup());
  const given = fakePopup();
  for (const id of ['.', '..']) {
    let err = await caught(() => browser().oauth.authorize({ session_id: id, authorize_url: 'https://accounts.example/auth' }));
    assert.match(err.message, /^sessionId must be a session id, not a path segment/);
    err = await caught(() => browser().oauth.authorize({ session_id: id, authorize_url: 'https://accounts.example/auth' }, { popup: given }));
    assert.match(err.message, /^sessionId must be a session id, not a path segment/);
  }
  assert.equal(opened.length, 0);
  assert.equal(given.location.href, 'about:blank');
});

test("the popup's reach: no plain-http authorize URL from an https page (loopback aside), and only allowedAuthorizeHosts when given", async () => {
  const session = await server().oauth.createSession({ integrationType: 'gmail' });
  const opened = installWindow(fakePopup());
  globalThis.location = { protocol: 'https:' };
  try {
    let err = await caught(() => browser().oauth.authorize({ session_id: session.session_id, authorize_url: 'http://accounts.example/auth' }));
    assertExactly(err, AirstoreError, 'session.authorize_url is http: but this page is https:; an authorize URL must be https');
    err = await caught(() => browser().oauth.authorize(session, { allowedAuthorizeHosts: ['accounts.google.com'] }));
    assertExactly(err, AirstoreError, `session.authorize_url goes to ${new URL(session.authorize_url).host}, which is not in options.allowedAuthorizeHosts`);
    err = await caught(() => browser().oauth.authorize(session, { allowedAuthorizeHosts: 'accounts.google.com' }));
    assertExactly(err, AirstoreError, 'options.allowedAuthorizeHosts must be an array of strings');
    assert.equal(opened.length, 0, 'no window was opened or sent anywhere');
    // The stand-in's consent page is on loopback (http is fine there), and its host is allowed.
    setTimeout(() => standin.complete(session.session_id), 100);
    const host = new URL(session.authorize_url).host;
    const result = await browser().oauth.authorize(session, { interval: 50, allowedAuthorizeHosts: ['accounts.google.com', host.toUpperCase()] });
    assert.equal(result.status, 'complete');
    assert.equal(opened.length, 1);
  } finally {
    delete globalThis.location;
  }
});

test('the return page\'s completeReturn() makes the opener check at once (BroadcastChannel), with a `returned` event', async () => {
  const { completeReturn } = await import('../../pkg/dist/node.mjs');
  const session = await server().oauth.createSession({ integrationType: 'gmail' });
  const opened = installWindow(fakePopup());
  globalThis.window = Object.assign(new EventTarget(), globalThis.window);
  const events = [];
  const flow = browser().oauth.authorize(session, { interval: 60_000, onEvent: (e) => events.push(e.type) });
  await waitFor(() => events.includes('check'), 2_000, 'the first check');
  standin.complete(session.session_id);
  const signalled = Date.now();
  completeReturn(); // what the page at returnTo runs (here in the same process: the channel is the same)
  const result = await flow;
  assert.equal(result.status, 'complete');
  assert.ok(Date.now() - signalled < 1_000, 'checked at once, not after the 60 s interval');
  assert.equal(opened.length, 1);
  assert.deepEqual(events, ['opened', 'check', 'returned', 'check', 'completed']);
});

test("redirect mode keeps { id, deadline } in sessionStorage and sends the page away; resume() finishes it and clears it", async () => {
  const session = await server().oauth.createSession({ integrationType: 'github' });
  const store = new Map();
  const assigned = [];
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, String(v)), removeItem: (k) => store.delete(k) };
  globalThis.window = Object.assign(new EventTarget(), { sessionStorage: storage, location: { assign: (url) => assigned.push(url) }, open: () => null });
  const events = [];
  // 'auto' with a blocked popup falls back to the redirect.
  const leaving = browser().oauth.authorize(session, { mode: 'auto', timeout: 60_000, onEvent: (e) => events.push(e.type) });
  await waitFor(() => assigned.length === 1, 2_000, 'the page sent to the provider');
  assert.equal(assigned[0], session.authorize_url);
  assert.deepEqual(events, ['blocked', 'opened']);
  const kept = JSON.parse(store.get('airstore-oauth'));
  assert.equal(kept.id, session.session_id);
  assert.ok(kept.deadline > Date.now() + 50_000 && kept.deadline <= Date.now() + 60_000);
  let settled = false;
  leaving.then(() => { settled = true; }, () => { settled = true; });
  // The next page load: the session completed meanwhile.
  standin.complete(session.session_id);
  const resumed = [];
  const result = await browser().oauth.resume({ interval: 50, onEvent: (e) => resumed.push(e.type) });
  assert.equal(result.status, 'complete');
  assert.match(result.connection_id, /^conn_/);
  assert.deepEqual(resumed, ['check', 'completed']);
  assert.equal(store.has('airstore-oauth'), false, 'cleared');
  assert.equal(await browser().oauth.resume(), null, 'nothing to resume');
  assert.equal(settled, false, 'the redirecting call never settles: its page has left');
  // A failed flow clears the entry too.
  store.set('airstore-oauth', JSON.stringify({ id: '0'.repeat(32), deadline: Date.now() + 60_000 }));
  assertExactly(await caught(() => browser().oauth.resume()), NotFoundError, 'session not found');
  assert.equal(store.has('airstore-oauth'), false);
  // A blocked popup in 'popup' mode rejects at once, and nothing is kept.
  const blocked = await caught(() => browser().oauth.authorize(session, { mode: 'popup' }));
  assertExactly(blocked, PopupBlockedError);
  assert.equal(store.size, 0);
  const bad = await caught(() => browser().oauth.authorize(session, { mode: 'tab' }));
  assertExactly(bad, AirstoreError, "options.mode must be 'popup', 'redirect' or 'auto'");
});

test('a 404 after the session was seen pending says it ended and where to look, still as a NotFoundError', async () => {
  const session = await server().oauth.createSession({ integrationType: 'notion' });
  const polling = browser().oauth.poll(session.session_id, { interval: 50 });
  await waitFor(() => checks(session.session_id).length === 1, 2_000, 'the first check');
  standin.inject({ method: 'GET', status: 404, body: { success: false, error: 'session not found' } });
  const err = await caught(() => polling);
  assertExactly(err, NotFoundError, 'The OAuth session ended and Airstore no longer holds its result (a finished session is kept about 30 s): look the connection up on your server');
  assert.equal(err.status, 404);
});

test('openAuthorizeWindow() opens the window authorize itself would open, blank, and is null when blocked or outside a browser', async () => {
  const { openAuthorizeWindow } = await import('../../pkg/dist/node.mjs');
  assert.equal(openAuthorizeWindow(), null, 'no window.open');
  const popup = fakePopup();
  const opened = installWindow(popup);
  assert.equal(openAuthorizeWindow(), popup);
  const session = await server().oauth.createSession({ integrationType: 'gmail' });
  installWindow(null);
  assert.equal(openAuthorizeWindow(), null, 'blocked');
  const own = installWindow(fakePopup());
  const flow = browser().oauth.authorize(session, { interval: 50 });
  await waitFor(() => own.length === 1, 2_000, 'authorize opening its window');
  standin.complete(session.session_id);
  await flow;
  // One name and size for both: what the click handler opens is the window authorize would open.
  assert.deepEqual(opened[0], { ...own[0], url: '' });
});
