// airstore-wasm/react: the connect flow as a React hook. React is an
// optional peer dependency: only this entry imports it. 'airstore-wasm' is
// the package's own main entry (a self-reference), so the hook shares the
// app's one wasm instance and error classes.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Airstore, openAuthorizeWindow } from 'airstore-wasm';

/** One keyless client per base URL, made on first use (the key '' is the default URL). */
const clients = new Map();
function keyless(baseURL) {
  if (!clients.has(baseURL ?? '')) clients.set(baseURL ?? '', Airstore.keyless(baseURL === undefined ? {} : { baseURL }));
  return clients.get(baseURL ?? '');
}

export function useAirstoreConnect({ createSession, client, baseURL, ...flowOptions }) {
  const [view, setView] = useState({ state: 'idle' });
  // The flow in progress (one at a time), the latest options, and whether the component is mounted.
  const flow = useRef(null);
  const latest = useRef(null);
  latest.current = { createSession, client, baseURL, flowOptions };
  const mounted = useRef(false);
  // No window is ever opened here: StrictMode runs effects twice. Unmounting ends the flow.
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      flow.current?.controller.abort();
    };
  }, []);

  const connect = useCallback(async () => {
    if (flow.current) return undefined; // a second click while one flow runs
    const { createSession, client, baseURL, flowOptions } = latest.current;
    // Synchronously in the click, before any await: popup blockers allow it.
    const popup = flowOptions.mode === 'redirect' ? null : openAuthorizeWindow();
    const mine = { controller: new AbortController() };
    const signal = mine.controller.signal;
    flow.current = mine;
    const show = (next) => flow.current === mine && mounted.current && setView(next);
    show({ state: 'connecting' });
    try {
      const session = await createSession({ signal });
      // A null popup (blocked): authorize opens its own, then PopupBlockedError, or the redirect in mode 'auto'.
      const result = await (client ?? keyless(baseURL)).oauth.authorize(session, { ...flowOptions, popup: popup ?? undefined, signal });
      show({ state: 'completed', result });
      return result;
    } catch (err) {
      if (popup && !popup.closed) popup.close();
      show(signal.aborted ? { state: 'cancelled' } : { state: 'failed', error: err instanceof Error ? err : new Error(String(err)) });
      return undefined;
    } finally {
      if (flow.current === mine) flow.current = null;
    }
  }, []);

  const cancel = useCallback(() => flow.current?.controller.abort(), []);
  return { connect, cancel, state: view.state, result: view.result, error: view.error };
}
