import { afterEach, expect, it } from 'vitest';
import type { Db } from '../../server/db/database';
import { openPostgres } from '../../server/db/postgres';
import { describeOnPostgres } from '../support/backends';
import { freshPostgresDatabase } from '../support/services';

/** HUB_DB_POOL_MAX: one node never holds more PostgreSQL connections than it says. */
describeOnPostgres('PostgreSQL connection pool', () => {
  let db: Db | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await db?.close();
    await drop?.();
    db = undefined;
    drop = undefined;
  });

  it('runs 12 statements at once on at most poolMax connections, queueing the rest', async () => {
    const database = await freshPostgresDatabase();
    drop = database.drop;
    db = await openPostgres(database.url, { poolMax: 3 });
    const opened = db;
    const pids = await Promise.all(
      Array.from({ length: 12 }, () =>
        opened
          .query<{ pid: number }>('select pg_backend_pid() as pid, pg_sleep(0.05)')
          .then((rows) => rows[0]?.pid),
      ),
    );
    expect(pids.every((pid) => typeof pid === 'number')).toBe(true);
    expect(new Set(pids).size).toBeLessThanOrEqual(3);
    expect(new Set(pids).size).toBeGreaterThanOrEqual(2);
  });
});
