// `make bench`: airstore-wasm (pkg/, built by `make build`) against the
// official @airstore/sdk (the dev dependency), measured in the same run,
// interleaved (ours, peer, ours, peer, …) so drift in the machine's load
// hits both alike. Prints every measurement as median (min–max) with the
// ratio ours / peer, checks the budgets, and writes a markdown table to
// bench/results.md.
//
//   node bench/run.mjs            (about 2 minutes on 2 cores)
//   BENCH_ONLY=workerd node bench/run.mjs   (only the sections named)
//
// Every run-time measurement happens in a fresh child process
// (bench/child.mjs), one per repetition, so neither SDK's JIT state, heap or
// sockets affect the other. The stand-in Airstore (tests/server/standin.mjs)
// runs in this process, on loopback.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { startStandin } from '../tests/server/standin.mjs';
import { pendingSession } from './session.mjs';
import { bundleBrowserApp, gzip9 } from './browser-app.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = path.join(ROOT, 'bench');
const PKG = path.join(ROOT, 'pkg');
const PEER_DIR = path.join(ROOT, 'node_modules/@airstore/sdk');
const PEER_VERSION = JSON.parse(fs.readFileSync(path.join(PEER_DIR, 'package.json'), 'utf8')).version;
const OURS_VERSION = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8')).version;
const KEY = 'org_test_key';
const SDKS = ['ours', 'peer'];
const LABEL = { ours: `airstore-wasm ${OURS_VERSION}`, peer: `@airstore/sdk ${PEER_VERSION}` };
const KB = 1024;
const COMPAT_DATE = '2025-09-01';

const REPS = {
  cold: 10, // fresh `node` per rep: ~0.2 s each
  workerd: 25, // fresh Miniflare (workerd process) per rep: ~0.1–0.2 s each, noisy (hence more reps)
  stub: 7, // 20,000 calls per rep
  loopback: 5, // 3,000 calls per rep, 16 concurrent
  poll: 5, // ~1 s each
  hung: 5, // ours ~1 s, peer capped at 5 s
  memory: 3, // 100,000 calls per rep
};
const STUB_CALLS = 20_000;
const LOOPBACK_CALLS = 3_000;
const LOOPBACK_CONCURRENCY = 16;
const MEMORY_CALLS = 100_000;

if (!fs.existsSync(path.join(PKG, 'dist/airstore_wasm_bg.wasm'))) {
  console.error('pkg/dist is missing: run `make build` (or `make bench`, which builds first)');
  process.exit(1);
}

// ---- statistics and formatting ------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const summary = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });
const round = (x, digits) => (Math.abs(x) >= 100 || digits === 0 ? Math.round(x).toLocaleString('en-US') : x.toFixed(digits));
const fmt = (s, unit = '', digits = 1) =>
  s.n === 1 || s.min === s.max ? `${round(s.median, digits)}${unit}` : `${round(s.median, digits)}${unit} (${round(s.min, digits)}–${round(s.max, digits)})`;
const bytes = (n) => `${n.toLocaleString('en-US')} B (${(n / KB).toFixed(1)} KB)`;
const ratio = (a, b) => (b === 0 ? '—' : `${(a / b).toFixed(2)}×`);

const rows = []; // [measure, ours, peer, ratio]
const budgets = []; // [name, pass, detail]
const log = (...a) => console.log(...a);
function row(measure, ours, peer, r = '') {
  rows.push([measure, ours, peer, r]);
  log(`  ${measure}: ours ${ours} | peer ${peer}${r ? ` | ours/peer ${r}` : ''}`);
}
function budget(name, pass, detail) {
  budgets.push([name, pass, detail]);
  log(`  budget ${pass ? 'PASS' : 'FAIL'}: ${name} (${detail})`);
}

// ---- set-up: a directory where both SDKs resolve by package name ------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airstore-bench-'));
fs.mkdirSync(path.join(tmp, 'node_modules/@airstore'), { recursive: true });
fs.symlinkSync(PKG, path.join(tmp, 'node_modules/airstore-wasm'), 'dir');
fs.symlinkSync(PEER_DIR, path.join(tmp, 'node_modules/@airstore/sdk'), 'dir');
fs.copyFileSync(path.join(BENCH, 'child.mjs'), path.join(tmp, 'child.mjs'));
const CHILD = path.join(tmp, 'child.mjs');

