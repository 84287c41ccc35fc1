// Builds head office's web console (console/) into a folder the hub serves at /console/
// (server/console/routes.ts): index.html, console.js and console.css — one script, no inline
// code, so the hub's strict CSP holds. esbuild, like the hub's own bundle: about a second.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CONSOLE_OUT = join(root, 'out/console');

/** Builds the console into `outdir` (default out/console, which the hub serves by default). */
export async function buildConsole(outdir = CONSOLE_OUT) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: { console: join(root, 'console/main.tsx') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    sourcemap: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  copyFileSync(join(root, 'console/index.html'), join(outdir, 'index.html'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildConsole();
