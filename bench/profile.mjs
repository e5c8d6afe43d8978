// Where a getSession call's time goes: runs the stub-fetch loop of
// bench/child.mjs under `node --cpu-prof`, for ours and the peer, and prints
// the functions with the most self time, and self time by origin (our wasm,
// our JS glue, the peer's JS, Node/undici internals, GC, …).
//
//   node bench/profile.mjs [calls=100000] [top=25]
//
// Not part of `make bench` (the numbers are for reading, not for budgets).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const calls = Number(process.argv[2] ?? 100_000);
const top = Number(process.argv[3] ?? 25);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airstore-profile-'));
fs.mkdirSync(path.join(tmp, 'node_modules/@airstore'), { recursive: true });
fs.symlinkSync(path.join(ROOT, 'pkg'), path.join(tmp, 'node_modules/airstore-wasm'), 'dir');
fs.symlinkSync(path.join(ROOT, 'node_modules/@airstore/sdk'), path.join(tmp, 'node_modules/@airstore/sdk'), 'dir');
fs.copyFileSync(path.join(ROOT, 'bench/child.mjs'), path.join(tmp, 'child.mjs'));

function origin(frame) {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return functionName;
  if (url.startsWith('wasm://') || /^\$?(func|wasm-function)\[?\d+/.test(functionName)) return 'our wasm';
  if (url.includes('/pkg/dist/')) return 'our JS glue (pkg/dist)';
  if (url.includes('@airstore/sdk')) return "peer's JS";
  if (url.includes('child.mjs')) return 'bench loop + stub';
  if (url.includes('undici') || url.includes('internal/deps/undici')) return 'undici (Response, Headers)';
  if (url.startsWith('node:') || url === '') return 'Node/V8 built-ins';
  return url;
}

for (const sdk of ['ours', 'peer']) {
  const dir = path.join(tmp, `prof-${sdk}`);
  const res = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', path.join(tmp, 'child.mjs'), 'stub', sdk], {
    cwd: tmp,
    env: { ...process.env, N: String(calls), WARMUP: '2000' },
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(res.stderr);
  const result = JSON.parse(res.stdout.trim());
  const profile = JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map(); // node id -> µs
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map();
  const byOrigin = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const o = origin(callFrame);
    if (o === '(idle)') continue;
    total += us;
    const file = callFrame.url ? `${callFrame.url.replace(/^.*\//, '')}:${callFrame.lineNumber + 1}` : '';
    const key = `${callFrame.functionName || '(anonymous)'} ${file} [${o}]`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  console.log(`\n${sdk}: ${Math.round(result.perSec).toLocaleString('en-US')} calls/s, ${result.usPerCall.toFixed(1)} µs/call (profiled, so slower)`);
  console.log('  self time by origin:');
  for (const [o, us] of [...byOrigin].sort((a, b) => b[1] - a[1])) console.log(`    ${pct(us)}  ${o}`);
  console.log('  top functions by self time:');
  for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${pct(us)}  ${k}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