const standin = await startStandin();
const SESSION_ID = await pendingSession(standin, KEY);

let miniflare; // the one alive, for cleanup on failure
async function cleanup() {
  await miniflare?.dispose().catch(() => {});
  await standin.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.on('SIGINT', () => cleanup().finally(() => process.exit(130)));

/** Runs child.mjs once; resolves with its JSON and the spawn → exit wall time. */
function child(mode, sdk, { env = {}, nodeArgs = [], timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const proc = spawn(process.execPath, [...nodeArgs, CHILD, mode, sdk], {
      cwd: tmp,
      env: { ...process.env, BASE_URL: standin.baseURL, SESSION_ID, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      const wall = performance.now() - start;
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`child ${mode} ${sdk} exited ${code ?? signal}: ${stderr.trim()}`));
      try {
        resolve({ ...JSON.parse(stdout.trim().split('\n').pop()), wall });
      } catch {
        reject(new Error(`child ${mode} ${sdk}: no JSON on stdout: ${stdout} ${stderr}`));
      }
    });
  });
}

/** reps × (ours, peer), interleaved; returns { ours: [..], peer: [..] }. */
async function interleaved(reps, fn) {
  const out = { ours: [], peer: [] };
  for (let i = 0; i < reps; i++) for (const sdk of SDKS) out[sdk].push(await fn(sdk, i));
  return out;
}

const startedAt = performance.now();
const machine = {
  cpu: os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
  cores: os.cpus().length,
  node: process.version,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
};
log(`airstore-wasm benchmarks: ${LABEL.ours} vs ${LABEL.peer}`);
log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}\n`);

// BENCH_ONLY=workerd,stub (say) reruns only those sections; such a run
// prints its rows but leaves bench/results.md as it was.
const SECTIONS = { bytes: bytesBench, node: coldNode, workerd: coldWorkerd, stub: stubBench, loopback: loopbackBench, poll: pollBench, hung: hungBench, memory: memoryBench };
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((s) => s.trim()) : Object.keys(SECTIONS);
for (const name of only) if (!SECTIONS[name]) throw new Error(`BENCH_ONLY: no section ${name} (sections: ${Object.keys(SECTIONS).join(', ')})`);
try {
  for (const name of only) await SECTIONS[name]();
} finally {
  await cleanup();
}
const partial = only.length < Object.keys(SECTIONS).length;

// ---- the report ----------------------------------------------------------------------

const table = [
  `| Measure | ${LABEL.ours} | ${LABEL.peer} | ours / peer |`,
  '|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const budgetTable = [
  '| Budget | Result | Measured |',
  '|---|---|---|',
  ...budgets.map(([name, pass, detail]) => `| ${name} | ${pass ? 'PASS' : '**FAIL**'} | ${detail} |`),
].join('\n');
const date = new Date().toISOString().slice(0, 10);
const method = `How: median (min–max) over the repetitions (${Object.entries(REPS).map(([k, n]) => `${k} ${n}`).join(', ')} per SDK), \
ours and peer interleaved, every run-time repetition in a fresh process; "ours / peer" below 1 means smaller or faster, \
except for calls/s, where above 1 is faster. KB = 1,024 bytes; gzip is \`node:zlib\` level 9. \
The stand-in Airstore (tests/server/standin.mjs) runs on loopback in the parent process. \
*Bytes*: an app that constructs a client and calls createSession, getSession and poll, bundled by esbuild \
(\`--bundle --minify --format=esm --platform=browser\`); our \`.wasm\` is a separate asset. \
*Stub fetch*: \`globalThis.fetch\` returns a ready \`Response\`, so only the SDK is timed. \
*Check lateness*: a check is due \`interval\` after the previous check's answer (body read), or at the deadline if that is sooner \
(ours never waits past it); lateness = when fetch was called − when it was due. \
*Rejection*: when poll rejected − (start + timeout). *Hung request*: a fetch that never answers (it rejects only when its signal aborts). \
*wasm memory*: \`WebAssembly.Instance\` is wrapped before the package is imported to keep our instance's memory (the one that exports \`airstore_new\`, wasm-bindgen's constructor of \`Airstore\`); \
readings after \`gc()\`. See bench/run.mjs and bench/child.mjs; bench/profile.mjs profiles the stub loop.`;
const markdown = `### Benchmarks

${date}, ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (\`make bench\`).

${table}

${budgetTable}

${method}
`;
if (!partial) fs.writeFileSync(path.join(BENCH, 'results.md'), markdown);
log(`\n${markdown}`);
const failed = budgets.filter(([, pass]) => !pass).map(([name]) => name);
log(`${failed.length ? `FAILED budgets: ${failed.join('; ')}` : `All budgets ${partial ? 'measured ' : ''}pass.`}`);
log(`(${partial ? `BENCH_ONLY=${only.join(',')}: bench/results.md left as it was` : 'written to bench/results.md'}; total ${((performance.now() - startedAt) / 1000).toFixed(0)} s)`);

