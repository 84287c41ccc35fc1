import { accessSync, constants, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** Linux's shared-memory tmpfs: a file system in memory, on every Linux machine. */
const MEMORY_TMPDIR = '/dev/shm';
/**
 * The free space it must have to be used: a run keeps a few dozen 40 MB data dirs at once. A
 * container's /dev/shm is often 64 MB (Docker's default), which the tests would fill.
 */
const MEMORY_TMPDIR_MIN_FREE = 2 * 1024 ** 3;

let chosen: string | null = null;

/**
 * Where the tests make the scratch directories they make and remove by the hundred: the test
 * hubs' PGlite data dirs and the templates they are copied from (pglite-template.ts), the
 * browsers' profiles (e2e). `TEST_SCRATCH_DIR` if set; else Linux's in-memory tmpfs where there
 * is one with room (MEMORY_TMPDIR_MIN_FREE); else the OS temp dir.
 *
 * In memory rather than on the disk: a PGlite hub's data dir is a 40 MB copy (0.2 CPU-s of a
 * kernel copy through ext4's journal, and as much to remove it again), and every commit of a
 * test hub fsyncs its WAL; on a tmpfs the copy is a memory copy and an fsync returns at once. The
 * hub runs the same code on the same files either way: only the medium under them differs (a
 * killed hub's data is still there for its restart; a reboot clears the templates, remade by the
 * next run's globalSetup, db-templates-setup.ts).
 */
export function scratchTmpdir(): string {
  chosen ??= process.env.TEST_SCRATCH_DIR || (usable(MEMORY_TMPDIR) ? MEMORY_TMPDIR : tmpdir());
  return chosen;
}

function usable(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
    accessSync(dir, constants.W_OK);
    const { bavail, bsize } = statfsSync(dir);
    return bavail * bsize >= MEMORY_TMPDIR_MIN_FREE;
  } catch {
    return false;
  }
}
