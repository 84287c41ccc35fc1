import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite is single-process: two processes opening the same data dir corrupt it. The hub holds
 * `hub.pid` in the data dir while it runs; a second hub and the admin/seed CLIs read it and refuse
 * to open the database directly while a live process holds it.
 *
 * Taking the lock is atomic: the holder record is written in full to a private file first and
 * then hard-linked to `hub.pid`, which fails if the name exists — of two hubs started at the same
 * moment exactly one wins, and nobody ever reads a half-written record. A lock left by a process
 * that died (SIGKILL, power cut) is recovered under a second exclusive file, so two contenders
 * can never both remove a stale lock and then both take it.
 */
export const LOCK_FILE = 'hub.pid';
const RECOVERY_FILE = 'hub.pid.recovery';
/** A recovery file older than this was left by a process that died mid-recovery. */
const RECOVERY_STALE_MS = 10_000;
/** Bounded retries while another process recovers a stale lock (each waits a few ms). */
const MAX_ATTEMPTS = 200;

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

type Read =
  | { kind: 'missing' }
  | { kind: 'unreadable'; text: string }
  | { kind: 'holder'; holder: LockHolder; text: string };

function readLock(path: string): Read {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { kind: 'missing' };
  }
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    if (typeof holder.pid !== 'number' || !Number.isInteger(holder.pid) || holder.pid <= 0)
      return { kind: 'unreadable', text };
    return { kind: 'holder', holder: holder as LockHolder, text };
  } catch {
    return { kind: 'unreadable', text };
  }
}

/** The live process holding the data dir, or null (no lock file, or a stale one from a crash). */
export function dataDirHolder(dataDir: string): LockHolder | null {
  const read = readLock(join(dataDir, LOCK_FILE));
  if (read.kind !== 'holder') return null;
  // Our own pid: a record left by an earlier process that had this pid (a container restart).
  if (read.holder.pid === process.pid) return null;
  return isAlive(read.holder.pid) ? read.holder : null;
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

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes the lock file if it still holds exactly `staleText`, under the recovery file so only one
 * process at a time can decide and delete. Returns without doing anything if another process is
 * recovering (the caller simply tries again).
 */
function recoverStale(dataDir: string, staleText: string): void {
  const recovery = join(dataDir, RECOVERY_FILE);
  let fd: number;
  try {
    fd = openSync(recovery, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(recovery).mtimeMs > RECOVERY_STALE_MS)
        rmSync(recovery, { force: true });
    } catch {
      // gone meanwhile
    }
    return;
  }
  try {
    const now = readLock(join(dataDir, LOCK_FILE));
    // Only the very record we judged stale; a lock taken meanwhile by a live hub stays.
    if (now.kind !== 'missing' && now.text === staleText)
      rmSync(join(dataDir, LOCK_FILE), { force: true });
  } finally {
    closeSync(fd);
    rmSync(recovery, { force: true });
  }
}

/** How long an unparseable lock file counts as being written rather than stale. */
const UNREADABLE_GRACE_MS = 2_000;

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Creates `path` with `text` unless it exists; false if it does. A hard link of the fully written
 * staging file is atomic and never shows a partial record; on file systems without hard links
 * (FAT, some network shares) an exclusive create is the fallback, which is just as exclusive.
 */
function createExclusive(staging: string, path: string, text: string): boolean {
  try {
    linkSync(staging, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
  }
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Takes the data dir for this process; throws DataDirLockedError if a live process holds it. */
export function acquireDataDirLock(dataDir: string): {
  release(): void;
  setUrl(url: string): void;
} {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, startedAt: new Date().toISOString() };
  const staging = join(dataDir, `${LOCK_FILE}.${process.pid}.tmp`);
  const stage = () => writeFileSync(staging, JSON.stringify(mine));
  stage();
  try {
    for (let attempt = 0; ; attempt++) {
      if (createExclusive(staging, path, JSON.stringify(mine))) break;
      const read = readLock(path);
      if (read.kind === 'holder' && read.holder.pid !== process.pid && isAlive(read.holder.pid))
        throw new DataDirLockedError(dataDir, read.holder);
      if (attempt >= MAX_ATTEMPTS)
        throw new Error(
          `could not take the data dir lock ${path} (a stale lock keeps coming back)`,
        );
      // An unreadable record may be one being written by the fallback below: stale only if old.
      const young = read.kind === 'unreadable' && ageMs(path) < UNREADABLE_GRACE_MS;
      if (read.kind !== 'missing' && !young) recoverStale(dataDir, read.text);
      sleepSync(2 + Math.floor(Math.random() * 5));
    }
  } finally {
    rmSync(staging, { force: true });
  }

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    // Only remove our own lock (never one another process took after a stale cleanup).
    const read = readLock(path);
    if (read.kind === 'holder' && read.holder.pid === process.pid) rmSync(path, { force: true });
  };
  process.once('exit', release);
  return {
    release,
    setUrl(url) {
      mine.url = url;
      // Replace atomically: a reader sees the old record or the new one, never a partial one
      // (a partial record would look stale and let a second hub in).
      stage();
      renameSync(staging, path);
    },
  };
}