// ---- bytes: a browser app bundled with esbuild ---------------------------------------

async function bytesBench() {
  log('Bytes: an app calling createSession, getSession, poll, bundled for the browser with esbuild');
  const sizes = {};
  for (const sdk of SDKS) {
    const spec = sdk === 'ours' ? 'airstore-wasm' : '@airstore/sdk';
    const js = await bundleBrowserApp(spec, tmp, path.join(tmp, `app-${sdk}`));
    const s = { jsRaw: js.length, jsGzip: gzip9(js) };
    if (sdk === 'ours') {
      // esbuild leaves `new URL('./airstore_wasm_bg.wasm', import.meta.url)`
      // alone: the .wasm is a separate asset, served next to the JS.
      if (!js.includes('airstore_wasm_bg.wasm')) throw new Error('the browser bundle does not reference the .wasm asset');
      if (js.includes('AGFzbQ')) throw new Error('the browser bundle inlines the wasm');
      const wasm = fs.readFileSync(path.join(PKG, 'dist/airstore_wasm_bg.wasm'));
      // Also GNU gzip's figure where it is installed, as `gzip -9 -c <file> | wc -c`
      // gives it (the header then holds the file's name).
      const gnu = spawnSync('gzip', ['-9', '-c', path.join(PKG, 'dist/airstore_wasm_bg.wasm')], { maxBuffer: 1 << 24 });
      Object.assign(s, { wasmRaw: wasm.length, wasmGzip: gzip9(wasm), wasmGnuGzip: gnu.status === 0 ? gnu.stdout.length : undefined });
    }
    s.totalRaw = s.jsRaw + (s.wasmRaw ?? 0);
    s.totalGzip = s.jsGzip + (s.wasmGzip ?? 0);
    sizes[sdk] = s;
  }
  const { ours, peer } = sizes;
  row('Browser app: JS, raw', bytes(ours.jsRaw), bytes(peer.jsRaw), ratio(ours.jsRaw, peer.jsRaw));
  row('Browser app: JS, gzip -9', bytes(ours.jsGzip), bytes(peer.jsGzip), ratio(ours.jsGzip, peer.jsGzip));
  row('Browser app: wasm, raw', bytes(ours.wasmRaw), '—');
  const gnu = ours.wasmGnuGzip === undefined ? '' : ` (GNU \`gzip -9\` of the file: ${ours.wasmGnuGzip.toLocaleString('en-US')} B)`;
  row('Browser app: wasm, gzip -9', `${bytes(ours.wasmGzip)}${gnu}`, '—');
  row('Browser app: total, gzip -9 (JS + wasm)', bytes(ours.totalGzip), bytes(peer.totalGzip), ratio(ours.totalGzip, peer.totalGzip));
  budget(
    'browser JS + wasm ≤ 38 KB gzip (aim 32 KB)',
    ours.totalGzip <= 38 * KB,
    `${(ours.totalGzip / KB).toFixed(1)} KB: JS ${(ours.jsGzip / KB).toFixed(1)} KB + wasm ${(ours.wasmGzip / KB).toFixed(1)} KB`,
  );
}

// ---- cold start: Node ----------------------------------------------------------------

