// A tiny React app for tests/e2e/flow.test.mjs: useAirstoreConnect from
// 'airstore-wasm/react' under <StrictMode>, bundled by esbuild (development
// build, so StrictMode runs effects twice). It reports to the test through
// window.__report (a Playwright binding).
import { StrictMode, createElement as h, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { useAirstoreConnect } from 'airstore-wasm/react';

const report = (message) => window.__report?.({ id: 'react', ...message });

function App() {
  const { connect, cancel, state, result, error } = useAirstoreConnect({
    baseURL: window.AIRSTORE_BASE_URL,
    createSession: async ({ signal }) => {
      if (window.__failCreate) throw new Error('the server refused');
      return (await fetch('/session', { method: 'POST', signal })).json();
    },
    onEvent: (event) => report({ kind: 'event', event: { ...event, error: event.error && { name: event.error.name, message: event.error.message } } }),
  });
  // Once per result (StrictMode runs mount effects twice, not this one's later runs).
  useEffect(() => {
    if (result) report({ kind: 'result', connection_id: result.connection_id });
  }, [result]);
  return h(
    'main',
    { 'data-state': state },
    h('button', { type: 'button', onClick: () => connect().then((r) => report({ kind: 'connect-resolved', connection_id: r?.connection_id })) }, 'Connect'),
    state === 'connecting' && h('button', { type: 'button', onClick: cancel }, 'Cancel'),
    h('p', { 'data-testid': 'state' }, state),
    result && h('code', { 'data-testid': 'connection-id' }, result.connection_id),
    error && h('p', { 'data-testid': 'error' }, `${error.name}: ${error.message}`),
  );
}

createRoot(document.getElementById('root')).render(h(StrictMode, null, h(App)));
