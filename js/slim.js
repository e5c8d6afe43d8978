// For library authors who control loading: nothing runs on import; call
// `await init()` (or `initSync({ module })`) once before `new Airstore()`.
import init, { initSync } from '../build/bindgen/airstore_wasm.js';

export { init, initSync };
export * from './public.js';
export { default } from './public.js';
