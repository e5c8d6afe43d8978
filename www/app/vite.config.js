import { defineConfig } from 'vite';

// `airstore-wasm` resolves through www/node_modules (a link to ../pkg made by
// `npm install` in www/), exactly as it would from the npm registry.
// Two pages: the app, and the return page at returnTo (/oauth/return).
export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input: {
        main: `${import.meta.dirname}/index.html`,
        return: `${import.meta.dirname}/oauth/return.html`,
      },
    },
  },
});
