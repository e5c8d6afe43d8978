// Packs the wasm-bindgen output into pkg/dist: one .wasm shared by every
// entry (node.cjs / node.mjs / index.mjs / workerd.mjs / slim.mjs) and the
// type declarations. Run by `make build` after cargo and wasm-bindgen.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Built aside and swapped in at the end, so a test running meanwhile never
// sees a half-written package.
const out = `${root}pkg/.dist-next/`;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// wasm-bindgen copies the JS module the Rust code imports (js/errors.js)
// into snippets/<hash>/; point every import of them back at
// the one source file, so each bundle holds one copy of the error classes.
const snippetsToSources = {
  name: 'snippets-to-sources',
  setup(b) {
    b.onResolve({ filter: /snippets\/[^/]+\/js\/[^/]+\.js$/ }, (args) => ({ path: `${root}js/${args.path.split('/').pop()}` }));
  },
};

const common = {
  bundle: true,
  absWorkingDir: root,
  plugins: [snippetsToSources],
  external: ['*.wasm', './node.cjs'],
  legalComments: 'none',
  logLevel: 'warning',
  // The glue's default init() path uses import.meta.url; the Node build
  // never takes it (it reads the file itself).
  // The OAuth and Airstore classes define `free()` themselves (it wipes the
  // key and ends the client; src/bindings/mod.rs), after wasm-bindgen's own:
  // the later member is the one JS keeps, as intended.
  logOverride: { 'empty-import-meta': 'silent', 'duplicate-class-member': 'silent' },
};

await Promise.all([
  build({ ...common, entryPoints: ['js/node.js'], outfile: `${out}node.cjs`, format: 'cjs', platform: 'node', target: 'node18' }),
  build({ ...common, entryPoints: ['js/browser.js'], outfile: `${out}index.mjs`, format: 'esm', platform: 'neutral', target: 'es2022' }),
  // Minified: workerd parses every module of a Worker before its first
  // request, and wrangler does not minify by default; the minified entry
  // (23 KB against 49 KB) starts about 3 ms sooner in Miniflare (docs/speed.md).
  build({ ...common, entryPoints: ['js/workerd.js'], outfile: `${out}workerd.mjs`, format: 'esm', platform: 'neutral', target: 'es2022', minify: true }),
  build({ ...common, entryPoints: ['js/slim.js'], outfile: `${out}slim.mjs`, format: 'esm', platform: 'neutral', target: 'es2022' }),
  // The React hook: React and the package's own main entry stay imports, so
  // the hook uses the app's React and the app's one wasm instance.
  build({ ...common, entryPoints: ['js/react.js'], outfile: `${out}react.mjs`, format: 'esm', platform: 'neutral', target: 'es2022', external: ['react', 'airstore-wasm'] }),
]);
copyFileSync(`${root}js/node.mjs`, `${out}node.mjs`);
copyFileSync(`${root}js/node-bundler.mjs`, `${out}node-bundler.mjs`);

const types = readFileSync(`${root}js/index.d.ts`, 'utf8');
writeFileSync(`${out}index.d.ts`, types);
writeFileSync(`${out}index.d.cts`, types);
const slimTypes = readFileSync(`${root}js/slim.d.ts`, 'utf8');
// slim is ESM-only (dist/slim.mjs): no .d.cts for it.
writeFileSync(`${out}slim.d.ts`, slimTypes);
// react is ESM-only too (dist/react.mjs).
copyFileSync(`${root}js/react.d.ts`, `${out}react.d.ts`);

// The size-optimised wasm (wasm-opt -Oz, run by the Makefile).
copyFileSync(`${root}build/airstore_wasm_bg.wasm`, `${out}airstore_wasm_bg.wasm`);
rmSync(`${root}pkg/dist`, { recursive: true, force: true });
renameSync(out, `${root}pkg/dist`);

// The package's README and LICENSE are the repository's.
copyFileSync(`${root}README.md`, `${root}pkg/README.md`);
copyFileSync(`${root}LICENSE`, `${root}pkg/LICENSE`);
