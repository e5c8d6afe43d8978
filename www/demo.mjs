// The airstore-wasm demo, end to end on one machine (`make demo`):
//   1. builds the single-page app (www/app) with Vite,
//   2. bundles the Worker (www/worker) with `wrangler deploy --dry-run`,
//   3. starts Airstore: the local stand-in, unless AIRSTORE_BASE_URL and
//      AIRSTORE_API_KEY are both set, in which case it uses that one,
//   4. runs the bundled Worker in workerd through Miniflare, with the SPA as
//      its static assets, on http://127.0.0.1:${PORT:-8787}.
//
// For development only: the Worker lets every caller in as one demo user
// (authenticate() in www/worker/src/index.js) and everything runs over
// plain http on loopback. See the README's "Security" section.
//
//   import { startDemo } from './www/demo.mjs'
//   const demo = await startDemo({ port: 0 })   // 0: any free port
//   ... demo.url ...
//   await demo.close()

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(WWW);
const APP = path.join(WWW, 'app');
const WORKER = path.join(WWW, 'worker');
const BIN = path.join(ROOT, 'node_modules', '.bin');

/** The stand-in's one valid key. */
const STANDIN_KEY = 'org_test_key';

/**
 * Builds and starts everything. Resolves once the demo answers.
 * @param {{ port?: number, host?: string, airstore?: 'standin' | { baseURL: string, apiKey: string }, quiet?: boolean }} [options]
 *   `port`: default 8787, 0 picks a free one. `airstore`: default AIRSTORE_BASE_URL and
 *   AIRSTORE_API_KEY when both are set, else the local stand-in ('standin' forces it).
 *   `quiet`: no progress lines or Worker logs.
 * @returns {Promise<{ url: string, airstore: { baseURL: string, standin: boolean }, standin?: object, close: () => Promise<void> }>}
 */
