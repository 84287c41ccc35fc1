import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { hubBuildOptions } from '../../scripts/hub-esbuild.mjs';

/**
 * vitest `globalSetup` of the integration, faults and e2e projects: bundles the hub and its CLIs from the source
 * as it is now, once per test run, and hands the bundle's directory to the test files
 * (`inject('hubBundle')`, read by hub-process.ts and run-cli.ts). A hub started from the bundle
 * listens 2–3 s sooner than one under tsx, which transpiles and resolves the whole server at every
 * start (≈ 150 hub starts in the integration phase on the 2-core CI machine).
 *
 * The same esbuild settings as `npm run build` (scripts/build-hub.mjs: one ESM file per entry,
 * dependencies external and resolved from node_modules at run time, PGlite's worker beside the
 * hub), so the tests run what ships. The bundle lives under `out/test-hub/<hash of its content>`:
 * inside the repository so its `import`s of dependencies find node_modules, named by its content
 * so two runs on the same source share it and a run on changed source never sees an older one.
 */
export const HUB_BUNDLE_ROOT = join(import.meta.dirname, '../../out/test-hub');

/** Bundles older than this, left by earlier runs on other source, are removed at setup. */
const STALE_MS = 24 * 60 * 60 * 1000;

export default async function setup(project: TestProject): Promise<void> {
  const root = join(import.meta.dirname, '../..');
  const result = await build({
    ...hubBuildOptions(root, join(HUB_BUNDLE_ROOT, 'build')),
    write: false,
  });
  const hash = createHash('sha256');
  for (const file of result.outputFiles) hash.update(file.path).update(file.contents);
  const dir = join(HUB_BUNDLE_ROOT, hash.digest('hex').slice(0, 16));
  if (!existsSync(join(dir, 'main.js'))) {
    // Written in a scratch dir and renamed into place: a hub never starts a half-written bundle,
    // and two runs writing the same one at once both end up with a whole one.
    const scratch = `${dir}.partial-${process.pid}`;
    rmSync(scratch, { recursive: true, force: true });
    for (const file of result.outputFiles) {
      const target = join(scratch, relative(join(HUB_BUNDLE_ROOT, 'build'), file.path));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.contents);
    }
    try {
      renameSync(scratch, dir);
    } catch (error) {
      rmSync(scratch, { recursive: true, force: true });
      if (!existsSync(join(dir, 'main.js'))) throw error;
    }
  }
  // In use: not stale for another run's prune.
  const now = new Date();
  utimesSync(dir, now, now);
  pruneStale(dir);
  project.provide('hubBundle', dir);
}

function pruneStale(keep: string): void {
  for (const entry of readdirSync(HUB_BUNDLE_ROOT)) {
    const path = join(HUB_BUNDLE_ROOT, entry);
    if (path === keep) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_MS)
        rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another run meanwhile
    }
  }
}
