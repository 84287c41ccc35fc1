import type { FastifyBaseLogger } from 'fastify';
import type { Queryable } from '../db/database';

/** Socket connects are stamped "last seen" together, at most this often. */
export const LAST_SEEN_FLUSH_MS = 1_000;
/** …or as soon as this many terminals wait (one statement, a bounded array parameter). */
export const LAST_SEEN_MAX_PENDING = 5_000;

export type LastSeenStamps = {
  /** Stamps `terminalId` as seen now, with the others of the next second, in one statement. */
  add(terminalId: string): void;
  /** Stops the timer and stamps what is waiting. */
  close(): Promise<void>;
};

/**
 * "Last seen" for IT (`hub:admin list-terminals`) at socket connect, coalesced: one
 * `update … where id = any(…)` a second instead of one statement per connection. When a node dies
 * its ~6,000 terminals reconnect to the survivor within a second or two, and one write each was a
 * quarter of the survivor's CPU in that phase (bench:chain). The stamp is the flush's `now()`, at
 * most `flushMs` after the connect. A failed flush is logged (a count, no ids) and dropped: the
 * next connect or the revocation check stamps those terminals again.
 */
export function createLastSeenStamps(options: {
  db: Queryable;
  log: Pick<FastifyBaseLogger, 'warn'>;
  flushMs?: number;
  maxPending?: number;
}): LastSeenStamps {
  const flushMs = options.flushMs ?? LAST_SEEN_FLUSH_MS;
  const maxPending = options.maxPending ?? LAST_SEEN_MAX_PENDING;
  let pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const running = new Set<Promise<void>>();

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return;
    const ids = [...pending];
    pending = new Set();
    const done = options.db
      .query('update terminals set last_seen_at = now() where id = any($1::uuid[])', [ids])
      .then(
        () => undefined,
        (error: unknown) =>
          options.log.warn({ err: error, terminals: ids.length }, 'last seen not stamped'),
      )
      .finally(() => running.delete(done));
    running.add(done);
  };

  return {
    add(terminalId) {
      if (closed) return;
      pending.add(terminalId);
      if (pending.size >= maxPending) flush();
      else if (timer === undefined) {
        timer = setTimeout(flush, flushMs);
        timer.unref();
      }
    },
    async close() {
      closed = true;
      flush();
      await Promise.all(running);
    },
  };
}
