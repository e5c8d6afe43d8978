// airstore-wasm/react: the connect flow as a React hook (React 18 or 19, an
// optional peer dependency). These declarations need no React types.
import type { Airstore, OAuthAuthorizeOptions, OAuthSession, OAuthSessionStatus, WithResponseMeta } from './index.js';

type AbortSignalLike = typeof globalThis extends { AbortSignal: { prototype: infer S } }
  ? S
  : { readonly aborted: boolean; readonly reason?: unknown; addEventListener(type: 'abort', listener: () => void): void; removeEventListener(type: 'abort', listener: () => void): void };

/** Where the flow is: `'connecting'` from the click until the flow ends. */
export type AirstoreConnectState = 'idle' | 'connecting' | 'completed' | 'failed' | 'cancelled';

/** Options of {@link useAirstoreConnect}: how to get a session, and the options of `authorize` (but `popup` and `signal`, which the hook owns). */
export interface UseAirstoreConnectOptions extends Omit<OAuthAuthorizeOptions, 'popup' | 'signal'> {
  /**
   * Asks your server for a session (it holds the API key and calls
   * `createSession`). Called after the window is opened; `signal` fires
   * when `cancel()` is called or the component unmounts.
   */
  createSession: (init: { signal: AbortSignalLike }) => Promise<OAuthSession>;
  /** The client to use. Default: one `Airstore.keyless()` (or `keyless({ baseURL })`) shared by the module. */
  client?: Airstore | undefined;
  /** The Airstore API's base URL of the default keyless client. */
  baseURL?: string | undefined;
}

/** What {@link useAirstoreConnect} returns. */
export interface AirstoreConnect {
  /**
   * Call it in a click handler: it opens the window at once (popup blockers
   * allow only that), then gets the session and runs `authorize`. Resolves
   * with the completed status, or `undefined` when the flow failed or was
   * cancelled (see `state` and `error`); never rejects. A call while a flow
   * runs does nothing.
   */
  connect(): Promise<WithResponseMeta<OAuthSessionStatus> | undefined>;
  /** Ends the flow in progress: `state` becomes `'cancelled'` and the window closes. */
  cancel(): void;
  state: AirstoreConnectState;
  /** The completed status (`connection_id`), once `state` is `'completed'`. */
  result: WithResponseMeta<OAuthSessionStatus> | undefined;
  /** Why the flow failed, once `state` is `'failed'` (`PopupClosedError`, `PopupBlockedError`, an `APIError`, what `createSession` threw…). */
  error: Error | undefined;
}

/**
 * The connect flow as a hook: one flow at a time, one window, one result,
 * also under `<StrictMode>`.
 *
 * @example
 * import { useAirstoreConnect } from 'airstore-wasm/react'
 *
 * function ConnectGmail() {
 *   const { connect, cancel, state, result, error } = useAirstoreConnect({
 *     createSession: ({ signal }) =>
 *       fetch('/api/oauth/sessions', { method: 'POST', signal, headers: { 'content-type': 'application/json' },
 *         body: JSON.stringify({ integrationType: 'gmail' }) }).then((r) => r.json()).then((b) => b.session),
 *   })
 *   if (state === 'connecting') return <button onClick={cancel}>Cancel</button>
 *   return <button onClick={connect}>{result ? `Connected: ${result.connection_id}` : error ? 'Try again' : 'Connect Gmail'}</button>
 * }
 */
export declare function useAirstoreConnect(options: UseAirstoreConnectOptions): AirstoreConnect;
