// The workerd entry (dist/workerd.mjs) ships minified: in workerd itself
// (Miniflare), its classes keep the names users see, and its errors are the
// documented ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startEntryWorker, startStandin } from './helpers.mjs';

const CLASSES = [
  'Airstore', 'AirstoreError', 'APIError', 'AuthenticationError', 'PermissionDeniedError', 'NotFoundError',
  'ConflictError', 'UnprocessableEntityError', 'RateLimitError', 'InternalServerError', 'APIConnectionError',
  'APIConnectionTimeoutError',
];

test('the minified workerd entry keeps its class names, and a 404 is a NotFoundError by every name', { timeout: 60_000 }, async () => {
  const s = await startStandin();
  let worker;
  try {
    worker = await startEntryWorker(`
import * as sdk from './workerd.mjs';

export default {
  async fetch(request, env) {
    const names = ${JSON.stringify(CLASSES)}.map((name) => sdk[name]?.name);
    const client = new sdk.Airstore({ apiKey: env.KEY, baseURL: env.BASE_URL });
    const err = await client.oauth.getSession('${'0'.repeat(32)}').then(() => undefined, (e) => e);
    return Response.json({
      names,
      oauth: client.oauth.constructor.name,
      error: { name: err?.name, constructor: err?.constructor?.name, notFound: err instanceof sdk.NotFoundError, api: err instanceof sdk.APIError, status: err?.status },
    });
  },
};
`, { KEY: 'org_test_key', BASE_URL: s.baseURL });
    const res = await worker.mf.dispatchFetch('http://worker.test/');
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json();
    assert.deepEqual(body.names, CLASSES, 'each exported class is named as exported');
    assert.equal(body.oauth, 'OAuth');
    assert.deepEqual(body.error, { name: 'NotFoundError', constructor: 'NotFoundError', notFound: true, api: true, status: 404 });
    // Still minified: a readable build would be twice the size (docs/speed.md).
    assert.ok(fs.statSync(new URL('../../pkg/dist/workerd.mjs', import.meta.url)).size < 30_000, 'dist/workerd.mjs is minified');
  } finally {
    await worker?.dispose();
    await s.close();
  }
});
