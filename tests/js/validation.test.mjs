// Argument validation: bad input is an AirstoreError naming the field, sends
// nothing, and leaves the client (and its wasm instance) working.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Airstore, { AirstoreError } from '../../pkg/dist/node.mjs';
import { startStandin, KEY, assertAirstoreError, sleep } from './helpers.mjs';

let s;
let client;
let liveId;
before(async () => {
  s = await startStandin();
  client = new Airstore({ apiKey: KEY, baseURL: s.baseURL });
  liveId = (await client.oauth.createSession({ integrationType: 'gmail' })).session_id;
});
after(() => s.close());

/** The client still answers: one real round trip. */
async function stillWorks() {
  const r = await client.oauth.getSession(liveId);
  assert.equal(r.status, 'pending');
}

/**
 * `call()` must return a promise that rejects with an AirstoreError whose
 * message mentions `field`, with no request sent.
 */
async function rejectsInvalid(call, field) {
  const before = s.requests.length;
  let p;
  try {
    p = call();
  } catch (err) {
    assert.fail(`threw synchronously instead of rejecting: ${err?.constructor?.name}: ${err?.message}`);
  }
  assert.ok(p instanceof Promise, 'returns a promise');
  let err;
  await p.then(
    (v) => assert.fail(`resolved: ${JSON.stringify(v)}`),
    (e) => { err = e; },
  );
  assertAirstoreError(err, { messageIncludes: field });
  await sleep(5);
  assert.equal(s.requests.length, before, 'no request was sent');
  await stillWorks();
  return err;
}

/** `fn()` must throw an AirstoreError synchronously whose message mentions `field`. */
function throwsInvalid(fn, field) {
  const before = s.requests.length;
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, 'expected a throw');
  assertAirstoreError(err, { messageIncludes: field });
  assert.equal(s.requests.length, before);
  return err;
}

describe('createSession params', () => {
  const cases = [
    ['null', null, 'params'],
    ['a string', 'gmail', 'params'],
    ['a number', 42, 'params'],
    ['undefined', undefined, 'params'],
    ['a function', () => {}, 'params'],
    ['{} (missing integrationType)', {}, 'integrationType'],
    ['integrationType: 42', { integrationType: 42 }, 'integrationType'],
    ['integrationType: null', { integrationType: null }, 'integrationType'],
    ['integrationType: {}', { integrationType: {} }, 'integrationType'],
    ['integrationType: ""', { integrationType: '' }, 'integrationType'],
    ['returnTo: 42', { integrationType: 'gmail', returnTo: 42 }, 'returnTo'],
    ['returnTo: {}', { integrationType: 'gmail', returnTo: { url: '/x' } }, 'returnTo'],
    ['workspaceId: 42', { integrationType: 'gmail', workspaceId: 42 }, 'workspaceId'],
    ['workspaceId: []', { integrationType: 'gmail', workspaceId: ['ws'] }, 'workspaceId'],
  ];
  for (const [label, params, field] of cases) {
    test(`${label} → AirstoreError mentioning ${field}`, async () => {
      await rejectsInvalid(() => client.oauth.createSession(params), field);
    });
  }
});

describe('getSession id', () => {
  const cases = [
    ['42', 42],
    ['undefined', undefined],
    ['null', null],
    ['an object', { id: 'abc' }],
    ['empty string', ''],
  ];
  for (const [label, id] of cases) {
    test(`${label} → AirstoreError mentioning sessionId`, async () => {
      await rejectsInvalid(() => client.oauth.getSession(id), 'sessionId');
    });
  }

  test('poll validates the id too', async () => {
    await rejectsInvalid(() => client.oauth.poll(''), 'sessionId');
    await rejectsInvalid(() => client.oauth.poll(42, { interval: 10 }), 'sessionId');
  });
});

describe('request options', () => {
  const bad = [
    ['timeout', -1], ['timeout', NaN], ['timeout', Infinity], ['timeout', -Infinity],
    ['maxRetries', -1], ['maxRetries', 1.5], ['maxRetries', NaN], ['maxRetries', Infinity],
  ];
  for (const [field, value] of bad) {
    test(`options.${field}: ${value} → AirstoreError mentioning ${field}`, async () => {
      await rejectsInvalid(() => client.oauth.getSession(liveId, { [field]: value }), field);
      await rejectsInvalid(() => client.oauth.createSession({ integrationType: 'gmail' }, { [field]: value }), field);
    });
  }

  test('non-string header values → AirstoreError mentioning the header', async () => {
    for (const value of [42, null, {}, ['a'], true]) {
      await rejectsInvalid(() => client.oauth.getSession(liveId, { headers: { 'x-a': value } }), /header/i);
    }
  });

  test('a getter that throws on an options object → AirstoreError, never a wasm trap', async () => {
    const boom = new Error('getter boom');
    const opts = { get timeout() { throw boom; } };
    const err = await rejectsInvalid(() => client.oauth.getSession(liveId, opts), 'timeout');
    assert.ok(!(err instanceof WebAssembly.RuntimeError));
  });

  test('a getter that throws on params → AirstoreError, never a wasm trap', async () => {
    const params = { get integrationType() { throw new Error('getter boom'); } };
    await rejectsInvalid(() => client.oauth.createSession(params), 'integrationType');
    const params2 = { integrationType: 'gmail', get returnTo() { throw new Error('getter boom'); } };
    await rejectsInvalid(() => client.oauth.createSession(params2), 'returnTo');
  });

  test('a Proxy that throws on every trap → AirstoreError, never a wasm trap', async () => {
    const hostile = new Proxy({}, {
      get() { throw new Error('proxy get'); },
      has() { throw new Error('proxy has'); },
      ownKeys() { throw new Error('proxy ownKeys'); },
      getOwnPropertyDescriptor() { throw new Error('proxy gOPD'); },
    });
    await rejectsInvalid(() => client.oauth.getSession(liveId, hostile), /option/i);
    await rejectsInvalid(() => client.oauth.createSession(hostile), /params|integrationType/);
    await rejectsInvalid(() => client.oauth.poll(liveId, hostile), /pollOpts|timeout|interval|signal|onStatus/);
  });

  test('headers whose getter throws → AirstoreError', async () => {
    const headers = { get 'x-a'() { throw new Error('header getter boom'); } };
    await rejectsInvalid(() => client.oauth.getSession(liveId, { headers }), /header/i);
  });
});

