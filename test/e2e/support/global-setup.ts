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

/**
 * One folder per run for the builds the e2e files share. Nothing is built here: the first file
 * that needs a build makes it (a build here would hold up the whole run, unit phase included,
 * and a run of only the screenshot files needs none).
 */
export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'sg-e2e-builds-'));
  project.provide('e2eBuildRoot', root);
  return () => rmSync(root, { recursive: true, force: true });
}
