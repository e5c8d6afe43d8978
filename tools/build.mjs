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

// wasm-bindgen copies the JS modules the Rust code imports (js/errors.js,
// js/exchange.js) into snippets/<hash>/; point every import of them back at
// the one source file, so each bundle holds one copy of the error classes.
const snippetsToSources = {
  name: 'snippets-to-sources',
  setup(b) {
    b.onResolve({ filter: /snippets\/[^/]+\/js\/[^/]+\.js$/ }, (args) => ({ path: `${root}js/${args.path.split('/').pop()}` }));
  },
};

// The wasm's imports, exports and their module have one-letter names
// (wasm-opt --minify-imports-and-exports-and-modules, run by the Makefile,
// printed the table to build/names.json); rename them in the glue to match.
const glue = `${root}build/bindgen/airstore_wasm.js`;
const minGlue = `${root}build/bindgen/airstore_wasm.min.js`;
const names = JSON.parse(readFileSync(`${root}build/names.json`, 'utf8'));
checkNamesMatch(new WebAssembly.Module(readFileSync(`${root}build/airstore_wasm_bg.wasm`)), names);
writeFileSync(minGlue, renameWasmNames(readFileSync(glue, 'utf8'), names));

/** The table must describe this very wasm (the Makefile writes both in one step). */
function checkNamesMatch(module, table) {
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort();
  const exports = WebAssembly.Module.exports(module).map((e) => e.name).sort();
  if (!same(imports, table.imports.map(([, , short]) => `a.${short}`).sort()) || !same(exports, table.exports.map(([, short]) => short).sort())) {
    throw new Error('tools/build.mjs: build/names.json does not describe build/airstore_wasm_bg.wasm (run `make build`)');
  }
}
const useMinGlue = {
  name: 'use-min-glue',
  setup(b) {
    b.onResolve({ filter: /build\/bindgen\/airstore_wasm\.js$/ }, () => ({ path: minGlue }));
  },
};

/**
 * The glue with the wasm's new names: `wasm.<export>` uses become the short
 * names, and the import object becomes one module "a" whose members are the
 * glue's own functions (renamed where they are defined) and the snippets'.
 */
function renameWasmNames(source, names) {
  const exports = new Map(names.exports);
  let out = source.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => (exports.has(name) ? `wasm.${exports.get(name)}` : whole));
  const [start, end] = importObject(out);
  const namespaces = new Map([...out.slice(start, end).matchAll(/"([^"]+)": (import\d+),/g)].map((m) => [m[1], m[2]]));
  const members = [];
  for (const [module, name, short] of names.imports) {
    const namespace = namespaces.get(module);
    if (!namespace) throw new Error(`tools/build.mjs: no namespace for the wasm import module ${module}`);
    const definition = `\n        ${name}: function`;
    if (namespace === 'import0' && out.split(definition).length === 2) {
      out = out.replace(definition, () => `\n        ${short}: function`); // the glue's own function, renamed where it is defined
    } else {
      members.push(`${JSON.stringify(short)}: ${namespace}[${JSON.stringify(name)}]`);
    }
  }
  const [at, to] = importObject(out); // moved by the renames above
  return `${out.slice(0, at)}    return { a: Object.assign(import0, { ${members.join(', ')} }) };\n${out.slice(to)}`;
}

/** Where the glue returns its import object: [start, end) of `return { … };`. */
function importObject(glueSource) {
  const start = glueSource.indexOf('    return {\n        __proto__: null,\n        "./airstore_wasm_bg.js": import0,');
  const end = glueSource.indexOf('};\n}\n', start);
  if (start < 0 || end < 0) throw new Error('tools/build.mjs: the glue no longer has the import object it renames (wasm-bindgen changed?)');
  return [start, end + 3];
}

const common = {
  bundle: true,
  absWorkingDir: root,
  plugins: [useMinGlue, snippetsToSources],
  external: ['*.wasm', './node.cjs'],
  legalComments: 'none',
  logLevel: 'warning',
  // The glue's default init() path uses import.meta.url; the Node build
  // never takes it (it reads the file itself).
  logOverride: { 'empty-import-meta': 'silent' },
};

await Promise.all([
  build({ ...common, entryPoints: ['js/node.js'], outfile: `${out}node.cjs`, format: 'cjs', platform: 'node', target: 'node18' }),
  build({ ...common, entryPoints: ['js/browser.js'], outfile: `${out}index.mjs`, format: 'esm', platform: 'neutral', target: 'es2022' }),
  // Minified: workerd parses every module of a Worker before its first
  // request, and wrangler does not minify by default; the minified entry
  // (23 KB against 49 KB) starts about 3 ms sooner in Miniflare (docs/speed.md).
  build({ ...common, entryPoints: ['js/workerd.js'], outfile: `${out}workerd.mjs`, format: 'esm', platform: 'neutral', target: 'es2022', minify: true }),
  build({ ...common, entryPoints: ['js/slim.js'], outfile: `${out}slim.mjs`, format: 'esm', platform: 'neutral', target: 'es2022' }),
]);
copyFileSync(`${root}js/node.mjs`, `${out}node.mjs`);
copyFileSync(`${root}js/node-bundler.mjs`, `${out}node-bundler.mjs`);

const types = readFileSync(`${root}js/index.d.ts`, 'utf8');
writeFileSync(`${out}index.d.ts`, types);
writeFileSync(`${out}index.d.cts`, types);
const slimTypes = readFileSync(`${root}js/slim.d.ts`, 'utf8');
// slim is ESM-only (dist/slim.mjs): no .d.cts for it.
writeFileSync(`${out}slim.d.ts`, slimTypes);

// The size-optimised wasm (wasm-opt -Oz, run by the Makefile).
copyFileSync(`${root}build/airstore_wasm_bg.wasm`, `${out}airstore_wasm_bg.wasm`);
rmSync(`${root}pkg/dist`, { recursive: true, force: true });
renameSync(out, `${root}pkg/dist`);

// The package's README and LICENSE are the repository's.
copyFileSync(`${root}README.md`, `${root}pkg/README.md`);
copyFileSync(`${root}LICENSE`, `${root}pkg/LICENSE`);