async function coldNode() {
  log(`\nCold start, Node: spawn \`node\` → import, construct, first getSession on loopback → exit (${REPS.cold} reps each)`);
  for (const sdk of SDKS) await child('cold', sdk); // untimed: warm the file cache
  const r = await interleaved(REPS.cold, (sdk) => child('cold', sdk));
  const wall = { ours: summary(r.ours.map((x) => x.wall)), peer: summary(r.peer.map((x) => x.wall)) };
  const inProc = { ours: summary(r.ours.map((x) => x.inProcess)), peer: summary(r.peer.map((x) => x.inProcess)) };
  row('Cold start, Node: spawn → exit', fmt(wall.ours, ' ms'), fmt(wall.peer, ' ms'), ratio(wall.ours.median, wall.peer.median));
  row('Cold start, Node: import → first getSession answered (in process)', fmt(inProc.ours, ' ms'), fmt(inProc.peer, ' ms'), ratio(inProc.ours.median, inProc.peer.median));
  budget('cold start (Node, spawn → exit) ≤ 1.1× peer', wall.ours.median <= 1.1 * wall.peer.median, `${ratio(wall.ours.median, wall.peer.median)} (${wall.ours.median.toFixed(0)} vs ${wall.peer.median.toFixed(0)} ms)`);
  // The same budget on the part the SDK controls (spawn → exit is mostly Node booting).
  budget('cold start (Node, in process: import → first answer) ≤ 1.1× peer', inProc.ours.median <= 1.1 * inProc.peer.median, `${ratio(inProc.ours.median, inProc.peer.median)} (${inProc.ours.median.toFixed(1)} vs ${inProc.peer.median.toFixed(1)} ms)`);
}

// ---- cold start: workerd (Miniflare) --------------------------------------------------

async function coldWorkerd() {
  log(`\nCold start, workerd (Miniflare ${REPS.workerd} reps each): new Miniflare → first dispatchFetch answered (the worker did a getSession)`);
  const handler = (importLine) => `${importLine}
export default {
  async fetch(request, env) {
    const start = Date.now();
    const airstore = new Airstore({ apiKey: env.AIRSTORE_API_KEY, baseURL: env.AIRSTORE_BASE_URL });
    const status = await airstore.oauth.getSession(env.SESSION_ID);
    return Response.json({ status: status.status, inWorkerMs: Date.now() - start });
  },
};
`;
  const dirs = {};
  // Ours: the package's workerd entry and its .wasm, as wrangler would ship them.
  dirs.ours = path.join(tmp, 'worker-ours');
  fs.mkdirSync(dirs.ours, { recursive: true });
  fs.copyFileSync(path.join(PKG, 'dist/workerd.mjs'), path.join(dirs.ours, 'workerd.mjs'));
  fs.copyFileSync(path.join(PKG, 'dist/airstore_wasm_bg.wasm'), path.join(dirs.ours, 'airstore_wasm_bg.wasm'));
  fs.writeFileSync(path.join(dirs.ours, 'worker.mjs'), handler(`import { Airstore } from './workerd.mjs';`));
  // Peer: its ESM bundled with the worker.
  dirs.peer = path.join(tmp, 'worker-peer');
  fs.mkdirSync(dirs.peer, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'worker-peer-src.mjs'), handler(`import { Airstore } from '@airstore/sdk';`));
  await build({
    entryPoints: [path.join(tmp, 'worker-peer-src.mjs')],
    absWorkingDir: tmp,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile: path.join(dirs.peer, 'worker.mjs'),
    logLevel: 'error',
  });

  const once = async (sdk) => {
    const t0 = performance.now();
    miniflare = new Miniflare({
      modules: true,
      modulesRoot: dirs[sdk],
      scriptPath: path.join(dirs[sdk], 'worker.mjs'),
      modulesRules: [
        { type: 'ESModule', include: ['**/*.mjs'] },
        { type: 'CompiledWasm', include: ['**/*.wasm'] },
      ],
      bindings: { AIRSTORE_API_KEY: KEY, AIRSTORE_BASE_URL: standin.baseURL, SESSION_ID },
      compatibilityDate: COMPAT_DATE,
    });
    await miniflare.ready;
    const t1 = performance.now();
    const res = await miniflare.dispatchFetch('http://worker.test/');
    const body = await res.json();
    const t2 = performance.now();
    await miniflare.dispose();
    miniflare = undefined;
    if (body.status !== 'pending') throw new Error(`worker ${sdk}: ${JSON.stringify(body)}`);
    return { total: t2 - t0, ready: t1 - t0, first: t2 - t1, inWorker: body.inWorkerMs };
  };
  for (const sdk of SDKS) await once(sdk); // untimed: warm the file cache
  const r = await interleaved(REPS.workerd, once);
  const s = (k) => ({ ours: summary(r.ours.map((x) => x[k])), peer: summary(r.peer.map((x) => x[k])) });
  const total = s('total');
  const ready = s('ready');
  const first = s('first');
  const inWorker = s('inWorker');
  row('Cold start, workerd: new Miniflare → first response', fmt(total.ours, ' ms', 0), fmt(total.peer, ' ms', 0), ratio(total.ours.median, total.peer.median));
  row('… of which new Miniflare → ready (workerd up, modules loaded)', fmt(ready.ours, ' ms', 0), fmt(ready.peer, ' ms', 0), ratio(ready.ours.median, ready.peer.median));
  row('… of which first dispatchFetch (construct + getSession), wall', fmt(first.ours, ' ms'), fmt(first.peer, ' ms'), ratio(first.ours.median, first.peer.median));
  row('… inside the worker, Date.now() around construct + getSession', fmt(inWorker.ours, ' ms', 0), fmt(inWorker.peer, ' ms', 0));
  budget('cold start (workerd, new Miniflare → first response) ≤ 1.15× peer', total.ours.median <= 1.15 * total.peer.median, `${ratio(total.ours.median, total.peer.median)} (${total.ours.median.toFixed(0)} vs ${total.peer.median.toFixed(0)} ms)`);
}

