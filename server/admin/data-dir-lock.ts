import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite is single-process: two processes opening the same data dir corrupt it. The hub writes
 * its pid into `hub.pid` in the data dir while it runs; the admin/seed CLIs read it and refuse
 * to open the database directly while a live process holds it.
 */
export const LOCK_FILE = 'hub.pid';

export type LockHolder = { pid: number; startedAt: string; url?: string };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live process holding the data dir, or null (no lock file, or a stale one from a crash). */
export function dataDirHolder(dataDir: string): LockHolder | null {
  let text: string;
  try {
    text = readFileSync(join(dataDir, LOCK_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    if (typeof holder.pid !== 'number') return null;
    if (holder.pid === process.pid) return null;
    return isAlive(holder.pid) ? holder : null;
  } catch {
    return null;
  }
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the data dir ${dataDir} is in use by a running hub (pid ${holder.pid}${
        holder.url ? `, ${holder.url}` : ''
      }); PGlite allows one process only`,
    );
  }
}

/** Takes the data dir for this process; throws DataDirLockedError if a live process holds it. */
export function acquireDataDirLock(dataDir: string): {
  release(): void;
  setUrl(url: string): void;
} {
  const holder = dataDirHolder(dataDir);
  if (holder) throw new DataDirLockedError(dataDir, holder);
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, startedAt: new Date().toISOString() };
  const write = () => writeFileSync(path, JSON.stringify(mine));
  write();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    // Only remove our own lock (never one another process took after a stale cleanup).
    try {
      const current = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
      if (current.pid === process.pid) rmSync(path, { force: true });
    } catch {
      // already gone
    }
  };
  process.once('exit', release);
  return {
    release,
    setUrl(url) {
      mine.url = url;
      write();
    },
  };
}
