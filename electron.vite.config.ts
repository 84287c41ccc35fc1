import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { rendererCodeSplitting } from './scripts/renderer-chunks';

const version = (JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string })
  .version;

/**
 * Builds the terminal app into `out/` (main, preload, renderer) — the only thing the packaged app
 * contains. Main and preload bundle their dependencies so the package needs no node_modules (and
 * so none of the hub's dependencies end up on a store PC).
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/main/index.ts') },
        external: ['electron'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        external: ['electron'],
        // Sandboxed preloads run as CommonJS scripts.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    define: { __APP_VERSION__: JSON.stringify(version) },
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves the renderer unminified by default, and Vite only reports chunks over
      // its 500 kB limit when minifying: minified, the sizes the build prints are what ships.
      minify: true,
      // electron-vite replaces `rollupOptions` with `rolldownOptions`, so options go here.
      rolldownOptions: {
        input: resolve('renderer/index.html'),
        output: { codeSplitting: rendererCodeSplitting },
      },
    },
  },
});
