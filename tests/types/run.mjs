#!/usr/bin/env node
// Type-level tests of the published package: packs pkg/ once, installs the
// tarball's contents into throwaway consumer projects (one per tsconfig
// flavour), type-checks the fixtures with `tsc --strict --noEmit` and
// `skipLibCheck: false`, then runs attw and publint on the same tarball.
//
//   node tests/types/run.mjs            # exit 1 on any failure
//   AIRSTORE_PKG_DIR=/path/to/pkg ...   # check another package directory
//   KEEP=1 ...                          # keep the temp projects for a look
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const pkgDir = resolve(process.env.AIRSTORE_PKG_DIR ?? join(root, 'pkg'));
const bin = (name) => join(root, 'node_modules/.bin', name);
const fixtures = join(here, 'fixtures');
const started = Date.now();

// Outside the repo on purpose: a consumer under /work/main would pick up the
// repo's node_modules/@types through TypeScript's automatic type inclusion.
const work = mkdtempSync(join(tmpdir(), 'airstore-types-'));

function run(cmd, args, opts = {}) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { ...opts, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...opts.env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => done({ code: -1, out: String(e) }));
    child.on('close', (code) => done({ code, out }));
  });
}

// ---- the consumers -----------------------------------------------------------

const base = { strict: true, noEmit: true, skipLibCheck: false, forceConsistentCasingInFileNames: true };

// files: fixtures to type-check; shims: the consumer's own ambient
// declarations for what its environment would provide (console, process).
const configs = [
  {
    name: 'a) nodenext ESM',
    pkg: { type: 'module' },
    tsconfig: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2023'], types: [] },
    files: ['seed.ts', 'errors.ts', 'named.ts', 'slim.ts', 'react.ts'],
    shims: ['shim-process.d.ts', 'shim-console.d.ts'],
  },
  {
    // `import Airstore from` compiled to require() with esModuleInterop; the
    // default lib (which includes the DOM) as a Node project without @types/node gets.
    name: 'b) nodenext CJS',
    pkg: { type: 'commonjs' },
    tsconfig: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', esModuleInterop: true, types: [] },
    files: ['seed.ts', 'errors.ts', 'named.ts', 'slim-dynamic.ts'],
    shims: ['shim-process.d.ts'],
  },
  {
    name: 'b2) node16 CJS (no require(esm))',
    pkg: { type: 'commonjs' },
    tsconfig: { module: 'node16', moduleResolution: 'node16', target: 'es2022', lib: ['es2022'], esModuleInterop: true, types: [] },
    files: ['named.ts', 'slim-dynamic.ts', 'slim-cjs-static.ts'],
    shims: [],
  },
  {
    name: 'c) bundler + DOM',
    pkg: { type: 'module' },
    tsconfig: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom'], types: [] },
    files: ['seed.ts', 'errors.ts', 'named.ts', 'slim.ts', 'dom.ts', 'react.ts'],
    shims: ['shim-process.d.ts'],
  },
  {
    name: 'd) es2020 lib, no DOM, no @types/node',
    pkg: { type: 'module' },
    tsconfig: { module: 'es2020', moduleResolution: 'bundler', target: 'es2020', lib: ['es2020'], types: [] },
    files: ['seed.ts', 'errors.ts', 'named.ts', 'slim.ts'],
    shims: ['shim-process.d.ts', 'shim-console.d.ts'],
  },
  {
    name: 'e) node10 + commonjs',
    pkg: {},
    tsconfig: { module: 'commonjs', moduleResolution: 'node10', target: 'es2020', lib: ['es2020'], esModuleInterop: true, types: [] },
    files: ['seed.ts', 'errors.ts', 'named.ts'],
    shims: ['shim-process.d.ts', 'shim-console.d.ts'],
  },
  {
    // @tsconfig/strictest-style: `{ apiKey: process.env.AIRSTORE_API_KEY }` must still type-check.
    name: 'f) nodenext ESM + exactOptionalPropertyTypes',
    pkg: { type: 'module' },
    tsconfig: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2023'], types: [], exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true },
    files: ['seed.ts', 'errors.ts', 'named.ts', 'slim.ts', 'react.ts'],
    shims: ['shim-process.d.ts', 'shim-console.d.ts'],
  },
  {
    // The README's Cloudflare Worker examples, JavaScript and TypeScript, taken
    // from README.md itself (so they stay as written), against
    // @cloudflare/workers-types (the repository's dev dependency, copied in).
    name: 'g) Cloudflare Worker: the README TypeScript example + @cloudflare/workers-types',
    pkg: { type: 'module' },
    tsconfig: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022'], types: ['@cloudflare/workers-types'] },
    files: ['readme-worker.ts'],
    shims: [],
    modules: ['@cloudflare/workers-types'],
  },
  {
    // checkJs: every name it uses exists and every call fits; its untyped
    // parameters are `any`, as in any JavaScript (so no noImplicitAny).
    name: 'g2) Cloudflare Worker: the README JavaScript example (checkJs) + @cloudflare/workers-types',
    pkg: { type: 'module' },
    tsconfig: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022'], types: ['@cloudflare/workers-types'], allowJs: true, checkJs: true, noImplicitAny: false },
    files: ['readme-worker.js'],
    shims: [],
    modules: ['@cloudflare/workers-types'],
  },
];

