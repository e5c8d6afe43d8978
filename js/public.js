// What every entry exports: the client and the error classes.
export { Airstore, Airstore as default } from '../build/bindgen/airstore_wasm.js';
export * from './errors.js';