// ---- per-call overhead ---------------------------------------------------------------

async function stubBench() {
  log(`\nPer call, stub fetch: ${STUB_CALLS.toLocaleString('en-US')} sequential getSession after 2,000 warm-up (${REPS.stub} reps each)`);
  const r = await interleaved(REPS.stub, (sdk) => child('stub', sdk, { env: { N: String(STUB_CALLS), WARMUP: '2000' } }));
  const perSec = { ours: summary(r.ours.map((x) => x.perSec)), peer: summary(r.peer.map((x) => x.perSec)) };
  const us = { ours: summary(r.ours.map((x) => x.usPerCall)), peer: summary(r.peer.map((x) => x.usPerCall)) };
  row('getSession calls/s, stub fetch (sequential)', fmt(perSec.ours, '', 0), fmt(perSec.peer, '', 0), ratio(perSec.ours.median, perSec.peer.median));
  row('… time per call', fmt(us.ours, ' µs'), fmt(us.peer, ' µs'), ratio(us.ours.median, us.peer.median));
  // A guard against waste, not a target (clarity before microseconds).
  budget('stub-fetch calls/s ≥ 0.6× peer', perSec.ours.median >= 0.6 * perSec.peer.median, `${ratio(perSec.ours.median, perSec.peer.median)} (${Math.round(perSec.ours.median)} vs ${Math.round(perSec.peer.median)}/s)`);
}

async function loopbackBench() {
  log(`\nPer call, loopback stand-in: ${LOOPBACK_CALLS.toLocaleString('en-US')} getSession, ${LOOPBACK_CONCURRENCY} concurrent callers (${REPS.loopback} reps each)`);
  const r = await interleaved(REPS.loopback, async (sdk) => {
    const result = await child('loopback', sdk, { env: { N: String(LOOPBACK_CALLS), CONCURRENCY: String(LOOPBACK_CONCURRENCY) } });
    standin.requests.length = 0; // the stand-in logs every request
    return result;
  });
  const perSec = { ours: summary(r.ours.map((x) => x.perSec)), peer: summary(r.peer.map((x) => x.perSec)) };
  row(`getSession calls/s, loopback stand-in, ${LOOPBACK_CONCURRENCY} concurrent`, fmt(perSec.ours, '', 0), fmt(perSec.peer, '', 0), ratio(perSec.ours.median, perSec.peer.median));
  budget(`loopback calls/s, ${LOOPBACK_CONCURRENCY} concurrent ≥ 0.95× peer`, perSec.ours.median >= 0.95 * perSec.peer.median, `${ratio(perSec.ours.median, perSec.peer.median)} (${Math.round(perSec.ours.median)} vs ${Math.round(perSec.peer.median)}/s)`);
}

