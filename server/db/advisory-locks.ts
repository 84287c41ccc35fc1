/**
 * Every `pg_advisory_xact_lock` key the hub takes, in one place so no two writers share a key by
 * accident (online credit and follow-ups both used 4615 until 2026-12-04 and serialised each other
 * for nothing). PostgreSQL keeps one-argument keys (bigint) and two-argument key spaces (int, int)
 * apart, so the two tables are checked for clashes separately.
 */
export const ADVISORY_LOCKS = {
  /** the change feed's sequence draws (server/db/database.ts, lockChangeFeed) */
  changeFeed: 4600,
  /** schema migrations, one hub at a time (server/db/migrate.ts) */
  migrations: 4601,
  /** follow-up task writes and their feed numbers (server/follow-ups/tasks.ts) */
  followUps: 4615,
  /** online orders and their credit, one batch at a time (server/credit/ingest.ts) */
  onlineCredit: 4616,
  /** one node at a time samples changed tables (server/db/planner-statistics.ts) */
  plannerStatistics: 4618,
} as const;

/** Key spaces of `pg_advisory_xact_lock(space, hashtext(key))`. */
export const ADVISORY_LOCK_SPACES = {
  /**
   * one visit per store × customer: taken inside `presence_sighting` (migration 024, which names
   * 4601 itself; server/presence/presence.ts)
   */
  visit: 4601,
  /** one terminal's searches: count, then write (server/customers/search.ts) */
  search: 4617,
} as const;
