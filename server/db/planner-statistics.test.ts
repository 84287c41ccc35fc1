import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from './database';
import { analyzeChangedTables } from './planner-statistics';
import { openTestPglite } from '../../test/support/pglite-template';
import { openFreshPostgres, postgresReason, TEST_DATABASE_URL } from '../../test/support/services';

/** Rows changed since the table's last ANALYZE, once the backends reported them (≈ 1 s). */
async function changesReported(db: Db, table: string, atLeast: number): Promise<number> {
  let seen = 0;
  for (let i = 0; i < 50 && seen < atLeast; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [row] = await db.query<{ n: number }>(
      `select coalesce(n_mod_since_analyze, 0)::int as n from pg_stat_user_tables
        where relname = $1`,
      [table],
    );
    seen = row?.n ?? 0;
  }
  return seen;
}

const estimate = async (db: Db, table: string) =>
  (
    await db.query<{ n: number }>('select reltuples::int as n from pg_class where relname = $1', [
      table,
    ])
  )[0]?.n;

/** A table filled after its (empty) sampling: the planner still thinks it is empty. */
async function grownTable(db: Db): Promise<void> {
  await db.query('create table grown (id int primary key, v int)');
  await db.query('analyze grown');
  await db.query('insert into grown select g, g from generate_series(1, 2000) g');
  expect(await changesReported(db, 'grown', 2000)).toBeGreaterThanOrEqual(2000);
}

describe('planner statistics kept where no autovacuum runs', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('PGlite: a table changed past the thresholds is sampled again, once', async () => {
    db = await openTestPglite({ migrated: false });
    await grownTable(db);
    expect(await estimate(db, 'grown')).toBe(0);
    expect(await analyzeChangedTables(db)).toEqual(['grown']);
    expect(await estimate(db, 'grown')).toBe(2000);
    // 49 more rows stay under 50 + 10 %: nothing to do
    await db.query('update grown set v = v + 1 where id < 50');
    await changesReported(db, 'grown', 49);
    expect(await analyzeChangedTables(db)).toEqual([]);
  });
});

describe.skipIf(!TEST_DATABASE_URL && !process.env.CI)(
  `planner statistics (${postgresReason})`,
  () => {
    it('PostgreSQL: sampled by the hub only when autovacuum is off', async () => {
      const fresh = await openFreshPostgres();
      try {
        await grownTable(fresh.db);
        const [setting] = await fresh.db.query<{ on: boolean }>(
          `select current_setting('autovacuum') = 'on' as on`,
        );
        // This machine's PostgreSQL runs with autovacuum off; one with it on is left to it.
        expect(await analyzeChangedTables(fresh.db)).toEqual(setting?.on ? [] : ['grown']);
        if (!setting?.on) expect(await estimate(fresh.db, 'grown')).toBe(2000);
      } finally {
        await fresh.drop();
      }
    });
  },
);
