import type { FastifyBaseLogger } from 'fastify';
import { startPeriodicSweep } from '../periodic-sweep';
import { ADVISORY_LOCKS } from './advisory-locks';
import type { Db, Queryable } from './database';

/** How often the hub looks for tables that changed enough to be sampled again. */
export const PLANNER_STATISTICS_EVERY_MS = 30_000;

/**
 * Tables changed by at least this many rows plus this share of their size since their last
 * ANALYZE are sampled again: PostgreSQL's own autovacuum thresholds
 * (`autovacuum_analyze_threshold` 50, `autovacuum_analyze_scale_factor` 0.1).
 */
const MIN_CHANGED_ROWS = 50;
const CHANGED_SHARE = 0.1;

/**
 * Planner statistics where nothing else keeps them fresh. PostgreSQL's autovacuum samples a table
 * again once a tenth of it changed; the embedded PGlite runs no autovacuum, and neither does a
 * PostgreSQL configured with `autovacuum = off` (this project's test and benchmark machines are).
 * A table that grew from empty then keeps the estimates of an empty one, and statements that are
 * a few index probes get planned as scans. Measured in bench:chain (docs/benchmarks.md, "Issue
 * #17 on a slower machine"): the hint routing's join read the whole scope table (38 ms a call
 * instead of under one) and the scope settle hashed every customer while it held the change-feed
 * lock.
 *
 * Answers the tables sampled. With autovacuum on, PostgreSQL's own daemon does this: nothing is
 * done. One node at a time (a try-lock; the others skip the round).
 */
export async function analyzeChangedTables(db: Db): Promise<string[]> {
  if (db.kind === 'postgres') {
    const [setting] = await db.query<{ on: boolean }>(
      `select current_setting('autovacuum') = 'on' as on`,
    );
    if (setting?.on) return [];
  }
  return db.transaction(async (tx) => {
    const [lock] = await tx.query<{ got: boolean }>('select pg_try_advisory_xact_lock($1) as got', [
      ADVISORY_LOCKS.plannerStatistics,
    ]);
    if (!lock?.got) return [];
    const tables = await changedTables(tx);
    for (const table of tables) await tx.query(`analyze ${table}`);
    return tables;
  });
}

/** The hub's tables past the thresholds, as quoted identifiers, most changed first. */
async function changedTables(tx: Queryable): Promise<string[]> {
  const rows = await tx.query<{ name: string }>(
    `select quote_ident(s.relname) as name
       from pg_stat_user_tables s
       join pg_class c on c.oid = s.relid
      where s.schemaname = current_schema()
        and s.n_mod_since_analyze >= $1 + $2 * greatest(c.reltuples, 0)
      order by s.n_mod_since_analyze desc`,
    [MIN_CHANGED_ROWS, CHANGED_SHARE],
  );
  return rows.map((r) => r.name);
}

/** Runs `analyzeChangedTables` every PLANNER_STATISTICS_EVERY_MS; returns stop. */
export function startPlannerStatistics(
  db: Db,
  log: FastifyBaseLogger,
  everyMs = PLANNER_STATISTICS_EVERY_MS,
): () => void {
  return startPeriodicSweep({
    what: 'planner statistics',
    everyMs,
    log,
    sweep: async () => {
      const started = performance.now();
      const tables = await analyzeChangedTables(db);
      if (tables.length > 0)
        log.info(
          { tables, ms: Math.round(performance.now() - started) },
          'planner statistics refreshed',
        );
    },
  });
}
