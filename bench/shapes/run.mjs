// `make bench-shapes`: per-call time of a plain-JS getSession, of the same
// work behind an async wasm export (the shape airstore-wasm has) and behind
// two synchronous wasm calls (sans-IO, JS awaits), with the bench's stub
// fetch. Builds the probe crate first. Prints median (min–max) µs per call
// over interleaved rounds in one process.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = path.join(HERE, '../..');
const target = path.join(ROOT, 'target/shapes');
const out = path.join(ROOT, 'build/shapes');
execFileSync('cargo', ['build', '--quiet', '--release', '--target', 'wasm32-unknown-unknown', '--target-dir', target], { cwd: HERE, stdio: 'inherit' });
execFileSync('wasm-bindgen', ['--target', 'nodejs', '--out-dir', out, path.join(target, 'wasm32-unknown-unknown/release/airstore_shapes.wasm')], { stdio: 'inherit' });
// The nodejs glue is CommonJS and the repo's package.json says "module": a
// package.json without "type" here lets Node tell each file's kind itself.
writeFileSync(path.join(out, 'package.json'), '{}\n');
const probe = createRequire(import.meta.url)(path.join(out, 'airstore_shapes.js'));
const { io, statusOf, makeResult } = await import('./js/io.js');

const BODY = '{"success":true,"data":{"status":"pending"}}';
globalThis.fetch = () => Promise.resolve(new Response(BODY, { status: 200, headers: { 'content-type': 'application/json' } }));

const shapes = {
  'plain JS': async (id) => {
    const status = statusOf(await io(`http://127.0.0.1:9/api/v1/oauth/sessions/${id}`));
    if (status === undefined) throw new Error('no status');
    return makeResult(status);
  },
  'async wasm export': (id) => probe.asyncGet(id),
  'sans-IO (JS awaits)': async (id) => probe.readGet(await io(probe.planGet(id))),
};
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const N = 5_000;
const times = Object.fromEntries(Object.keys(shapes).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, call] of Object.entries(shapes)) {
    if (round === 0) for (let i = 0; i < N; i++) await call('sess_0123456789abcdef'); // warm-up
    const start = performance.now();
    for (let i = 0; i < N; i++) await call('sess_0123456789abcdef');
    times[name].push(((performance.now() - start) * 1000) / N);
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const base = median(times['plain JS']);
for (const [name, v] of Object.entries(times)) {
  const m = median(v);
  console.log(`${name.padEnd(22)} ${m.toFixed(2)} µs/call (${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})  +${(m - base).toFixed(2)} µs over plain JS`);
}