// The README's Worker examples: the ```js block with `ctx.waitUntil` and the
// ```ts block with `satisfies ExportedHandler<Env>`.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```(js|ts)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], code: m[2] }));
const readmeFixtures = {
  'readme-worker.js': blocks.find((b) => b.lang === 'js' && b.code.includes('ctx.waitUntil'))?.code,
  'readme-worker.ts': blocks.find((b) => b.lang === 'ts' && b.code.includes('satisfies ExportedHandler<Env>'))?.code,
};
for (const [name, code] of Object.entries(readmeFixtures)) {
  if (!code) {
    console.error(`README.md has no Worker example for ${name}`);
    process.exit(1);
  }
}

// errors.ts once more with its `@ts-expect-error` lines removed: each line
// that followed one must fail with the code the directive names, and nothing else may fail.
const precise = {
  name: 'errors.ts: expected error codes',
  pkg: { type: 'module' },
  tsconfig: configs[0].tsconfig,
  files: ['errors.ts'],
  shims: [],
  strip: true,
};

function makeProject(cfg, extracted) {
  const dir = join(work, cfg.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, ''));
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  // What `npm install <tgz>` does for a package without dependencies: unpack it here.
  cpSync(extracted, join(dir, 'node_modules/airstore-wasm'), { recursive: true });
  for (const m of cfg.modules ?? []) cpSync(join(root, 'node_modules', m), join(dir, 'node_modules', m), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, ...cfg.pkg }, null, 2));
  const expected = [];
  for (const f of [...cfg.files, ...cfg.shims]) {
    let text = readmeFixtures[f] ?? readFileSync(join(fixtures, f), 'utf8');
    if (cfg.strip) {
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        const m = /^\s*\/\/ @ts-expect-error (TS\d+)/.exec(line);
        if (m) {
          lines[i] = '';
          expected.push({ file: f, line: i + 2, code: m[1] });
        }
      });
      text = lines.join('\n');
    }
    writeFileSync(join(dir, f), text);
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { ...base, ...cfg.tsconfig }, files: [...cfg.shims, ...cfg.files] }, null, 2),
  );
  return { dir, expected };
}

