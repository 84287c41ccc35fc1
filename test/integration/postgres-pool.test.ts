import { afterEach, expect, it } from 'vitest';
import pg from 'pg';
import { CHANGE_FEED_LOCK, changeFeedTransaction, type Db } from '../../server/db/database';
import { openPostgres } from '../../server/db/postgres';
import { describeOnPostgres } from '../support/backends';
import { freshPostgresDatabase } from '../support/services';

/**
 * HUB_DB_POOL_MAX: one node never holds more PostgreSQL connections than it says; and the
 * change-feed lock never takes more than one of them (changeFeedTransaction).
 */
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

  it('transactions waiting for the change-feed lock wait in the node, not on pooled connections', async () => {
    const database = await freshPostgresDatabase();
    drop = database.drop;
    db = await openPostgres(database.url, { poolMax: 3 });
    const opened = db;
    const watcher = new pg.Client({ connectionString: database.url });
    await watcher.connect();
    try {
      // Six writers that each hold the lock for 150 ms, and reads meanwhile.
      const held: number[] = [];
      const writers = Array.from({ length: 6 }, (_, i) =>
        changeFeedTransaction(opened, async (tx) => {
          held.push(i);
          await tx.query('select pg_sleep(0.15)');
        }),
      );
      let waitingInDatabase = 0;
      let readsDone = 0;
      let looks = 0;
      // pg_locks shows the whole server: only this database's waiters (integration files run two
      // at a time, and the other's hubs take the same lock number in databases of their own).
      while (held.length < 6 || looks < 3) {
        const { rows } = await watcher.query<{ waiting: number }>(
          `select count(*)::int as waiting from pg_locks
            where locktype = 'advisory' and not granted and objid = $1
              and database = (select oid from pg_database where datname = current_database())`,
          [Number(BigInt(CHANGE_FEED_LOCK) & 0xffffffffn)],
        );
        waitingInDatabase = Math.max(waitingInDatabase, rows[0]?.waiting ?? 0);
        // A read gets a connection while writers queue (two of the three stay free).
        await opened.query('select 1');
        readsDone++;
        looks++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await Promise.all(writers);
      expect(held).toEqual([0, 1, 2, 3, 4, 5]);
      expect(waitingInDatabase).toBe(0);
      expect(readsDone).toBeGreaterThanOrEqual(3);
    } finally {
      await watcher.end();
    }
  });
});
