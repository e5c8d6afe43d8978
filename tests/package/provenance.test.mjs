// What the published tarball says about where it comes from (issue 15, item 5):
// the LICENSE it claims, the repository fields, and the allocator pinned exactly.
//   node --test tests/package/   (after `make build`, which copies README and LICENSE into pkg/)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PKG = path.join(ROOT, 'pkg');
const read = (...p) => fs.readFileSync(path.join(ROOT, ...p), 'utf8');

test('the tarball ships LICENSE, the same MIT text as the repository', () => {
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PKG, encoding: 'utf8' }));
  const files = info.files.map((f) => f.path);
  assert.ok(files.includes('LICENSE'), `LICENSE is not in the tarball: ${files.join(', ')}`);
  assert.equal(read('pkg', 'LICENSE'), read('LICENSE'));
  assert.match(read('LICENSE'), /^MIT License\n/);
  assert.equal(JSON.parse(read('pkg', 'package.json')).license, 'MIT');
});

test('package.json names its repository, homepage, bug tracker and author', () => {
  const pkg = JSON.parse(read('pkg', 'package.json'));
  assert.equal(pkg.repository?.type, 'git');
  const repo = pkg.repository?.url?.match(/^git\+(https:\/\/github\.com\/[\w.-]+\/[\w.-]+)\.git$/)?.[1];
  assert.ok(repo, `repository.url is not a git+https GitHub URL: ${pkg.repository?.url}`);
  // One repository, named the same way in every field.
  assert.equal(pkg.homepage, `${repo}#readme`);
  assert.equal(pkg.bugs?.url, `${repo}/issues`);
  assert.equal(typeof pkg.author, 'string');
  assert.ok(pkg.author.length > 0);
});

test('lol_alloc, unsafe code shipped in the wasm, is pinned exactly, and the lock holds that version', () => {
  const pin = read('Cargo.toml').match(/^lol_alloc = \{ version = "=(\d+\.\d+\.\d+)"/m)?.[1];
  assert.ok(pin, 'Cargo.toml pins lol_alloc with "=x.y.z"');
  const locked = read('Cargo.lock').match(/\[\[package\]\]\nname = "lol_alloc"\nversion = "([^"]+)"/)?.[1];
  assert.equal(locked, pin);
  // The review names the version it covers.
  assert.ok(read('docs', 'allocator.md').includes(`lol_alloc = "=${pin}"`), 'docs/allocator.md reviews the pinned version');
});
