// One measurement in a fresh Node process, for bench/run.mjs.
//
//   node child.mjs <mode> <ours|peer>
//
// run.mjs copies this file into a temporary directory whose node_modules has
// `airstore-wasm` (a link to pkg/) and `@airstore/sdk`, so both SDKs are
// imported by their package names, exactly as an application would
// (`airstore-wasm` resolves to dist/node.mjs through the `node` condition).
// Every mode prints one JSON line on stdout.
//
// Modes (env: BASE_URL, SESSION_ID, N, WARMUP, CONCURRENCY where they apply):
//   cold      import + construct + first getSession against the stand-in
//   stub      sequential getSession calls per second, fetch replaced by a stub
//   loopback  getSession calls per second against the stand-in, CONCURRENCY callers
//   poll      poll(id, { interval: 100, timeout: 1000 }) on a pending session,
//             every fetch time-stamped (call, and answer = body fully read)
//   hung      poll(id, { timeout: 1000 }) with a fetch that never answers
//             (it only rejects when its signal aborts, as a real fetch does)
//   memory    RSS, JS heap and (ours) wasm linear memory after 1,000 and after
//             N (100,000) stub getSession calls; needs --expose-gc

const t0 = performance.now();
const [mode, sdk] = process.argv.slice(2);
const SPEC = { ours: 'airstore-wasm', peer: '@airstore/sdk' }[sdk];
if (!SPEC) throw new Error(`usage: node child.mjs <mode> <ours|peer>`);
const env = process.env;
const KEY = 'org_test_key';
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const STUB_BODY = '{"success":true,"data":{"status":"pending"}}';
/** The fetch stub of the per-call overhead runs: only the SDK is timed. */
function stubFetch() {
  return Promise.resolve(
    new Response(STUB_BODY, { status: 200, headers: { 'content-type': 'application/json' } }),
  );
}

/**
 * Our wasm linear memory. The package does not expose it, so before the
 * package is imported WebAssembly.Instance (the synchronous path the Node
 * entry takes: initSync → new WebAssembly.Instance) and
 * WebAssembly.instantiate (the async path, for completeness) are wrapped to
 * keep the memory of our instance, and its externref table (wasm-bindgen's
 * `__wbindgen_externrefs`: the JS values the wasm holds; it would grow if
 * handles leaked). Ours is the instance that exports `airstore_new`
 * (wasm-bindgen's constructor of Airstore); undici's llhttp, which Node's
 * fetch instantiates too, exports no such thing.
 */
const memories = [];
const tables = []; // wasm-bindgen's externref table: JS values the wasm holds
function captureWasmMemory() {
  const keep = (instance) => {
    // Only ours: Node's own fetch (undici's llhttp) instantiates wasm too.
    const e = instance?.exports;
    const names = e ? Object.keys(e) : [];
    const values = names.includes('airstore_new') ? Object.values(e) : [];
    const memory = values.find((v) => v instanceof WebAssembly.Memory);
    const table = values.find((v) => v instanceof WebAssembly.Table);
    if (memory && table) {
      memories.push(memory);
      tables.push(table);
    }
    return instance;
  };
  WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
    construct: (target, args, newTarget) => keep(Reflect.construct(target, args, newTarget === WebAssembly.Instance ? target : newTarget)),
  });
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async (...args) => {
    const result = await instantiate(...args);
    keep(result instanceof WebAssembly.Instance ? result : result.instance);
    return result;
  };
}

async function load() {
  const mod = await import(SPEC);
  return mod.Airstore;
}

