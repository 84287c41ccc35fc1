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
