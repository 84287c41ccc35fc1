import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { buildConsole } from '../../../scripts/build-console.mjs';
import { buildRenderer } from '../../../scripts/start-terminal';

/*
 * The renderer's production build (the one the packaged app ships, scripts/start-terminal.ts) and
 * the head office console's build, made once per run and shared by the e2e files: each file used
 * to build its own copy, the same bytes from the same sources, ten renderer builds a run. The
 * builds are only read (served as they are), never written to by a test.
 */

type Shared = 'renderer' | 'console';

/** Where this run's build of `name` is (or will be, once a file has asked for it). */
export function sharedBuildDir(name: Shared): string {
  return join(inject('e2eBuildRoot'), name);
}

/**
 * The first file that asks makes the build; e2e files run two at a time (vitest.config.ts), so a
 * lock dir (`mkdir` is atomic) lets only one of them build while the others wait for the result,
 * bounded by their hook's timeout. A build that fails leaves no lock: the next file tries again.
 */
async function once(name: Shared, build: (outDir: string) => Promise<void>): Promise<string> {
  const dir = sharedBuildDir(name);
  const lock = `${dir}.lock`;
  for (;;) {
    if (existsSync(dir)) return dir;
    try {
      mkdirSync(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      // made by the file that held the lock just before this one took it
      if (existsSync(dir)) return dir;
      // built aside and renamed into place: a build cut short is never taken for a whole one
      const staging = `${dir}.${process.pid}.partial`;
      rmSync(staging, { recursive: true, force: true });
      await build(staging);
      renameSync(staging, dir);
      return dir;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** This run's renderer build (built by the first file that asks). */
export function sharedRendererBuild(): Promise<string> {
  return once('renderer', buildRenderer);
}

/** This run's head office console build (built by the first file that asks). */
export function sharedConsoleBuild(): Promise<string> {
  return once('console', buildConsole);
}

/** This run's renderer build copied into `outDir` (emptied first, as a build into it would). */
export async function copyRendererBuild(outDir: string): Promise<void> {
  const built = await sharedRendererBuild();
  rmSync(outDir, { recursive: true, force: true });
  cpSync(built, outDir, { recursive: true });
}
