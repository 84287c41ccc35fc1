import { spawnSync } from 'node:child_process';

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

/**
 * `env` for a child process (a hub) whose clock runs `aheadMs` ahead of this process's — "the
 * next day" for a story that spans two days. libfaketime with a relative offset: the clock keeps
 * running, so the child and this process stay `aheadMs` apart. Under a moved suite (above) the
 * offset is added to the one this process already runs at.
 */
export function clockAheadEnv(aheadMs: number, env: NodeJS.ProcessEnv = process.env) {
  const seconds = Math.round((ownOffsetMs(env) + aheadMs) / 1000);
  return {
    LD_PRELOAD: LIBFAKETIME,
    FAKETIME: `${seconds < 0 ? '-' : '+'}${Math.abs(seconds)}`,
    // node needs its monotonic clock left alone (above)
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}
