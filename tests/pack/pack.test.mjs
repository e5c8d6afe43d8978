// Packaging tests: the tarball `npm pack pkg/` produces, installed with
// `npm install <tgz>` into throwaway projects, runs one scenario unchanged in
// every runtime the package claims (CONTRACT.md section 5):
//
//   seven runtimes: Node ESM, Node CJS, a Cloudflare Worker (wrangler bundle
//   run in workerd by Miniflare), a Vite app and a plain <script type="module">
//   page (both in headless Chromium, talking to the stand-in over CORS), Deno
//   and Bun (their binaries from the npm packages @deno/linux-x64-glibc and
//   @oven/bun-linux-x64, dev dependencies);
//
// and around them: a Node app bundled by esbuild, with its .wasm copied and
// without it (the error that says how to fix it), the browser entry under a
// strict Content-Security-Policy and with 'wasm-unsafe-eval', and a Next.js 15
// app (next build, next start, a route handler and a client component).
//
// The scenario: createSession -> getSession is pending -> poll resolves with
// a connection_id -> getSession of an unknown id rejects with a NotFoundError
// that is an APIError with status 404. No timer decides an outcome: the
// stand-in completes a session on its third check (the getSession, then the
// poll's first check, both pending; the poll's second check completes it), and
// the Worker's waitUntil test completes its session itself after reading the 202.
//
// Run: node --test tests/pack/      (needs `make build` first; no network)
// KEEP_TMP=1 keeps the throwaway projects for inspection.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { chromium } from 'playwright-core';
import { startStandin } from '../server/standin.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG_DIR = path.join(ROOT, 'pkg');
const BIN = {
  wrangler: path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'),
  vite: path.join(ROOT, 'node_modules/vite/bin/vite.js'),
  next: path.join(ROOT, 'node_modules/next/dist/bin/next'),
  deno: path.join(ROOT, 'node_modules/@deno/linux-x64-glibc/deno'),
  bun: path.join(ROOT, 'node_modules/@oven/bun-linux-x64/bin/bun'),
};
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const KEY = 'org_test_key';
const COMPAT_DATE = '2025-09-01';
const HEX32 = /^[0-9a-f]{32}$/;
const UNKNOWN_ID = '0'.repeat(32);
// The stand-in completes a session before answering its third GET (see the header).
const COMPLETE_ON_CHECK = 3;
// Upper bounds only, never a race: each step takes well under 5 s on a loaded
// 2-core machine; these bounds only turn a hang into a failure.
const STEP_TIMEOUT = 120_000;
const POLL_TIMEOUT = 30_000; // a poll needs two checks 100 ms apart

// ---- shared state, torn down in after() ----------------------------------------

let tmp;
let tarball;
let packedFiles = [];
let standin;
const checks = new Map(); // session id -> GETs of it seen by the stand-in
const completedByTest = new Set(); // sessions the harness leaves alone
let browser;
const cleanups = []; // LIFO: servers, miniflare
const timings = [];
const projects = {};

// ---- the scenario, as source text shared by every runtime ----------------------
// Node, the Vite app and the plain page embed it verbatim; the Worker runs the
// same steps split over requests (it must answer at once and poll in waitUntil).

const SCENARIO = String.raw`
async function runScenario({ Airstore, AirstoreError, APIError, NotFoundError, baseURL, apiKey }) {
  const out = {};
  // In a browser a keyed client must opt in (the key would be public).
  const airstore = new Airstore({ apiKey, baseURL, ...(typeof document === 'object' ? { dangerouslyAllowBrowser: true } : {}) });
  const created = await airstore.oauth.createSession({ integrationType: 'gmail', workspaceId: 'ws_abc123' });
  out.created = { session_id: created.session_id, authorize_url: created.authorize_url,
    statusCode: created.lastResponse && created.lastResponse.statusCode };
  const pending = await airstore.oauth.getSession(created.session_id);
  out.pending = { ...pending, statusCode: pending.lastResponse && pending.lastResponse.statusCode };
  const polled = await airstore.oauth.poll(created.session_id, { interval: 100, timeout: ${POLL_TIMEOUT} });
  out.polled = { ...polled };
  try {
    const value = await airstore.oauth.getSession('${UNKNOWN_ID}');
    out.notFound = { resolved: true, value };
  } catch (err) {
    out.notFound = {
      name: err && err.name, message: err && err.message, status: err && err.status,
      isNotFound: err instanceof NotFoundError, isAPIError: err instanceof APIError,
      isAirstoreError: err instanceof AirstoreError, isError: err instanceof Error,
      requestId: err && err.requestId,
    };
  }
  return out;
}
function describeError(err) {
  return { name: err && err.name, message: String(err && err.message || err), stack: err && err.stack };
}
`;

/** The checks every runtime's summary must pass. */
function assertScenario(summary, label) {
  const { created, pending, polled, notFound } = summary;
  assert.match(created.session_id, HEX32, `${label}: session_id`);
  assert.ok(created.authorize_url.startsWith(`${standin.url}/oauth/consent?state=`), `${label}: authorize_url ${created.authorize_url}`);
  assert.equal(created.statusCode, 201, `${label}: createSession lastResponse.statusCode`);

  assert.equal(pending.status, 'pending', `${label}: getSession right after creation`);
  assert.equal(pending.statusCode, 200, `${label}: getSession lastResponse.statusCode`);

  assert.equal(polled.status, 'complete', `${label}: poll result ${JSON.stringify(polled)}`);
  assert.match(polled.connection_id ?? '', /^conn_[0-9a-f]+$/, `${label}: connection_id`);
  const session = standin.sessions.get(created.session_id);
  assert.ok(session, `${label}: the stand-in knows the session`);
  assert.equal(polled.connection_id, session.connectionId, `${label}: connection_id is the one the stand-in issued`);

  assert.ok(!notFound.resolved, `${label}: getSession(unknown) resolved with ${JSON.stringify(notFound.value)}`);
  assert.equal(notFound.isNotFound, true, `${label}: instanceof NotFoundError (${notFound.name}: ${notFound.message})`);
  assert.equal(notFound.isAPIError, true, `${label}: instanceof APIError`);
  assert.equal(notFound.isAirstoreError, true, `${label}: instanceof AirstoreError`);
  assert.equal(notFound.isError, true, `${label}: instanceof Error`);
  assert.equal(notFound.status, 404, `${label}: status`);
  assert.equal(notFound.name, 'NotFoundError', `${label}: name`);
  assert.equal(notFound.message, 'session not found', `${label}: message`);
  assert.match(notFound.requestId ?? '', /^req_/, `${label}: requestId`);
}

