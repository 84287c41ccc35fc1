// The hub's esbuild settings, one place for `npm run build` (build-hub.mjs → out/hub/) and the
// integration tests' per-run bundle (test/support/hub-bundle.ts), so the tests run what ships.
// Dependencies stay external (resolved from node_modules at run time), so PGlite's WASM files,
// pg's optional native bits and socket.io load exactly as in development.
import { join } from 'node:path';

/** The bundle's files (name → source); `npm start` (server/dev/start.ts) is not one of them. */
export const HUB_ENTRY_POINTS = {
  main: 'server/main.ts', // npm run hub        → node out/hub/main.js
  admin: 'server/admin/cli.ts', // hub:admin    → node out/hub/admin.js <command>
  seed: 'server/demo/seed-cli.ts', // hub:seed  → node out/hub/seed.js
  simulate: 'server/demo/simulate-cli.ts', // hub:simulate
  // PGlite's worker thread (server/db/pglite-thread.ts starts ./pglite-worker.js beside the bundle)
  'pglite-worker': 'server/db/pglite-worker.ts',
};

/** esbuild options for the hub bundle of the repository at `root`, written to `outdir`. */
export function hubBuildOptions(root, outdir) {
  return {
    absWorkingDir: root,
    entryPoints: Object.fromEntries(
      Object.entries(HUB_ENTRY_POINTS).map(([name, source]) => [name, join(root, source)]),
    ),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  };
}
