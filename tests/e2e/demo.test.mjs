// End to end: the demo (Vite app + Worker in workerd + the stand-in Airstore)
// driven by headless Chromium through the real popup flow, under the
// security headers the Worker serves the app with (CSP, COOP, Referrer-Policy).
//   node --test tests/e2e/
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemo } from '../../www/demo.mjs';
import { desktopBrowser } from './desktop.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STEP = 15_000; // the longest any one step may take

let demo;
let browser;
let context;

before(async () => {
  // Always the stand-in, whatever AIRSTORE_* the environment holds: the test clicks its consent page.
  demo = await startDemo({ port: 0, airstore: 'standin', quiet: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 880, height: 760 }, deviceScaleFactor: 2 });
  context.setDefaultTimeout(STEP);
  // Every CSP violation in any of the demo's pages (the popup's blank page
  // inherits the app's policy), reported to the test.
  await context.exposeBinding('__cspViolation', ({ page }, v) => cspViolations.push({ url: page.url(), ...v }));
  // Focus as a desktop browser has it (tests/e2e/desktop.mjs): the opener
  // loses it to the popup and gets it back when the test says.
  await context.addInitScript(desktopBrowser);
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      globalThis.__cspViolation?.({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
});

const cspViolations = [];

/** The headers the Worker must send with the app's files (issue 15). */
function assertSecurityHeaders(headers, what) {
  const csp = headers['content-security-policy'];
  assert.ok(csp, `${what}: a Content-Security-Policy`);
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
  assert.equal(directives['script-src'], "'self' 'wasm-unsafe-eval'", what);
  assert.equal(directives['frame-ancestors'], "'none'", what);
  // The page polls the stand-in, on another port: the CSP allows exactly that origin.
  assert.equal(directives['connect-src'], `'self' ${new URL(demo.airstore.baseURL).origin}`, what);
  assert.equal(headers['cross-origin-opener-policy'], 'same-origin-allow-popups', what);
  assert.equal(headers['referrer-policy'], 'strict-origin-when-cross-origin', what);
}

test('the app, its script and its wasm come with the security headers', async () => {
  const page = await context.newPage();
  const responses = [];
  page.on('response', (r) => {
    if (r.url().startsWith(demo.url)) responses.push(r);
  });
  const main = await page.goto(demo.url);
  await page.locator('[data-testid="panel"][data-state="idle"]').waitFor();
  assertSecurityHeaders(await main.allHeaders(), 'the page');
  const script = responses.find((r) => r.request().resourceType() === 'script');
  assert.ok(script, `a script from the Worker (got ${responses.map((r) => r.url()).join(', ')})`);
  assertSecurityHeaders(await script.allHeaders(), script.url());
  // The package's wasm loads (fetched, then compiled under 'wasm-unsafe-eval').
  const wasm = responses.find((r) => r.url().endsWith('.wasm'));
  assert.ok(wasm, 'the wasm was fetched from the Worker');
  assert.equal(wasm.status(), 200);
  assertSecurityHeaders(await wasm.allHeaders(), wasm.url());
  await page.close();
});

after(async () => {
  await browser?.close();
  await demo?.close();
  // No test may end with a violation unnoticed.
  assert.deepEqual(cspViolations, []);
});

/** Opens the demo, clicks a Connect button and returns the popup once it shows the consent page. */
async function startConnect(page, label) {
  const popupPromise = page.waitForEvent('popup');
  await page.getByRole('button', { name: label }).click();
  const popup = await popupPromise;
  await popup.waitForURL(/\/oauth\/consent\?/);
  // The page follows the session: it has checked at least once and found it pending.
  await page.locator('[data-testid="status"]', { hasText: 'pending' }).waitFor();
  return popup;
}

test('Allow: the page shows the new connection and the popup closes', async () => {
  const page = await context.newPage();
  await page.goto(demo.url);
  await page.locator('[data-testid="panel"][data-state="idle"]').waitFor();

  const popup = await startConnect(page, 'Connect Gmail');
  assert.match(await popup.locator('h1').innerText(), /Gmail/);
  const popupClosed = popup.waitForEvent('close');
  await popup.getByTestId('allow').click();

  const id = page.getByTestId('connection-id');
  await id.waitFor();
  assert.match(await id.innerText(), /^conn_[0-9a-f]+$/);
  assert.equal(await page.locator('#panel').getAttribute('data-state'), 'done');
  await popupClosed; // authorize() closes the popup when the session completes
  // All of it under the Worker's CSP and COOP, with nothing refused.
  assert.deepEqual(cspViolations, []);

  // The key stayed on the server: only the Worker's POST carried it, the browser's polls carried nothing.
  const posts = demo.standin.requests.filter((r) => r.method === 'POST');
  const polls = demo.standin.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/v1/oauth/sessions/'));
  assert.ok(posts.length >= 1 && posts.every((r) => r.headers.authorization === 'Bearer org_test_key'));
  assert.ok(polls.length >= 1 && polls.every((r) => r.headers.authorization === undefined && r.headers.origin === demo.url));

  // The finished page, for looking at (test-results/). Refresh the README's
  // picture with UPDATE_SCREENSHOT=1; a test run leaves tracked files alone.
  await page.mouse.move(0, 0);
  await page.evaluate(() => document.activeElement?.blur());
  await page.waitForTimeout(300); // hover and focus transitions
  const shot = path.join(ROOT, 'test-results', 'demo-connected.png');
  await mkdir(path.dirname(shot), { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });
  if (process.env.UPDATE_SCREENSHOT === '1') await copyFile(shot, path.join(ROOT, 'www', 'screenshot.png'));
  await page.close();
});

test("Deny: the provider's error is shown, and Try again starts over", async () => {
  const page = await context.newPage();
  await page.goto(demo.url);

  const popup = await startConnect(page, 'Connect Gmail');
  await popup.getByTestId('deny').click();

  const error = page.getByTestId('error');
  await error.waitFor();
  assert.equal(await error.innerText(), 'OAuth session failed: google: access_denied');
  assert.equal(await page.locator('#panel').getAttribute('data-state'), 'failed');

  // Try again opens a fresh popup for the same provider; closing it is reported in words.
  const retry = await startConnect(page, 'Try again');
  await retry.close();
  await page.evaluate(() => window.__focusBack()); // the person is back on the app
  await page.locator('[data-testid="error"]', { hasText: 'window was closed' }).waitFor();
  assert.match(await error.innerText(), /^The authorization window was closed/);
  await page.close();
});

test('Closing the popup early shows the closed-window error', async () => {
  const page = await context.newPage();
  await page.goto(demo.url);

  const popup = await startConnect(page, 'Connect Slack');
  await popup.close();
  await page.evaluate(() => window.__focusBack()); // the person is back on the app

  const error = page.getByTestId('error');
  await error.waitFor();
  assert.match(await error.innerText(), /^The authorization window was closed before the connection was made/);
  assert.match(await page.locator('#panel .title').innerText(), /Slack was not connected/);
  // Every provider button is usable again.
  assert.equal(await page.locator('.provider:disabled').count(), 0);
  await page.close();
});