// ---- helpers --------------------------------------------------------------------

/** execFile as a promise, never blocking this event loop (the harness runs here). */
function run(file, args, { cwd, env, timeout = 45_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, {
      cwd, timeout, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, npm_config_update_notifier: 'false', ...env },
    }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n--- ${[file, ...args].join(' ')} (cwd ${cwd})\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`;
        reject(err);
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/** A throwaway project with airstore-wasm installed from the tarball. */
async function makeProject(name, packageJson, files) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, version: '0.0.0', ...packageJson }, null, 2));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: dir });
  assert.ok(fs.existsSync(path.join(dir, 'node_modules/airstore-wasm/package.json')), `${name}: installed`);
  return dir;
}

/** The result line a child process prints. */
function parseResult(stdout, label) {
  const line = stdout.split('\n').find((l) => l.startsWith('__RESULT__'));
  assert.ok(line, `${label}: no result line in:\n${stdout}`);
  return JSON.parse(line.slice('__RESULT__'.length));
}

/**
 * The stand-in's request hook: counts the GETs of each session and completes a
 * session before answering its COMPLETE_ON_CHECK-th, so the outcome follows
 * the requests, never the clock.
 */
function onStandinRequest({ method, path: url }) {
  const m = /\/oauth\/sessions\/([0-9a-f]{32})$/.exec(url.split('?')[0]);
  if (method !== 'GET' || !m) return;
  const id = m[1];
  const n = (checks.get(id) ?? 0) + 1;
  checks.set(id, n);
  if (n === COMPLETE_ON_CHECK && !completedByTest.has(id) && standin.sessions.get(id)?.status === 'pending') standin.complete(id);
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.css': 'text/css',
};

/** A tiny static file server over `root`, logging what it served; `headers` go on every answer. */
async function serveStatic(root, headers = {}) {
  const log = [];
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(root, pathname);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (pathname.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) {
        log.push({ path: pathname, status: 404 });
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const type = MIME[path.extname(file)] ?? 'application/octet-stream';
      log.push({ path: pathname, status: 200, type });
      res.writeHead(200, { ...headers, 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' }).end(body);
    });
  });
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
  cleanups.push(close);
  return { url: `http://127.0.0.1:${server.address().port}`, log, close };
}

async function getBrowser() {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return browser;
}

/**
 * Opens `url` in a fresh context, waits for `window.__result`, and returns it
 * with the console errors/warnings and uncaught page errors seen on the way.
 */
async function runPage(url, label) {
  const context = await (await getBrowser()).newContext();
  try {
    const page = await context.newPage();
    const consoleErrors = [];
    const consoleWarnings = [];
    const pageErrors = [];
    page.on('console', (msg) => {
      const entry = { text: msg.text(), url: msg.location()?.url };
      if (msg.type() === 'error') consoleErrors.push(entry);
      if (msg.type() === 'warning') consoleWarnings.push(entry);
    });
    page.on('pageerror', (err) => pageErrors.push(`${err.name}: ${err.message}\n${err.stack ?? ''}`));
    await page.goto(url, { waitUntil: 'load' });
    let result;
    try {
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 20_000, polling: 50 });
      result = await page.evaluate(() => window.__result);
      const shown = await page.getByTestId('result').getAttribute('data-status');
      assert.equal(shown, result.ok ? 'ok' : 'failed', `${label}: the result element agrees with window.__result`);
    } catch (err) {
      err.message += `\n${label}: page errors: ${JSON.stringify(pageErrors)}\nconsole errors: ${JSON.stringify(consoleErrors)}`;
      throw err;
    }
    return { result, consoleErrors, consoleWarnings, pageErrors };
  } finally {
    await context.close();
  }
}

/** The checks on what a browser page logged. */
function assertCleanPage({ consoleErrors, consoleWarnings, pageErrors }, label, t) {
  for (const e of consoleErrors) t.diagnostic(`${label} console error: ${e.text} (${e.url})`);
  for (const w of consoleWarnings) t.diagnostic(`${label} console warning: ${w.text}`);
  assert.deepEqual(pageErrors, [], `${label}: uncaught page errors`);
  // The only error a browser may log is its own note about the deliberate 404.
  const unexpected = consoleErrors.filter(
    (e) => !(e.text.includes('status of 404') && e.url?.includes(`/oauth/sessions/${UNKNOWN_ID}`)),
  );
  assert.deepEqual(unexpected, [], `${label}: unexpected console errors`);
  // instantiateStreaming must not fall back (it warns when the MIME type is wrong).
  assert.ok(!consoleWarnings.some((w) => /instantiateStreaming|deprecated parameters/.test(w.text)),
    `${label}: wasm-bindgen warnings: ${JSON.stringify(consoleWarnings)}`);
}

