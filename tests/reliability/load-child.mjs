// Child process of load.test.mjs (run with --expose-gc, driven over IPC):
// runs the concurrent polls against the parent's stand-in and reports
// results and memory. The stand-in lives in the parent, so this process's
// heap holds only the client's work.
import assert from 'node:assert/strict';

if (typeof globalThis.gc !== 'function') throw new Error('run me with --expose-gc');

// Capture the package's WebAssembly instance (to read its memory size) by
// wrapping the constructor before the package loads.
let instance;
const OriginalInstance = WebAssembly.Instance;
WebAssembly.Instance = function CapturingInstance(module, imports) {
  instance = new OriginalInstance(module, imports);
  return instance;
};
WebAssembly.Instance.prototype = OriginalInstance.prototype;
const { default: Airstore } = await import('../../pkg/dist/node.mjs');
WebAssembly.Instance = OriginalInstance;

const wasmMemory = () => {
  const mem = Object.values(instance?.exports ?? {}).find((e) => e instanceof WebAssembly.Memory);
  return mem ? mem.buffer.byteLength : undefined;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function settleGarbage() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await sleep(20);
  }
}
function memory() {
  const { heapUsed, rss } = process.memoryUsage();
  const resources = process.getActiveResourcesInfo();
  return { heapUsed, rss, wasm: wasmMemory(), timeouts: resources.filter((r) => r === 'Timeout').length, resources };
}

const next = () => new Promise((resolve) => process.once('message', resolve));
const { baseURL, ids, warmupIds, interval, timeout } = await next();
const client = Airstore.keyless({ baseURL });

/** Polls every id at once; each entry is the connection id or the error. */
async function pollAll(list) {
  const started = Date.now();
  const results = await Promise.all(list.map((id) =>
    client.oauth.poll(id, { interval, timeout }).then(
      (status) => ({ ok: true, connectionId: status.connection_id, at: Date.now() }),
      (err) => ({ ok: false, error: `${err?.name}: ${err?.message}`, at: Date.now() }),
    )));
  return { started, results };
}

// Warm up (code paths, JIT, the wasm allocator, the connection pool), then the baseline.
const warm = await pollAll(warmupIds);
assert.ok(warm.results.every((r) => r.ok), `warm-up failed: ${JSON.stringify(warm.results.find((r) => !r.ok))}`);
await sleep(100);
await settleGarbage();
const baseline = memory();
process.send({ type: 'ready', baseline });

await next(); // go
const round1 = await pollAll(ids);
process.send({ type: 'round1', ...round1 });

await sleep(300);
await settleGarbage();
const afterRound1 = memory();

// A second round over the (now complete) sessions: one GET each. The wasm
// memory has reached its high-water mark; it must not keep growing.
const round2 = await pollAll(ids);
await sleep(300);
await settleGarbage();
const afterRound2 = memory();

process.send({ type: 'done', afterRound1, afterRound2, round2Ok: round2.results.every((r) => r.ok) });
process.disconnect();
