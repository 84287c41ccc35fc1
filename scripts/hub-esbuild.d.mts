import type { BuildOptions } from 'esbuild';

/** The hub bundle's files (name → source). */
export declare const HUB_ENTRY_POINTS: {
  readonly main: 'server/main.ts';
  readonly admin: 'server/admin/cli.ts';
  readonly seed: 'server/demo/seed-cli.ts';
  readonly simulate: 'server/demo/simulate-cli.ts';
  readonly 'pglite-worker': 'server/db/pglite-worker.ts';
};
/** esbuild options for the hub bundle of the repository at `root`, written to `outdir`. */
export declare function hubBuildOptions(root: string, outdir: string): BuildOptions;