/** The page script: read the stand-in from the query string, run, publish. */
const PAGE_SCRIPT = `
${SCENARIO}
const params = new URLSearchParams(location.search);
const el = document.querySelector('[data-testid="result"]');
runScenario({ Airstore, AirstoreError, APIError, NotFoundError, baseURL: params.get('baseURL'), apiKey: params.get('apiKey') })
  .then((summary) => ({ ok: true, summary }), (err) => ({ ok: false, error: describeError(err) }))
  .then((result) => {
    el.textContent = JSON.stringify(result, null, 2);
    el.dataset.status = result.ok ? 'ok' : 'failed';
    window.__result = result;
  });
`;
const PAGE_IMPORT = `import Airstore, { AirstoreError, APIError, NotFoundError } from 'airstore-wasm';`;

async function timedRuntime(label, fn) {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    const ms = Math.round(performance.now() - start);
    timings.push([label, ms]);
    console.log(`time ${label}: ${ms} ms`);
  }
}

// ---- set-up and tear-down ---------------------------------------------------------

before(async () => {
  const start = performance.now();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airstore-pack-'));
  const packDir = path.join(tmp, 'tarball');
  fs.mkdirSync(packDir);
  const { stdout } = await run('npm', ['pack', PKG_DIR, '--pack-destination', packDir, '--json'], { cwd: tmp });
  const [info] = JSON.parse(stdout);
  tarball = path.join(packDir, info.filename);
  packedFiles = info.files.map((f) => f.path);
  assert.ok(fs.existsSync(tarball), 'npm pack wrote the tarball');

  standin = await startStandin({ corsOrigins: '*', onRequest: onStandinRequest });

  const esm = `${PAGE_IMPORT}
import { createRequire } from 'node:module';
${SCENARIO}
const require = createRequire(import.meta.url);
const extra = {
  resolved: import.meta.resolve('airstore-wasm'),
  sameAsRequire: require('airstore-wasm').NotFoundError === NotFoundError && require('airstore-wasm').Airstore === Airstore,
};
try {
  const summary = await runScenario({ Airstore, AirstoreError, APIError, NotFoundError,
    baseURL: process.env.STANDIN_BASE_URL, apiKey: process.env.STANDIN_KEY });
  console.log('__RESULT__' + JSON.stringify({ ok: true, summary, extra }));
} catch (err) {
  console.log('__RESULT__' + JSON.stringify({ ok: false, error: describeError(err), extra }));
}
`;
  const cjs = `'use strict';
const { Airstore, AirstoreError, APIError, NotFoundError } = require('airstore-wasm');
${SCENARIO}
const extra = {
  resolved: require.resolve('airstore-wasm'),
  defaultIsAirstore: require('airstore-wasm').default === require('airstore-wasm').Airstore,
  defaultDefined: typeof require('airstore-wasm').default === 'function',
};
runScenario({ Airstore, AirstoreError, APIError, NotFoundError,
  baseURL: process.env.STANDIN_BASE_URL, apiKey: process.env.STANDIN_KEY })
  .then((summary) => ({ ok: true, summary, extra }), (err) => ({ ok: false, error: describeError(err), extra }))
  .then((result) => console.log('__RESULT__' + JSON.stringify(result)));
`;
  const plainHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>airstore-wasm plain page</title>
<script type="importmap">{"imports":{"airstore-wasm":"./node_modules/airstore-wasm/dist/index.mjs"}}</script>
</head><body><pre data-testid="result" data-status="running"></pre>
<script type="module">
${PAGE_IMPORT}
${PAGE_SCRIPT}
</script></body></html>
`;
  const viteHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>airstore-wasm vite app</title></head>
<body><pre data-testid="result" data-status="running"></pre>
<script type="module" src="./main.js"></script></body></html>
`;
  // No imports: the project has no vite of its own (the repo's binary builds it).
  const viteConfig = `export default {
  root: ${JSON.stringify(path.join(tmp, 'vite-app'))},
  logLevel: 'warn',
  clearScreen: false,
  build: { outDir: 'dist', emptyOutDir: true },
};
`;

  const made = await Promise.all([
    makeProject('node-esm', { type: 'module' }, { 'main.js': esm }),
    makeProject('node-cjs', { type: 'commonjs' }, { 'main.js': cjs }),
    makeProject('worker', { type: 'module' }, {
      'src/index.js': WORKER_SOURCE,
      'wrangler.toml': `name = "airstore-pack-test"\nmain = "src/index.js"\ncompatibility_date = "${COMPAT_DATE}"\n`,
    }),
    makeProject('vite-app', { type: 'module' }, {
      'index.html': viteHtml,
      'main.js': `${PAGE_IMPORT}\n${PAGE_SCRIPT}`,
      'vite.config.mjs': viteConfig,
    }),
    makeProject('plain-page', { type: 'module' }, { 'index.html': plainHtml }),
  ]);
  [projects.esm, projects.cjs, projects.worker, projects.vite, projects.plain] = made;
  const ms = Math.round(performance.now() - start);
  timings.push(['setup (pack + 5 installs)', ms]);
  console.log(`time setup (npm pack + 5 npm installs): ${ms} ms`);
});

after(async () => {
  const errors = [];
  const attempt = async (fn) => { try { await fn(); } catch (err) { errors.push(err); } };
  await attempt(async () => { await browser?.close(); });
  while (cleanups.length) await attempt(cleanups.pop());
  await attempt(async () => { await standin?.close(); });
  if (tmp && !process.env.KEEP_TMP) await attempt(() => fs.promises.rm(tmp, { recursive: true, force: true }));
  else if (tmp) console.log(`kept ${tmp}`);
  console.log(`times: ${timings.map(([l, ms]) => `${l} ${ms} ms`).join(', ')}`);
  if (errors.length) throw new AggregateError(errors, `clean-up failed: ${errors.map((e) => e.message).join('; ')}`);
});

