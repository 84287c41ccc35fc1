import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** where this run's e2e files share their renderer and console builds (shared-builds.ts) */
    e2eBuildRoot: string;
  }
}

/** The run's build folder, shared by the projects whose setup this is (`e2e`, `e2e-alone`). */
const shared = globalThis as typeof globalThis & {
  sgE2eBuilds?: { root: string; users: number };
};

/**
 * One folder per run for the builds the e2e files share, the same for both e2e projects (their
 * setups run in vitest's main process), removed when the last of them tears down. Nothing is built
 * here: the first file that needs a build makes it (a build here would hold up the whole run, unit
 * phase included, and a run of only the screenshot files needs none).
 */
export default function setup(project: TestProject): () => void {
  shared.sgE2eBuilds ??= { root: mkdtempSync(join(tmpdir(), 'sg-e2e-builds-')), users: 0 };
  const builds = shared.sgE2eBuilds;
  builds.users += 1;
  project.provide('e2eBuildRoot', builds.root);
  return () => {
    builds.users -= 1;
    if (builds.users > 0) return;
    rmSync(builds.root, { recursive: true, force: true });
    shared.sgE2eBuilds = undefined;
  };
}
