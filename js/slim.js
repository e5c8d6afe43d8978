// For library authors who control loading: nothing runs on import; call
// `await init()` (browsers: fetches the .wasm next to this file), or
// `init({ module_or_path })` / `initSync({ module })` with the bytes or a
// compiled module (Node, workerd), once before `new Airstore()`. The error
// classes here are this entry's own: do not mix them with the main entry's.
import load, { initSync as loadSync } from '../build/bindgen/airstore_wasm.js';

// The wasm exports (its memory among them) stay inside the package: the
// client's key lives in that memory.
export async function init(options) {
  await load(options);
}

export function initSync(options) {
  loadSync(options);
}
export * from './public.js';
export { default } from './public.js';