export async function startDemo(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const log = options.quiet ? () => {} : (line) => console.log(line);
  const cleanups = [];
  const close = async () => {
    while (cleanups.length) await cleanups.pop()().catch(() => {});
  };

  try {
    await ensurePackage();
    // Build output goes to a directory of this run's own, so a running demo and
    // the e2e test never overwrite each other's files.
    const out = await mkdtemp(path.join(os.tmpdir(), 'airstore-demo-'));
    // Also on exit: Miniflare's own SIGINT hook may end the process before close() finishes.
    const removeOut = () => rmSync(out, { recursive: true, force: true });
    process.once('exit', removeOut);
    cleanups.push(async () => {
      process.off('exit', removeOut);
      await rm(out, { recursive: true, force: true });
    });
    const appOut = path.join(out, 'app');
    const workerOut = path.join(out, 'worker');
    log('Building the app (vite build)…');
    await buildApp(appOut);
    log('Bundling the Worker (wrangler deploy --dry-run)…');
    await bundleWorker(workerOut, appOut);

    const port = options.port === undefined ? 8787 : options.port || (await freePort(host));
    const origin = `http://${host}:${port}`;

    // Airstore: given, from the environment, or the local stand-in.
    let airstore = options.airstore === 'standin' ? undefined : (options.airstore ?? fromEnv());
    let standin;
    if (!airstore) {
      const { startStandin } = await import('../tests/server/standin.mjs');
      standin = await startStandin({
        host,
        port: 0,
        // The page polls the stand-in directly, like the real gateway it allows only known origins.
        corsOrigins: [origin, `http://localhost:${port}`],
      });
      cleanups.push(() => standin.close());
      airstore = { baseURL: standin.baseURL, apiKey: STANDIN_KEY };
    }

    const { Miniflare } = await import('miniflare');
    const mf = new Miniflare({
      ...(await workerOptions({
        workerOut,
        assetsDir: appOut,
        bindings: {
          AIRSTORE_BASE_URL: airstore.baseURL,
          AIRSTORE_API_KEY: airstore.apiKey,
          // Where browsers poll, when it is not where the Worker reaches Airstore.
          ...(!standin && process.env.AIRSTORE_PUBLIC_BASE_URL && { AIRSTORE_PUBLIC_BASE_URL: process.env.AIRSTORE_PUBLIC_BASE_URL }),
          // The demo's own page, on whichever port it got (wrangler.jsonc lists 8787's).
          ALLOWED_ORIGINS: [origin, `http://localhost:${port}`],
          // Its return page, on whichever origin the page is (see src/return.js).
          RETURN_TO_URLS: [`${origin}/oauth/return`, `http://localhost:${port}/oauth/return`],
        },
      })),
      host,
      port,
      // The Worker's console output, e.g. why Airstore refused a request.
      handleStructuredLogs: ({ level, message }) => {
        if (!options.quiet) (level === 'error' || level === 'warn' ? console.error : console.log)(`[worker] ${message}`);
      },
    });
    cleanups.push(() => mf.dispose());
    const url = (await mf.ready).origin;

    return { url, airstore: { baseURL: airstore.baseURL, standin: Boolean(standin) }, standin, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function fromEnv() {
  const { AIRSTORE_BASE_URL: baseURL, AIRSTORE_API_KEY: apiKey } = process.env;
  return baseURL && apiKey ? { baseURL, apiKey } : undefined;
}

/** www/node_modules/airstore-wasm links to ../pkg (`npm install` in www/; offline, nothing to download). */
async function ensurePackage() {
  if (!existsSync(path.join(ROOT, 'pkg', 'dist', 'index.mjs'))) {
    throw new Error('pkg/dist is missing: run `make build` first');
  }
  if (!existsSync(path.join(WWW, 'node_modules', 'airstore-wasm', 'package.json'))) {
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: WWW });
  }
}

async function buildApp(outDir) {
  const { build } = await import('vite');
  await build({ configFile: path.join(APP, 'vite.config.js'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

/**
 * Bundles www/worker as `wrangler deploy` would, into `outDir`. `--assets`
 * stands in for wrangler.jsonc's `directory`, which is where `vite build`
 * puts the app by default. (Also used by tests/worker.)
 */
export async function bundleWorker(outDir, assetsDir) {
  await ensurePackage();
  await run(path.join(BIN, 'wrangler'), ['deploy', '--dry-run', '--outdir', outDir, '--assets', assetsDir], {
    cwd: WORKER,
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  });
}

/**
 * Miniflare options for the bundled Worker, as wrangler.jsonc says:
 * compatibility date, vars, the assets and their routing, the rate limiter.
 * `bindings` are added to (and override) the config's vars; `ratelimits`
 * replace the config's (Miniflare's shape: { NAME: { simple: { limit, period } } }).
 * (Also used by tests/worker.)
 */
export async function workerOptions({ workerOut, assetsDir, bindings = {}, ratelimits }) {
  const { unstable_getMiniflareWorkerOptions } = await import('wrangler');
  const { workerOptions: fromConfig } = unstable_getMiniflareWorkerOptions(path.join(WORKER, 'wrangler.jsonc'), undefined, {
    overrides: { assets: { directory: assetsDir } },
  });
  return {
    ...fromConfig,
    name: 'airstore-oauth-demo',
    modulesRoot: workerOut,
    modules: bundledModules(workerOut),
    bindings: { ...fromConfig.bindings, ...bindings },
    ...(ratelimits && { ratelimits }),
  };
}

/** The dry run's output: index.js and the .wasm it imports (compiled, as workerd wants). */
function bundledModules(dir) {
  const modules = [{ type: 'ESModule', path: path.join(dir, 'index.js') }];
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.wasm')) modules.push({ type: 'CompiledWasm', path: path.join(dir, file) });
  }
  return modules;
}

/** Runs a command quietly; on failure, rejects with what it printed. */
function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (exit ${code}):\n${output}`));
    });
  });
}

function freePort(host) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---- CLI ----------------------------------------------------------------------

function isMain() {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const port = process.env.PORT ? Number.parseInt(process.env.PORT, 10) : 8787;
  let demo;
  try {
    demo = await startDemo({ port });
  } catch (err) {
    console.error(`The demo did not start: ${err.message}`);
    process.exit(1);
  }
  console.log(`\nAirstore OAuth demo: ${demo.url}`);
  console.log(
    demo.airstore.standin
      ? `Airstore: the local stand-in at ${demo.airstore.baseURL} (its consent page has Allow and Deny). ` +
          'Set AIRSTORE_BASE_URL and AIRSTORE_API_KEY to use a real Airstore.'
      : `Airstore: ${demo.airstore.baseURL} (AIRSTORE_BASE_URL, key from AIRSTORE_API_KEY). ` +
          `Its CORS settings must allow ${demo.url}.`,
  );
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    demo.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
