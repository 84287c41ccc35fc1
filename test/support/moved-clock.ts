import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The suite can run with the date moved (docs/reliability.md, "A year ahead"):
 * `FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '+365d' npm test`. libfaketime moves the clock of
 * this process and of the hubs it starts (node needs the monotonic clock left alone:
 * `FAKETIME_DONT_FAKE_MONOTONIC=1`). Chromium runs under it only with the monotonic clock moved
 * too (`chromiumEnv`); redis-server's allocator crashes under the preload, so it starts without it
 * (`withoutClockFaking`) — the date check is for our code, not Redis.
 */

/** Whether this process runs under libfaketime. */
export const clockIsMoved = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.LD_PRELOAD?.includes('faketime') === true;

/** `env` without libfaketime, for a service binary that cannot run under it. */
export function withoutClockFaking(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith('FAKETIME')),
  );
  if (clockIsMoved(rest)) delete rest.LD_PRELOAD;
  return rest;
}

/** `env` for Chromium: with libfaketime it crashes unless the monotonic clock moves too. */
export function chromiumEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  delete rest.FAKETIME_DONT_FAKE_MONOTONIC;
  return rest;
}

/** libfaketime as Debian's `faketime` wrapper preloads it (the loader expands `$LIB`). */
const LIBFAKETIME = '/usr/$LIB/faketime/libfaketime.so.1';

/** How far this process's clock runs ahead of the machine's (0 unless under libfaketime). */
function ownOffsetMs(env: NodeJS.ProcessEnv): number {
  if (!clockIsMoved(env)) return 0;
  // `date` without the preload reads the machine's clock; the two reads are ms apart.
  const real = spawnSync('date', ['+%s%3N'], { env: withoutClockFaking(env), encoding: 'utf8' });
  const realMs = Number(real.stdout.trim());
  if (real.status !== 0 || !Number.isFinite(realMs)) throw new Error('cannot read the real clock');
  return Date.now() - realMs;
}

/** libfaketime's spec for an offset from the machine's clock: "+86400" (seconds; the clock runs). */
function offsetSpec(aheadMs: number, env: NodeJS.ProcessEnv): string {
  const seconds = Math.round((ownOffsetMs(env) + aheadMs) / 1000);
  return `${seconds < 0 ? '-' : '+'}${Math.abs(seconds)}`;
}

/**
 * `env` for a child process (Chromium) whose clock runs `aheadMs` ahead of this process's — "the
 * next day" of a story that spans two days. A relative offset: the clock keeps running, so the
 * child and this process stay `aheadMs` apart. Under a moved suite (above) the offset adds to the
 * one this process already runs at.
 */
export function clockAheadEnv(aheadMs: number, env: NodeJS.ProcessEnv = process.env) {
  return {
    LD_PRELOAD: LIBFAKETIME,
    FAKETIME: offsetSpec(aheadMs, env),
    // node needs its monotonic clock left alone (above); chromiumEnv drops this for Chromium
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

/** A clock a test moves while the process that reads it (a hub) keeps running. */
export type MovableClock = {
  /**
   * for the child process: libfaketime reading its offset from a file (at most 1 s stale); the
   * variables set `undefined` must be left out (libfaketime reads no file while FAKETIME is set)
   */
  env: Record<string, string | undefined>;
  /** from now on the child's clock runs `aheadMs` ahead of this process's (0: the same) */
  setAhead(aheadMs: number): void;
  remove(): void;
};

/**
 * A clock for a hub that runs through "midnight": it starts level with this process and is moved
 * a day on while the hub keeps serving, as a hub that runs day and night sees the date change.
 * (Node's timers run on the monotonic clock, which stays real: nothing fires early.)
 */
export function movableClock(env: NodeJS.ProcessEnv = process.env): MovableClock {
  const dir = mkdtempSync(join(tmpdir(), 'sg-clock-'));
  const file = join(dir, 'faketime');
  const spec = (aheadMs: number) => offsetSpec(aheadMs, env);
  // Written aside and renamed over: libfaketime never reads a half-written spec.
  const write = (aheadMs: number) => {
    writeFileSync(`${file}.new`, spec(aheadMs));
    renameSync(`${file}.new`, file);
  };
  write(0);
  return {
    env: {
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME: undefined,
      FAKETIME_TIMESTAMP_FILE: file,
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
    setAhead: write,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