// ---- poll timing -----------------------------------------------------------------------

/**
 * Lateness of check k (k ≥ 1) = when its fetch was called − when it was due.
 * Both SDKs wait `interval` after the previous check's answer, so a check is
 * due at answer(k−1) + interval, where answer is the moment the previous
 * response's body was fully read (the wrapper reads it). Ours never waits
 * past the deadline (the wait is min(interval, time left)), so for ours the
 * due time is min(answer(k−1) + interval, deadline) and a check due at the
 * deadline is not made. The first check is due at once (at the poll call).
 * Rejection offset = when the promise rejected − (start + timeout).
 */
function pollStats(run) {
  const deadline = run.start + run.timeout;
  const lateness = [];
  for (let k = 1; k < run.checks.length; k++) {
    const prev = run.checks[k - 1];
    if (prev.answer === undefined) continue;
    lateness.push(run.checks[k].call - Math.min(prev.answer + run.interval, deadline));
  }
  const requestMs = run.checks.filter((c) => c.answer !== undefined).map((c) => c.answer - c.call);
  return {
    lateness,
    first: run.checks.length ? run.checks[0].call - run.start : NaN,
    checks: run.checks.length,
    requestMs,
    rejectOffset: run.settled - deadline,
    message: run.message,
  };
}

async function pollBench() {
  log(`\nPoll timing: poll(id, { interval: 100, timeout: 1000 }) on a session that stays pending, stand-in on loopback (${REPS.poll} reps each)`);
  const r = await interleaved(REPS.poll, async (sdk) => pollStats(await child('poll', sdk)));
  for (const sdk of SDKS) {
    for (const run of r[sdk]) {
      if (!/timed out after 1000ms/.test(run.message)) throw new Error(`poll ${sdk}: ${run.message}`);
    }
  }
  const all = (sdk, k) => r[sdk].flatMap((x) => x[k]);
  const late = { ours: summary(all('ours', 'lateness')), peer: summary(all('peer', 'lateness')) };
  const lateMax = { ours: summary(r.ours.map((x) => Math.max(...x.lateness))), peer: summary(r.peer.map((x) => Math.max(...x.lateness))) };
  const checks = { ours: summary(r.ours.map((x) => x.checks)), peer: summary(r.peer.map((x) => x.checks)) };
  const req = { ours: summary(all('ours', 'requestMs')), peer: summary(all('peer', 'requestMs')) };
  const reject = { ours: summary(r.ours.map((x) => x.rejectOffset)), peer: summary(r.peer.map((x) => x.rejectOffset)) };
  row('Poll: checks made in 1 s (interval 100 ms)', fmt(checks.ours, '', 0), fmt(checks.peer, '', 0));
  row('Poll: request time per check (loopback)', fmt(req.ours, ' ms', 2), fmt(req.peer, ' ms', 2));
  row('Poll: check lateness vs schedule, all checks', fmt(late.ours, ' ms', 2), fmt(late.peer, ' ms', 2));
  row('Poll: worst check lateness per poll', fmt(lateMax.ours, ' ms', 2), fmt(lateMax.peer, ' ms', 2));
  row('Poll: rejection − (start + timeout)', fmt(reject.ours, ' ms', 1), fmt(reject.peer, ' ms', 1));
  budget('poll median check lateness ≤ 5 ms', late.ours.median <= 5, `${late.ours.median.toFixed(2)} ms (max ${late.ours.max.toFixed(2)} ms)`);
  const worstReject = Math.max(Math.abs(reject.ours.min), Math.abs(reject.ours.max));
  budget('poll rejection within 50 ms of timeout', worstReject <= 50, `worst ${worstReject.toFixed(1)} ms over ${reject.ours.n} polls`);
}

