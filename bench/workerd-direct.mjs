// A Worker's cold start in workerd itself, without Miniflare: spawns
// `workerd serve` with a config of the Worker's modules, times spawn →
// listening and the first request (construct a client, one getSession
// against the stand-in), ours and the peer interleaved. V8 flags can be set
// per variant, for diagnosis (docs/speed.md, "A cold start in workerd").
//
//   node bench/workerd-direct.mjs [reps=11] ['{"name":["--v8-flag",…],…}']
//
// e.g. '{"default":[],"eager":["--no-wasm-lazy-compilation","--no-lazy"]}'.
// Not part of `make bench`: the budget is measured through Miniflare there.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startStandin } from '../tests/server/standin.mjs';
import { pendingSession } from './session.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKERD = path.join(ROOT, 'node_modules/@cloudflare/workerd-linux-64/bin/workerd');
const KEY = 'org_test_key';
const reps = Number(process.argv[2] ?? 11);
const flagSets = JSON.parse(process.argv[3] ?? '{"default":[]}');

const standin = await startStandin();
const SESSION_ID = await pendingSession(standin, KEY);

// Each SDK as a Worker of three modules: worker.mjs, sdk.mjs and the wasm
// (the peer's sdk.mjs is its ESM bundled by esbuild, as wrangler would).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airstore-workerd-'));
const handler = `import { Airstore } from './sdk.mjs';
export default {
  async fetch(request, env) {
    const airstore = new Airstore({ apiKey: env.K, baseURL: env.B });
    const status = await airstore.oauth.getSession(env.S);
    return new Response(status.status);
  },
};
`;
const dirs = {};
for (const sdk of ['ours', 'peer']) {
  dirs[sdk] = path.join(tmp, sdk);
  fs.mkdirSync(dirs[sdk]);
  fs.writeFileSync(path.join(dirs[sdk], 'worker.mjs'), handler);
  fs.copyFileSync(path.join(ROOT, 'pkg/dist/airstore_wasm_bg.wasm'), path.join(dirs[sdk], 'airstore_wasm_bg.wasm'));
}
fs.copyFileSync(path.join(ROOT, 'pkg/dist/workerd.mjs'), path.join(dirs.ours, 'sdk.mjs'));
await build({
  stdin: { contents: "export { Airstore } from '@airstore/sdk';", resolveDir: ROOT },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  outfile: path.join(dirs.peer, 'sdk.mjs'),
  logLevel: 'error',
});

let port = 18_700;
function config(flags, listenPort) {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w), (name = "internet", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${listenPort}", http = (), service = "main") ],
  v8Flags = [${flags.map((f) => JSON.stringify(f)).join(', ')}],
);
const w :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "sdk.mjs", esModule = embed "sdk.mjs"),
    (name = "airstore_wasm_bg.wasm", wasm = embed "airstore_wasm_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
  bindings = [ (name = "K", text = "${KEY}"), (name = "B", text = "${standin.baseURL}"), (name = "S", text = "${SESSION_ID}") ],
);`;
}

/** One cold start: { listening, first } in ms. */
async function once(sdk, flagName) {
  const listenPort = port++;
  const file = path.join(dirs[sdk], `${flagName}.capnp`);
  fs.writeFileSync(file, config(flagSets[flagName], listenPort));
  const t0 = performance.now();
  // workerd reports on fd 3 once its sockets listen.
  const proc = spawn(WORKERD, ['serve', file, '--control-fd=3'], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
  try {
    await new Promise((resolve, reject) => {
      proc.on('exit', (code) => reject(new Error(`workerd exited ${code}`)));
      proc.stdio[3].on('data', (chunk) => String(chunk).includes('listen') && resolve());
    });
    const t1 = performance.now();
    const text = await fetch(`http://127.0.0.1:${listenPort}/`).then((r) => r.text());
    const t2 = performance.now();
    if (text !== 'pending') throw new Error(`${sdk}/${flagName}: ${text}`);
    return { listening: t1 - t0, first: t2 - t1 };
  } finally {
    proc.removeAllListeners('exit');
    proc.kill('SIGKILL');
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const runs = Object.keys(flagSets).flatMap((flagName) => ['ours', 'peer'].map((sdk) => [sdk, flagName]));
const results = new Map(runs.map((r) => [r.join(' '), []]));
try {
  for (const [sdk, flagName] of runs) await once(sdk, flagName); // untimed: warm the file cache
  for (let i = 0; i < reps; i++) for (const [sdk, flagName] of runs) results.get(`${sdk} ${flagName}`).push(await once(sdk, flagName));
  console.log(`workerd directly, medians of ${reps}: spawn → listening, first request (construct + getSession), total`);
  for (const [name, xs] of results) {
    const m = (f) => median(xs.map(f)).toFixed(2).padStart(6);
    console.log(`  ${name.padEnd(24)} listening ${m((x) => x.listening)} ms  first ${m((x) => x.first)} ms  total ${m((x) => x.listening + x.first)} ms`);
  }
} finally {
  await standin.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