// ---- the tarball ------------------------------------------------------------------

test('the tarball holds every file the exports map points at', (t) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8'));
  const targets = new Set();
  const walk = (v) => {
    if (typeof v === 'string') targets.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(pkg.exports);
  walk(pkg.main);
  walk(pkg.module);
  walk(pkg.types);
  const missing = [...targets].filter((t) => !packedFiles.includes(t));
  assert.deepEqual(missing, [], `files missing from the tarball (packed: ${packedFiles.join(', ')})`);
  assert.ok(!packedFiles.some((f) => /^(src|js|target|build|tests)\//.test(f)), `sources leaked into the tarball: ${packedFiles}`);
  // Not fatal: literal (non-glob) entries of "files" that npm found nothing for.
  for (const entry of pkg.files ?? []) {
    if (!/[*?]/.test(entry) && !packedFiles.includes(entry)) t.diagnostic(`warning: "files" lists ${entry}, which is not in pkg/ (not packed)`);
  }
  t.diagnostic(`tarball: ${path.basename(tarball)}, ${packedFiles.length} files: ${packedFiles.join(', ')}`);
});

// ---- Node --------------------------------------------------------------------------

const childEnv = () => ({ STANDIN_BASE_URL: standin.baseURL, STANDIN_KEY: KEY });

test('Node ESM: import Airstore, { NotFoundError } from "airstore-wasm"', { timeout: STEP_TIMEOUT }, async () => {
  await timedRuntime('node-esm', async () => {
    const { stdout } = await run(process.execPath, ['main.js'], { cwd: projects.esm, env: childEnv(), timeout: 30_000 });
    const result = parseResult(stdout, 'node-esm');
    assert.ok(result.ok, `node-esm scenario failed: ${JSON.stringify(result.error)}`);
    assertScenario(result.summary, 'node-esm');
    assert.ok(result.extra.resolved.endsWith('/node_modules/airstore-wasm/dist/node.mjs'), `resolved ${result.extra.resolved}`);
    assert.equal(result.extra.sameAsRequire, true, 'import and require share one module instance');
  });
});

test('Node CJS: const { Airstore, NotFoundError } = require("airstore-wasm")', { timeout: STEP_TIMEOUT }, async () => {
  await timedRuntime('node-cjs', async () => {
    const { stdout } = await run(process.execPath, ['main.js'], { cwd: projects.cjs, env: childEnv(), timeout: 30_000 });
    const result = parseResult(stdout, 'node-cjs');
    assert.ok(result.ok, `node-cjs scenario failed: ${JSON.stringify(result.error)}`);
    assertScenario(result.summary, 'node-cjs');
    assert.ok(result.extra.resolved.endsWith('/node_modules/airstore-wasm/dist/node.cjs'), `resolved ${result.extra.resolved}`);
    assert.equal(result.extra.defaultDefined, true, "require('airstore-wasm').default is defined");
    assert.equal(result.extra.defaultIsAirstore, true, "require('airstore-wasm').default === require('airstore-wasm').Airstore");
  });
});

// Deno and Bun run the Node ESM project's main.js as it is, from the same
// node_modules (installed from the tarball). Their binaries come from npm.
for (const [label, bin, args] of [
  ['deno', BIN.deno, ['run', '--allow-all', '--no-prompt', 'main.js']],
  ['bun', BIN.bun, ['main.js']],
]) {
  test(`${label === 'deno' ? 'Deno' : 'Bun'}: the Node ESM scenario, unchanged`, { timeout: STEP_TIMEOUT }, async (t) => {
    await timedRuntime(label, async () => {
      const { stdout: version } = await run(bin, ['--version'], { cwd: projects.esm });
      t.diagnostic(`${label} ${version.trim().split('\n')[0]}`);
      const { stdout } = await run(bin, args, {
        cwd: projects.esm,
        env: { ...childEnv(), DENO_DIR: path.join(tmp, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
        timeout: 60_000,
      });
      const result = parseResult(stdout, label);
      assert.ok(result.ok, `${label} scenario failed: ${JSON.stringify(result.error)}`);
      assertScenario(result.summary, label);
      assert.match(result.extra.resolved, /\/node_modules\/airstore-wasm\/dist\/node\.mjs$/, `${label} resolved ${result.extra.resolved}`);
      assert.equal(result.extra.sameAsRequire, true, `${label}: import and require share one module instance`);
    });
  });
}

// A Node backend bundled into one CommonJS file (as for AWS Lambda): the
// bundler takes the "module" condition (dist/node-bundler.mjs), whose static
// import it can follow; the .wasm is copied next to the bundle.
test('Node app bundled by esbuild (platform node, CommonJS output)', { timeout: STEP_TIMEOUT }, async () => {
  await timedRuntime('node-bundle', async () => {
    const dir = projects.esm;
    fs.writeFileSync(
      path.join(dir, 'bundled-main.mjs'),
      `import { Airstore, NotFoundError } from 'airstore-wasm';
const airstore = new Airstore({ apiKey: process.env.STANDIN_KEY, baseURL: process.env.STANDIN_BASE_URL });
const report = (result) => console.log('__RESULT__' + JSON.stringify(result));
airstore.oauth
  .createSession({ integrationType: 'gmail' })
  .then((session) => airstore.oauth.getSession(session.session_id))
  .then((status) => airstore.oauth.getSession('sess_missing').then(
    () => report({ ok: false, error: 'no NotFoundError' }),
    (err) => report({ ok: true, status: status.status, notFound: err instanceof NotFoundError }),
  ))
  .catch((err) => report({ ok: false, error: String(err) }));
`,
    );
    const out = path.join(dir, 'bundle');
    await build({
      entryPoints: [path.join(dir, 'bundled-main.mjs')],
      absWorkingDir: dir,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: path.join(out, 'app.cjs'),
      logLevel: 'error',
    });
    const bundle = fs.readFileSync(path.join(out, 'app.cjs'), 'utf8');
    assert.ok(!bundle.includes('createRequire(import_meta'), 'the bundle does not go through dist/node.mjs');
    fs.copyFileSync(path.join(dir, 'node_modules/airstore-wasm/dist/airstore_wasm_bg.wasm'), path.join(out, 'airstore_wasm_bg.wasm'));
    const { stdout } = await run(process.execPath, ['app.cjs'], { cwd: out, env: childEnv(), timeout: 30_000 });
    const result = parseResult(stdout, 'node-bundle');
    assert.deepEqual(result, { ok: true, status: 'pending', notFound: true });
  });
});

// The same bundle deployed without its .wasm (to a directory with no
// node_modules above it, as on a server or in a Lambda zip): loading fails
// with an error that names the file, where it was looked for, and the fixes.
test('Node app bundled by esbuild without its .wasm: the error says which file, where, and how to fix it', { timeout: STEP_TIMEOUT }, async () => {
  await timedRuntime('node-bundle-no-wasm', async () => {
    const deploy = path.join(tmp, 'deploy-no-wasm'); // outside every project: no node_modules above it
    fs.mkdirSync(deploy, { recursive: true });
    fs.writeFileSync(path.join(projects.esm, 'server-main.mjs'),
      `import { Airstore } from 'airstore-wasm';\nconsole.log('__RESULT__' + JSON.stringify({ loaded: typeof Airstore }));\n`);
    await build({
      entryPoints: [path.join(projects.esm, 'server-main.mjs')],
      absWorkingDir: projects.esm,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: path.join(deploy, 'server.cjs'),
      logLevel: 'error',
    });
    assert.ok(!fs.existsSync(path.join(deploy, 'airstore_wasm_bg.wasm')), 'the .wasm was not copied');
    const err = await run(process.execPath, ['server.cjs'], { cwd: deploy, timeout: 30_000 }).then(
      ({ stdout }) => assert.fail(`the bundle ran without its .wasm: ${stdout}`),
      (e) => e,
    );
    assert.equal(err.code, 1, `exit code: ${err.message}`);
    const [, stderr] = err.message.split('--- stderr:\n');
    // The uncaught Error at load, as Node prints it: "Error: airstore-wasm: …".
    assert.match(stderr, /^Error: airstore-wasm: its WebAssembly file airstore_wasm_bg\.wasm is missing/m, stderr);
    assert.ok(stderr.includes(`looked for ${path.join(deploy, 'airstore_wasm_bg.wasm')}`), `names where it looked: ${stderr}`);
    assert.ok(stderr.includes(`copy node_modules/airstore-wasm/dist/airstore_wasm_bg.wasm next to the bundle (into ${deploy})`), `says to copy it: ${stderr}`);
    assert.ok(stderr.includes("import from 'airstore-wasm/slim'") && stderr.includes('initSync({ module: '), `says how to pass the module: ${stderr}`);
    assert.match(stderr, /\[cause\]: Error: ENOENT/, 'the ENOENT is the cause');

    // Copying the file, as the message says, fixes it.
    fs.copyFileSync(path.join(projects.esm, 'node_modules/airstore-wasm/dist/airstore_wasm_bg.wasm'), path.join(deploy, 'airstore_wasm_bg.wasm'));
    const { stdout } = await run(process.execPath, ['server.cjs'], { cwd: deploy, timeout: 30_000 });
    assert.deepEqual(parseResult(stdout, 'node-bundle-no-wasm'), { loaded: 'function' });
  });
});

// ---- Cloudflare Worker -------------------------------------------------------------

// Workers rules: no I/O at global scope; the client is created lazily, once, in
// a module variable, and reused by every request; long work goes to waitUntil.
const WORKER_SOURCE = `import Airstore, { AirstoreError, APIError, NotFoundError } from 'airstore-wasm';

let airstore; // created on the first request, reused afterwards
let constructions = 0;
const polls = new Map(); // session id -> { state: 'running' | 'done' | 'failed', ... }

function client(env) {
  if (!airstore) {
    airstore = new Airstore({ apiKey: env.AIRSTORE_API_KEY, baseURL: env.AIRSTORE_BASE_URL });
    constructions += 1;
  }
  return airstore;
}

function json(status, body) {
  return new Response(JSON.stringify({ constructions, ...body }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const id = url.searchParams.get('id');
    const oauth = client(env).oauth;
    try {
      switch (url.pathname) {
        case '/sessions': {
          const s = await oauth.createSession({ integrationType: 'gmail', workspaceId: 'ws_abc123' });
          return json(201, { session_id: s.session_id, authorize_url: s.authorize_url, statusCode: s.lastResponse.statusCode });
        }
        case '/session': {
          const s = await oauth.getSession(id);
          return json(200, { ...s, statusCode: s.lastResponse.statusCode });
        }
        case '/poll': {
          polls.set(id, { state: 'running' });
          const p = oauth.poll(id, { interval: 100, timeout: ${POLL_TIMEOUT} }).then(
            (status) => polls.set(id, { state: 'done', result: { ...status } }),
            (err) => polls.set(id, { state: 'failed', error: { name: err.name, message: err.message } }),
          );
          ctx.waitUntil(p);
          return json(202, { state: 'running' });
        }
        case '/poll-result':
          return json(200, polls.get(id) ?? { state: 'unknown' });
        case '/not-found': {
          try {
            const value = await oauth.getSession('${UNKNOWN_ID}');
            return json(200, { resolved: true, value });
          } catch (err) {
            return json(200, {
              name: err.name, message: err.message, status: err.status, requestId: err.requestId,
              isNotFound: err instanceof NotFoundError, isAPIError: err instanceof APIError,
              isAirstoreError: err instanceof AirstoreError, isError: err instanceof Error,
            });
          }
        }
        default:
          return json(404, { error: 'no such route' });
      }
    } catch (err) {
      return json(500, { error: { name: err.name, message: err.message, stack: err.stack } });
    }
  },
};
`;

test('Cloudflare Worker: wrangler bundle run in workerd (Miniflare)', { timeout: STEP_TIMEOUT }, async (t) => {
  await timedRuntime('worker', async () => {
    const dir = projects.worker;
    const { stdout, stderr } = await run(process.execPath, [BIN.wrangler, 'deploy', '--dry-run', '--outdir', 'dist'], {
      cwd: dir,
      env: { WRANGLER_SEND_METRICS: 'false', CI: 'true', WRANGLER_LOG_PATH: path.join(tmp, 'wrangler-logs'), NO_COLOR: '1' },
    });
    assert.match(stdout + stderr, /--dry-run: exiting now/, 'wrangler finished the dry run');

    // The .wasm is a module of its own, byte for byte the package's, imported by the bundle.
    const outFiles = fs.readdirSync(path.join(dir, 'dist'));
    const wasmFiles = outFiles.filter((f) => f.endsWith('.wasm'));
    assert.equal(wasmFiles.length, 1, `one .wasm module in wrangler's output: ${outFiles}`);
    const packaged = fs.readFileSync(path.join(dir, 'node_modules/airstore-wasm/dist/airstore_wasm_bg.wasm'));
    assert.ok(fs.readFileSync(path.join(dir, 'dist', wasmFiles[0])).equals(packaged), 'the bundled .wasm is the packaged one');
    const bundle = fs.readFileSync(path.join(dir, 'dist/index.js'), 'utf8');
    assert.ok(bundle.includes(`from "./${wasmFiles[0]}"`), 'the bundle imports the .wasm module');
    assert.ok(bundle.includes('airstore-wasm/dist/workerd.mjs'), 'wrangler picked the "workerd" export');
    assert.ok(!bundle.includes('AGFzbQ'), 'no base64 wasm inside the JS bundle');
    assert.ok(!/[A-Za-z0-9+/]{2000,}/.test(bundle), 'no long base64 run inside the JS bundle');

    const mf = new Miniflare({
      modules: true,
      // Module names are paths relative to modulesRoot (default: the cwd,
      // which is the repo here); workerd refuses names that climb out with '..'.
      modulesRoot: path.join(dir, 'dist'),
      scriptPath: path.join(dir, 'dist/index.js'),
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
      bindings: { AIRSTORE_API_KEY: KEY, AIRSTORE_BASE_URL: standin.baseURL },
      compatibilityDate: COMPAT_DATE,
    });
    cleanups.push(() => mf.dispose());
    await mf.ready;

    const call = async (route, expectedStatus) => {
      const res = await mf.dispatchFetch(`http://worker.test${route}`);
      const body = await res.json();
      assert.equal(res.status, expectedStatus, `${route}: ${JSON.stringify(body)}`);
      assert.equal(body.constructions, 1, `${route}: the client is built once and reused (${body.constructions})`);
      return body;
    };

    const created = await call('/sessions', 201);
    // This session is completed by the test, on its signal, not by the harness.
    completedByTest.add(created.session_id);
    const pending = await call(`/session?id=${created.session_id}`, 200);

    const gets = () => checks.get(created.session_id) ?? 0;
    const accepted = await call(`/poll?id=${created.session_id}`, 202);
    assert.equal(accepted.state, 'running');
    // The 202 was sent before the poll could finish: the session cannot
    // complete until the signal below, so the poll is still running now.
    const beforeSignal = await call(`/poll-result?id=${created.session_id}`, 200);
    assert.equal(beforeSignal.state, 'running', `the poll runs on after the 202: ${JSON.stringify(beforeSignal)}`);

    // The signal: complete the session now, after the 202 was read.
    const getsAtSignal = gets();
    standin.complete(created.session_id);

    // Ends when the poll in waitUntil has seen the completion (one interval of
    // 100 ms and one GET after the signal). The 30 s bound only turns a hang
    // into a failure; the worker's poll itself allows POLL_TIMEOUT.
    let state;
    const deadline = Date.now() + 30_000;
    do {
      await new Promise((r) => setTimeout(r, 50));
      state = await call(`/poll-result?id=${created.session_id}`, 200);
    } while (state.state === 'running' && Date.now() < deadline);
    assert.equal(state.state, 'done', `poll in waitUntil: ${JSON.stringify(state)}`);
    assert.ok(gets() > getsAtSignal, `the poll kept checking after the 202 was sent (${getsAtSignal} checks at the signal, ${gets()} after)`);

    const notFound = await call('/not-found', 200);
    t.diagnostic(`worker bundle ${bundle.length} B JS + ${packaged.length} B wasm (${wasmFiles[0]})`);
    assertScenario({ created, pending, polled: state.result, notFound }, 'worker');
  });
});

// ---- browsers ----------------------------------------------------------------------

const pageQuery = () => `?baseURL=${encodeURIComponent(standin.baseURL)}&apiKey=${encodeURIComponent(KEY)}`;

test('Vite app: vite build, served statically, in headless Chromium', { timeout: STEP_TIMEOUT }, async (t) => {
  await timedRuntime('vite', async () => {
    const dir = projects.vite;
    await run(process.execPath, [BIN.vite, 'build', '--config', path.join(dir, 'vite.config.mjs')], { cwd: dir, env: { CI: 'true' } });
    const assets = fs.readdirSync(path.join(dir, 'dist/assets'));
    const wasm = assets.filter((f) => f.endsWith('.wasm'));
    assert.equal(wasm.length, 1, `vite emitted the .wasm as an asset: ${assets}`);

    const server = await serveStatic(path.join(dir, 'dist'));
    const outcome = await runPage(`${server.url}/index.html${pageQuery()}`, 'vite');
    assertCleanPage(outcome, 'vite', t);
    assert.ok(outcome.result.ok, `vite scenario failed: ${JSON.stringify(outcome.result.error)}`);
    assertScenario(outcome.result.summary, 'vite');
    const served = server.log.find((e) => e.path === `/assets/${wasm[0]}`);
    assert.deepEqual(served, { path: `/assets/${wasm[0]}`, status: 200, type: 'application/wasm' }, 'the page loaded the emitted .wasm');
  });
});

test('Plain <script type="module"> page with an import map, no bundler', { timeout: STEP_TIMEOUT }, async (t) => {
  await timedRuntime('plain-page', async () => {
    const server = await serveStatic(projects.plain);
    const outcome = await runPage(`${server.url}/index.html${pageQuery()}`, 'plain-page');
    assertCleanPage(outcome, 'plain-page', t);
    assert.ok(outcome.result.ok, `plain-page scenario failed: ${JSON.stringify(outcome.result.error)}`);
    assertScenario(outcome.result.summary, 'plain-page');
    const wasmPath = '/node_modules/airstore-wasm/dist/airstore_wasm_bg.wasm';
    assert.deepEqual(server.log.find((e) => e.path === wasmPath), { path: wasmPath, status: 200, type: 'application/wasm' },
      'the page fetched the .wasm next to index.mjs');
  });
});

// A strict Content-Security-Policy (script-src 'self') refuses WebAssembly
// compilation: the browser entry fails with an error naming the directive to
// add. With 'wasm-unsafe-eval' added, the same page loads and a call works.
// The page loads the package with a dynamic import() so it can report the
// failure (no inline script: the strict policy would refuse it).
const CSP_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>airstore-wasm CSP</title></head>
<body><pre data-testid="result" data-status="running"></pre>
<script type="module" src="./csp-main.js"></script></body></html>
`;
const CSP_MAIN = `const el = document.querySelector('[data-testid="result"]');
const baseURL = new URLSearchParams(location.search).get('baseURL');
const publish = (result) => {
  el.textContent = JSON.stringify(result, null, 2);
  el.dataset.status = result.ok ? 'ok' : 'failed';
  window.__result = result;
};
import('./node_modules/airstore-wasm/dist/index.mjs').then(
  async ({ Airstore, NotFoundError }) => {
    try {
      await Airstore.keyless({ baseURL }).oauth.getSession('${UNKNOWN_ID}');
      publish({ ok: false, loaded: true, call: 'resolved' });
    } catch (err) {
      publish({ ok: err instanceof NotFoundError, loaded: true, call: { name: err.name, status: err.status, message: err.message } });
    }
  },
  (err) => publish({ ok: false, loaded: false, error: { name: err.name, message: err.message, cause: err.cause && err.cause.name } }),
);
`;

test("Content-Security-Policy: script-src 'self' gives an error naming 'wasm-unsafe-eval'; with it the package loads and a call works", { timeout: STEP_TIMEOUT }, async (t) => {
  await timedRuntime('csp', async () => {
    const dir = projects.plain;
    fs.writeFileSync(path.join(dir, 'csp.html'), CSP_PAGE);
    fs.writeFileSync(path.join(dir, 'csp-main.js'), CSP_MAIN);

    const strict = await serveStatic(dir, { 'content-security-policy': "script-src 'self'" });
    const refused = await runPage(`${strict.url}/csp.html?baseURL=${encodeURIComponent(standin.baseURL)}`, 'csp-strict');
    assert.deepEqual(refused.pageErrors, [], 'csp-strict: uncaught page errors');
    assert.equal(refused.result.loaded, false, `csp-strict: the package loaded under script-src 'self': ${JSON.stringify(refused.result)}`);
    const { error } = refused.result;
    t.diagnostic(`strict CSP: ${error.name}: ${error.message}`);
    assert.equal(error.name, 'Error', JSON.stringify(error));
    assert.equal(error.cause, 'CompileError', 'the browser\'s CompileError is the cause');
    assert.ok(error.message.startsWith("airstore-wasm: the page's Content-Security-Policy refuses WebAssembly: add 'wasm-unsafe-eval' to script-src (script-src 'self' 'wasm-unsafe-eval')"), error.message);

    const allowed = await serveStatic(dir, { 'content-security-policy': "script-src 'self' 'wasm-unsafe-eval'" });
    const loaded = await runPage(`${allowed.url}/csp.html?baseURL=${encodeURIComponent(standin.baseURL)}`, 'csp-wasm-unsafe-eval');
    assertCleanPage(loaded, 'csp-wasm-unsafe-eval', t);
    assert.equal(loaded.result.loaded, true, `csp-wasm-unsafe-eval: ${JSON.stringify(loaded.result)}`);
    assert.deepEqual(loaded.result.call, { name: 'NotFoundError', status: 404, message: 'session not found' });
    assert.equal(loaded.result.ok, true, 'the call rejected with a NotFoundError');
  });
});

// ---- Next.js -----------------------------------------------------------------------

// A Next.js 15 app (app router) as a new user writes it, with no next.config:
// a route handler creates the session with the key, a client component checks
// it with a keyless client and polls it to completion. The server bundle takes
// the Node-bundler entry; webpack does not copy the .wasm into .next/server,
// and the Node entry finds it through Node's module resolution from there.
// `next`, `react` and `react-dom` are the repository's dev dependencies (pinned
// by package-lock.json, installed once by `npm ci`, no download per run): the
// project lives under build/ so their resolution walks up to them; only
// airstore-wasm is installed into it, from the tarball.
const NEXT_ROUTE = `import { Airstore } from 'airstore-wasm';

let airstore;

export async function POST() {
  airstore ??= new Airstore({ apiKey: process.env.AIRSTORE_API_KEY }); // AIRSTORE_BASE_URL from the environment
  const session = await airstore.oauth.createSession({ integrationType: 'gmail' });
  return Response.json({ session, baseURL: process.env.AIRSTORE_BASE_URL }, { status: 201 });
}
`;
const NEXT_PAGE = `'use client';
import { useEffect, useState } from 'react';
import { Airstore } from 'airstore-wasm';

export default function Page() {
  const [result, setResult] = useState(null);
  useEffect(() => {
    (async () => {
      const created = await fetch('/api/session', { method: 'POST' }).then((r) => r.json());
      const airstore = Airstore.keyless({ baseURL: created.baseURL });
      const pending = await airstore.oauth.getSession(created.session.session_id);
      const done = await airstore.oauth.poll(created.session.session_id, { interval: 100, timeout: ${POLL_TIMEOUT} });
      return { ok: true, session_id: created.session.session_id, pending: pending.status, status: done.status, connection_id: done.connection_id };
    })().then(
      (r) => { window.__result = r; setResult(r); },
      (err) => { const r = { ok: false, error: { name: err.name, message: err.message } }; window.__result = r; setResult(r); },
    );
  }, []);
  return <pre data-testid="result" data-status={result ? (result.ok ? 'ok' : 'failed') : 'running'}>{JSON.stringify(result)}</pre>;
}
`;
const NEXT_LAYOUT = `export const metadata = { title: 'airstore-wasm in Next.js', icons: { icon: 'data:,' } };
export default function RootLayout({ children }) {
  return <html lang="en"><body>{children}</body></html>;
}
`;

/** A free loopback port (next start takes a number; it is used at once). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

test('Next.js 15 (app router, no configuration): next build, next start, a route handler and a client component in Chromium', { timeout: 300_000 }, async (t) => {
  await timedRuntime('nextjs', async () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'build', 'pack-next-'));
    cleanups.push(() => fs.promises.rm(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'next-app', private: true, version: '0.0.0' }, null, 2));
    for (const [rel, text] of Object.entries({ 'app/layout.js': NEXT_LAYOUT, 'app/page.js': NEXT_PAGE, 'app/api/session/route.js': NEXT_ROUTE })) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    // No lockfile of its own: one lockfile up the tree (the repository's), as in a monorepo.
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', tarball], { cwd: dir });
    const env = { NEXT_TELEMETRY_DISABLED: '1', CI: 'true', NO_COLOR: '1', AIRSTORE_API_KEY: KEY, AIRSTORE_BASE_URL: standin.baseURL };

    const built = await run(process.execPath, [BIN.next, 'build'], { cwd: dir, env, timeout: 240_000 });
    const buildLog = built.stdout + built.stderr;
    for (const line of buildLog.split(/\r?\n/)) if (line.trim()) t.diagnostic(`next build: ${line}`);
    assert.ok(!/ENOENT|Build error/.test(buildLog), 'next build without errors');
    assert.match(buildLog, /\/api\/session/, 'the route was built');
    // What the README says the client build prints: webpack's note that the
    // browser entry uses top-level await, and nothing else about the package.
    assert.match(buildLog, /using "topLevelAwait"/, 'the top-level await note the README describes');
    assert.deepEqual([...new Set(buildLog.split(/\r?\n/).filter((l) => l.includes('airstore-wasm')))], ['./node_modules/airstore-wasm/dist/index.mjs'],
      'the build mentions the package only in that note');

    const port = await freePort();
    const server = spawn(process.execPath, [BIN.next, 'start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let serverLog = '';
    const exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })));
    cleanups.push(async () => { if (server.exitCode === null && server.signalCode === null) { server.kill('SIGTERM'); await exited; } });
    // Ready when it says so (an event, not a delay); an early exit fails the test.
    await new Promise((resolve, reject) => {
      const onData = (chunk) => { serverLog += chunk; if (/Ready in/.test(serverLog)) resolve(); };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      exited.then(({ code, signal }) => reject(new Error(`next start exited (${code ?? signal}):\n${serverLog}`)));
    });
    const origin = `http://127.0.0.1:${port}`;

    // The route handler answers with a session the stand-in created.
    const res = await fetch(`${origin}/api/session`, { method: 'POST' });
    const body = await res.json();
    assert.equal(res.status, 201, `POST /api/session: ${JSON.stringify(body)}\n${serverLog}`);
    assert.match(body.session.session_id, HEX32);
    assert.ok(standin.sessions.has(body.session.session_id), 'the stand-in created the session');

    // The client component: keyless getSession (pending), then poll (completes on the third check).
    const outcome = await runPage(`${origin}/`, 'nextjs');
    assertCleanPage(outcome, 'nextjs', t);
    const { result } = outcome;
    assert.equal(result.ok, true, `nextjs client component: ${JSON.stringify(result)}\n${serverLog}`);
    assert.equal(result.pending, 'pending');
    assert.equal(result.status, 'complete');
    assert.equal(result.connection_id, standin.sessions.get(result.session_id).connectionId, 'the connection the stand-in issued');
    assert.ok(!/Error|ENOENT/.test(serverLog), `next start logged no error:\n${serverLog}`);
  });
});
