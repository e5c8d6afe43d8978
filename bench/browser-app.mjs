// The browser app whose bytes `make bench` reports and tests/size checks: it
// constructs a client and calls createSession, getSession and poll, bundled
// by esbuild for the browser and minified. Our .wasm is a separate asset.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';

export const gzip9 = (buf) => zlib.gzipSync(buf, { level: 9 }).length;

/**
 * Bundles the app that imports `spec` (resolved from `root`/node_modules)
 * and returns the minified JS. Writes its entry into `dir`.
 */
export async function bundleBrowserApp(spec, root, dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'app.mjs'),
    `import { Airstore } from '${spec}';
const airstore = new Airstore({ apiKey: 'org_example', baseURL: 'https://api.airstore.ai/api/v1' });
globalThis.connect = async () => {
  const session = await airstore.oauth.createSession({ integrationType: 'gmail' });
  console.log(await airstore.oauth.getSession(session.session_id));
  return airstore.oauth.poll(session.session_id, { timeout: 120000, interval: 1000 });
};
`,
  );
  const result = await build({
    entryPoints: [path.join(dir, 'app.mjs')],
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['browser'],
    outdir: path.join(dir, 'out'),
    write: false,
    logLevel: 'error',
  });
  return Buffer.from(result.outputFiles.find((f) => f.path.endsWith('.js')).contents);
}