async function hungBench() {
  log(`\nPoll, hung request: fetch never answers, poll(id, { timeout: 1000 }), client timeout 60 s, capped at 5 s (${REPS.hung} reps each)`);
  const r = await interleaved(REPS.hung, (sdk) => child('hung', sdk));
  const show = (runs) => {
    const capped = runs.filter((x) => x.capped).length;
    if (capped === runs.length) return '> 5 s (every rep)';
    const s = fmt(summary(runs.filter((x) => !x.capped).map((x) => x.ms)), ' ms', 1);
    return capped ? `${s}; ${capped} reps > 5 s` : s;
  };
  row('Poll with a hung request: time to rejection (timeout 1000 ms)', show(r.ours), show(r.peer));
  log(`  ours: ${r.ours[0].message}; peer: ${r.peer[0].message}`);
}

// ---- memory ------------------------------------------------------------------------------

async function memoryBench() {
  log(`\nMemory: ${MEMORY_CALLS.toLocaleString('en-US')} getSession with the stub fetch, gc before each reading (${REPS.memory} reps each)`);
  const r = await interleaved(REPS.memory, (sdk) => child('memory', sdk, { nodeArgs: ['--expose-gc'], env: { N: String(MEMORY_CALLS), WARMUP: '1000' }, timeoutMs: 120_000 }));
  const mb = (n) => n / (KB * KB);
  const s = (sdk, f) => summary(r[sdk].map(f));
  const rssWarm = { ours: s('ours', (x) => mb(x.warm.rss)), peer: s('peer', (x) => mb(x.warm.rss)) };
  const rssAfter = { ours: s('ours', (x) => mb(x.after.rss)), peer: s('peer', (x) => mb(x.after.rss)) };
  const heapWarm = { ours: s('ours', (x) => mb(x.warm.heapUsed)), peer: s('peer', (x) => mb(x.warm.heapUsed)) };
  const heapAfter = { ours: s('ours', (x) => mb(x.after.heapUsed)), peer: s('peer', (x) => mb(x.after.heapUsed)) };
  row('RSS after 1,000 calls (warm-up)', fmt(rssWarm.ours, ' MB'), fmt(rssWarm.peer, ' MB'), ratio(rssWarm.ours.median, rssWarm.peer.median));
  row(`RSS after ${MEMORY_CALLS.toLocaleString('en-US')} more calls`, fmt(rssAfter.ours, ' MB'), fmt(rssAfter.peer, ' MB'), ratio(rssAfter.ours.median, rssAfter.peer.median));
  row('JS heap used after warm-up → after', `${fmt(heapWarm.ours, ' MB', 2)} → ${fmt(heapAfter.ours, ' MB', 2)}`, `${fmt(heapWarm.peer, ' MB', 2)} → ${fmt(heapAfter.peer, ' MB', 2)}`);
  const instances = r.ours.map((x) => x.instances);
  if (instances.some((n) => n !== 1)) throw new Error(`expected one wasm instance of ours, saw ${instances}`);
  const wasmLoaded = s('ours', (x) => x.loaded.wasm / KB);
  const wasmWarm = s('ours', (x) => x.warm.wasm / KB);
  const wasmAfter = s('ours', (x) => x.after.wasm / KB);
  const refsWarm = s('ours', (x) => x.warm.externrefs);
  const refsAfter = s('ours', (x) => x.after.externrefs);
  row('wasm linear memory: loaded / warm-up / after', `${fmt(wasmLoaded, ' KB', 0)} / ${fmt(wasmWarm, ' KB', 0)} / ${fmt(wasmAfter, ' KB', 0)}`, '—');
  row('wasm externref table slots: warm-up / after', `${fmt(refsWarm, '', 0)} / ${fmt(refsAfter, '', 0)}`, '—');
  const grew = r.ours.filter((x) => x.after.wasm > x.warm.wasm).length;
  budget('wasm memory does not grow after warm-up', grew === 0, `${fmt(wasmWarm, ' KB', 0)} → ${fmt(wasmAfter, ' KB', 0)}${grew ? ` (grew in ${grew} of ${r.ours.length} reps)` : ''}`);
}
