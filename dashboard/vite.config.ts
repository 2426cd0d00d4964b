import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard, built into dist/dashboard (served by the gateway at `/`). Every script and style is a hashed
 * file under assets/ (the gateway's CSP allows no inline script or style), so the page can be cached for a
 * year per file name and index.html revalidated on each load.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    // Files of earlier builds stay: a page loaded before a rebuild can still fetch its hashed assets, and a build
    // (npm start, the test setup) never pulls files from under a browser test that is loading them.
    emptyOutDir: false,
    target: 'es2022',
    // The polyfill would be an inline script; every browser the dashboard supports preloads modules itself.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    sourcemap: false,
  },
  logLevel: 'warn',
});