async function typecheck(cfg, extracted) {
  const { dir, expected } = makeProject(cfg, extracted);
  const { code, out } = await run(bin('tsc'), ['-p', 'tsconfig.json', '--strict', '--noEmit', '--pretty', 'false'], { cwd: dir });
  if (!cfg.strip) return { ok: code === 0, detail: out.trim() };
  // file(line,col): error TSxxxx: message
  const got = [...out.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/gm)].map((m) => ({ file: m[1], line: +m[2], code: m[3], text: m[4] }));
  const problems = [];
  for (const e of expected) {
    if (!got.some((g) => g.file === e.file && g.line === e.line && g.code === e.code)) {
      const other = got.filter((g) => g.file === e.file && g.line === e.line).map((g) => `${g.code}: ${g.text}`);
      problems.push(`${e.file}:${e.line}: expected ${e.code}, got ${other.length ? other.join('; ') : 'no error'}`);
    }
  }
  for (const g of got) {
    if (!expected.some((e) => e.file === g.file && e.line === g.line)) problems.push(`${g.file}:${g.line}: unexpected ${g.code}: ${g.text}`);
  }
  if (got.length === 0 && code !== 0) problems.push(out.trim());
  return { ok: problems.length === 0, detail: problems.join('\n') };
}

// ---- attw / publint --------------------------------------------------------------

// The wasm file is an asset exported for workerd's `import wasm from
// 'airstore-wasm/airstore_wasm_bg.wasm'`, not a module with declarations:
// attw cannot resolve types for it anywhere, so it is left out.
const ASSET = './airstore_wasm_bg.wasm';
// `airstore-wasm/slim` and `airstore-wasm/react` are ESM-only (dist/*.mjs, no CommonJS build), so
// attw checks it with the esm-only profile (node16 from ESM, bundler). attw
// 0.18 still fails that run on a file-level problem such as FalseCJS
// ("Masquerading as CJS": a .d.cts in front of an .mjs), and tsc in b2
// (slim-cjs-static.ts) checks that the slim types refuse a static require.
const ESM_ONLY = ['./slim', './react'];

async function attw(tgz, args) {
  const { code, out } = await run(bin('attw'), [tgz, '--format', 'ascii', '--no-emoji', '--no-color', ...args]);
  return { ok: code === 0, detail: out.trim() };
}

async function publint(tgz) {
  const { code, out } = await run(bin('publint'), ['run', tgz, '--level', 'suggestion', '--strict']);
  return { ok: code === 0 && /All good!/.test(out) && !/(Errors|Warnings|Suggestions):/.test(out), detail: out.trim() };
}

// ---- main ------------------------------------------------------------------------

const packed = await run('npm', ['pack', pkgDir, '--pack-destination', work, '--json', '--silent', '--no-audit', '--no-fund']);
let tgz;
try {
  tgz = join(work, JSON.parse(packed.out.slice(packed.out.indexOf('['))).at(0).filename);
} catch {
  console.error(`npm pack ${pkgDir} failed:\n${packed.out}`);
  process.exit(1);
}
const untar = await run('tar', ['-xzf', tgz, '-C', work]);
if (untar.code !== 0) {
  console.error(`tar failed:\n${untar.out}`);
  process.exit(1);
}
const extracted = join(work, 'package');

const checks = [
  ...configs.map((cfg) => [`tsc ${cfg.name}`, () => typecheck(cfg, extracted)]),
  [`tsc ${precise.name}`, () => typecheck(precise, extracted)],
  ['attw ".", "./package.json" (node10, node16 CJS/ESM, bundler)', () => attw(tgz, ['--exclude-entrypoints', ASSET, ...ESM_ONLY])],
  ['attw "./slim", "./react" (esm-only: node16 ESM, bundler)', () => attw(tgz, ['--entrypoints', ...ESM_ONLY, '--profile', 'esm-only'])],
  ['publint', () => publint(tgz)],
];

const results = await Promise.all(checks.map(async ([name, fn]) => [name, await fn()]));
let passed = 0;
let failed = 0;
for (const [name, { ok, detail }] of results) {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}\n${detail.replace(/^/gm, '     ')}`);
  }
}
if (process.env.KEEP) console.log(`projects kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
console.log(`types: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)}s)`);
process.exit(failed ? 1 : 0);
