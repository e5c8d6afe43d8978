import { defineConfig } from 'vite';

// `airstore-wasm` resolves through www/node_modules (a link to ../pkg made by
// `npm install` in www/), exactly as it would from the npm registry.
export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
