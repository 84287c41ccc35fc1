// `npm run build` (after the typecheck): bundles the hub and its CLIs into out/hub/ with esbuild.
// Dependencies stay external (resolved from node_modules at run time), so PGlite's WASM files,
// pg's optional native bits and socket.io load exactly as in development.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConsole, CONSOLE_OUT } from './build-console.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'out/hub');

const entryPoints = {
  main: 'server/main.ts', // npm run hub        → node out/hub/main.js
  admin: 'server/admin/cli.ts', // hub:admin    → node out/hub/admin.js <command>
  seed: 'server/demo/seed-cli.ts', // hub:seed  → node out/hub/seed.js
  simulate: 'server/demo/simulate-cli.ts', // hub:simulate
  // PGlite's worker thread (server/db/pglite-thread.ts starts ./pglite-worker.js beside the bundle)
  'pglite-worker': 'server/db/pglite-worker.ts',
  // `npm start` (server/dev/start.ts) is a development launcher that builds and serves the
  // renderer from the source tree, so it is not bundled.
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([k, v]) => [k, join(root, v)])),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.js')) console.log(`${file}  ${(meta.bytes / 1024).toFixed(0)} KiB`);
}
// Head office's web console, served by the hub at /console/ (HUB_CONSOLE_DIR, default out/console).
await buildConsole();
console.log(`${CONSOLE_OUT}/  (head-office console)`);
