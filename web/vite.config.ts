/**
 * The dashboard's build: vite with preact's JSX, the model bundled from the library entry
 * (src/index.ts) into the page and into a Web Worker. Output in dist/web, served by `crossroads serve`.
 * Everything is local: no CDN, no web fonts, no map tiles.
 */

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8765' } },
});