describe('explicit undefined means absent', () => {
  test('undefined options, params fields and poll options are accepted', async () => {
    const u = undefined;
    assert.equal((await client.oauth.getSession(liveId, u)).status, 'pending');
    assert.equal((await client.oauth.getSession(liveId, { timeout: u, maxRetries: u, headers: u, signal: u })).status, 'pending');
    const r = await client.oauth.createSession({ integrationType: 'gmail', workspaceId: u, returnTo: u }, {});
    assert.deepEqual(JSON.parse(s.requests.at(-1).body), { integration_type: 'gmail' });
    s.complete(r.session_id, 'conn_u');
    const done = await client.oauth.poll(r.session_id, { timeout: u, interval: u, signal: u, onStatus: u }, u);
    assert.equal(done.connection_id, 'conn_u');
    const c = new Airstore({ apiKey: KEY, baseURL: s.baseURL, timeout: u, maxRetries: u, defaultHeaders: u });
    assert.equal((await c.oauth.getSession(liveId)).status, 'pending');
  });
});

describe('poll options', () => {
  const bad = [
    ['timeout', -1], ['timeout', NaN], ['timeout', Infinity],
    ['interval', -1], ['interval', NaN], ['interval', Infinity],
  ];
  for (const [field, value] of bad) {
    test(`pollOpts.${field}: ${value} → AirstoreError mentioning ${field}`, async () => {
      await rejectsInvalid(() => client.oauth.poll(liveId, { [field]: value }), field);
    });
  }

  test('onStatus that is not a function → AirstoreError mentioning onStatus', async () => {
    await rejectsInvalid(() => client.oauth.poll(liveId, { onStatus: 5 }), 'onStatus');
  });

  test('request options given to poll are validated too', async () => {
    await rejectsInvalid(() => client.oauth.poll(liveId, { interval: 10 }, { maxRetries: -1 }), 'maxRetries');
    await rejectsInvalid(() => client.oauth.poll(liveId, { interval: 10 }, { timeout: NaN }), 'timeout');
  });

  test('a getter that throws on pollOpts → AirstoreError, never a wasm trap', async () => {
    await rejectsInvalid(() => client.oauth.poll(liveId, { get interval() { throw new Error('boom'); } }), 'interval');
  });
});

describe('client options', () => {
  const base = () => ({ apiKey: KEY, baseURL: s.baseURL });
  const cases = [
    ['baseURL: "ftp://x"', { baseURL: 'ftp://x' }, 'baseURL'],
    ['baseURL: "not a url"', { baseURL: 'not a url' }, 'baseURL'],
    ['baseURL: "javascript:alert(1)"', { baseURL: 'javascript:alert(1)' }, 'baseURL'],
    ['baseURL: 42', { baseURL: 42 }, 'baseURL'],
    ['timeout: -1', { timeout: -1 }, 'timeout'],
    ['timeout: NaN', { timeout: NaN }, 'timeout'],
    ['timeout: Infinity', { timeout: Infinity }, 'timeout'],
    ['maxRetries: -1', { maxRetries: -1 }, 'maxRetries'],
    ['maxRetries: 1.5', { maxRetries: 1.5 }, 'maxRetries'],
    ['defaultHeaders with a number value', { defaultHeaders: { 'x-a': 1 } }, /header/i],
    ['apiKey: 42', { apiKey: 42 }, 'apiKey'],
  ];
  for (const [label, override, field] of cases) {
    test(`${label} → throws AirstoreError mentioning ${field}`, async () => {
      throwsInvalid(() => new Airstore({ ...base(), ...override }), field);
      await stillWorks();
    });
  }

  test('a getter that throws on client options → AirstoreError, never a wasm trap', async () => {
    throwsInvalid(() => new Airstore({ apiKey: KEY, get baseURL() { throw new Error('boom'); } }), 'baseURL');
    throwsInvalid(() => new Airstore({ get apiKey() { throw new Error('boom'); } }), 'apiKey');
    await stillWorks();
    // and a new client can still be made
    const c = new Airstore(base());
    assert.equal((await c.oauth.getSession(liveId)).status, 'pending');
  });

  test('keyless options are validated the same way', async () => {
    throwsInvalid(() => Airstore.keyless({ baseURL: 'ftp://x' }), 'baseURL');
    throwsInvalid(() => Airstore.keyless({ baseURL: s.baseURL, timeout: -5 }), 'timeout');
    await stillWorks();
  });

  test('valid edge values are accepted (maxRetries 0, whole-number floats)', async () => {
    const c = new Airstore({ ...base(), maxRetries: 0, timeout: 5000 });
    assert.equal((await c.oauth.getSession(liveId, { maxRetries: 3.0, timeout: 1000 })).status, 'pending');
  });

  test('a validation error is exactly AirstoreError, not a TypeError', () => {
    const err = throwsInvalid(() => new Airstore({ apiKey: KEY, baseURL: 'ftp://x' }), 'baseURL');
    assert.ok(!(err instanceof TypeError));
    assert.equal(err.constructor, AirstoreError);
  });
});