switch (mode) {
  case 'cold': {
    const Airstore = await load();
    const client = new Airstore({ apiKey: KEY, baseURL: env.BASE_URL });
    const status = await client.oauth.getSession(env.SESSION_ID);
    const t1 = performance.now();
    if (status.status !== 'pending') throw new Error(`unexpected ${JSON.stringify(status)}`);
    // inProcess: before import → after the first getSession;
    // sinceOrigin: process start (performance.timeOrigin) → the same point.
    out({ inProcess: t1 - t0, sinceOrigin: t1 });
    break; // and exit naturally: anything left pending would show in the parent's spawn → exit time
  }

  case 'stub': {
    globalThis.fetch = stubFetch;
    const Airstore = await load();
    const client = new Airstore({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/api/v1' });
    const n = Number(env.N ?? 20_000);
    const warmup = Number(env.WARMUP ?? 2_000);
    for (let i = 0; i < warmup; i++) await client.oauth.getSession('sess_0123456789abcdef');
    const start = performance.now();
    for (let i = 0; i < n; i++) await client.oauth.getSession('sess_0123456789abcdef');
    const ms = performance.now() - start;
    out({ calls: n, ms, perSec: (n * 1000) / ms, usPerCall: (ms * 1000) / n });
    break;
  }

  case 'loopback': {
    const Airstore = await load();
    const client = new Airstore({ apiKey: KEY, baseURL: env.BASE_URL });
    const n = Number(env.N ?? 3_000);
    const concurrency = Number(env.CONCURRENCY ?? 16);
    const warmup = Number(env.WARMUP ?? 300);
    const drive = async (total) => {
      let next = 0;
      const worker = async () => {
        while (next < total) {
          next++;
          const s = await client.oauth.getSession(env.SESSION_ID);
          if (s.status !== 'pending') throw new Error('unexpected status');
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };
    await drive(warmup);
    const start = performance.now();
    await drive(n);
    const ms = performance.now() - start;
    out({ calls: n, ms, perSec: (n * 1000) / ms });
    break;
  }

  case 'poll': {
    const Airstore = await load();
    const client = new Airstore({ apiKey: KEY, baseURL: env.BASE_URL });
    await client.oauth.getSession(env.SESSION_ID); // warm: connection and undici set up
    const realFetch = globalThis.fetch;
    const checks = [];
    globalThis.fetch = async (url, init) => {
      const check = { call: performance.now(), answer: undefined };
      checks.push(check);
      const res = await realFetch(url, init);
      const body = await res.text();
      check.answer = performance.now(); // the answer, body included
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const interval = 100;
    const timeout = 1000;
    const start = performance.now();
    let message;
    try {
      await client.oauth.poll(env.SESSION_ID, { interval, timeout });
      message = 'resolved';
    } catch (err) {
      message = err.message;
    }
    const settled = performance.now();
    out({ interval, timeout, start, settled, message, checks });
    break;
  }

  case 'hung': {
    const CAP_MS = 5_000;
    globalThis.fetch = (url, init) =>
      new Promise((_, reject) => {
        const signal = init?.signal;
        signal?.addEventListener('abort', () => reject(signal.reason ?? new DOMException('aborted', 'AbortError')), { once: true });
      });
    const Airstore = await load();
    const client = new Airstore({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/api/v1', timeout: 60_000 });
    const start = performance.now();
    const settled = await Promise.race([
      client.oauth.poll('sess_0123456789abcdef', { timeout: 1000 }).then(
        () => ({ message: 'resolved' }),
        (err) => ({ message: `${err.name}: ${err.message}` }),
      ),
      new Promise((resolve) => setTimeout(() => resolve(null), CAP_MS)),
    ]);
    const ms = performance.now() - start;
    out(settled ? { ms, capped: false, message: settled.message } : { ms: CAP_MS, capped: true, message: `still pending after ${CAP_MS} ms` });
    process.exit(0); // the peer's 60 s request timer would keep the process alive
  }

  case 'memory': {
    if (typeof gc !== 'function') throw new Error('run with --expose-gc');
    if (sdk === 'ours') captureWasmMemory();
    globalThis.fetch = stubFetch;
    const Airstore = await load();
    const client = new Airstore({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/api/v1' });
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setImmediate(r)); // let FinalizationRegistry callbacks run
      }
      gc();
    };
    const snapshot = () => ({
      rss: process.memoryUsage().rss,
      heapUsed: process.memoryUsage().heapUsed,
      wasm: memories.length ? memories.reduce((sum, m) => sum + m.buffer.byteLength, 0) : null,
      externrefs: tables.length ? tables.reduce((sum, t) => sum + t.length, 0) : null,
    });
    const loaded = snapshot();
    const warmup = Number(env.WARMUP ?? 1_000);
    const n = Number(env.N ?? 100_000);
    for (let i = 0; i < warmup; i++) await client.oauth.getSession('sess_0123456789abcdef');
    await settle();
    const warm = snapshot();
    for (let i = 0; i < n; i++) await client.oauth.getSession('sess_0123456789abcdef');
    await settle();
    const after = snapshot();
    out({ instances: memories.length, loaded, warm, after, warmup, calls: n });
    break;
  }

  default:
    throw new Error(`unknown mode ${mode}`);
}
