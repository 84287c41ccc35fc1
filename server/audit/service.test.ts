import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Db } from '../db/database';
import { migrate } from '../db/migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import { pruneAudit } from './service';

const DAY_MS = 86_400_000;
/** The injected clock: retention is measured from here, not from the machine's time. */
const NOW = Date.parse('2030-06-15T12:00:00.000Z');

describe('audit retention (pruneAudit, injected clock)', () => {
  let db: Db;
  const ids = { store: newId(), terminal: newId() };
  beforeAll(async () => {
    db = await openTestPglite({ migrated: true });
    await migrate(db);
    await db.query(
      `insert into stores(id, name, timezone, lat, lng, geofence_radius_m) values ($1, 'S', 'Asia/Shanghai', 31, 121, 200)`,
      [ids.store],
    );
    await db.query(
      `insert into terminals(id, store_id, name, token_hash) values ($1, $2, 'T', 'x')`,
      [ids.terminal, ids.store],
    );
  }, 60_000);
  afterAll(() => db.close());

  const insert = async (count: number, daysAgo: number) => {
    const at = new Date(NOW - daysAgo * DAY_MS).toISOString();
    for (let i = 0; i < count; i++)
      await db.query(
        `insert into audit_log(id, store_id, terminal_id, guide_id, customer_id, action, at)
         values ($1, $2, $3, null, $4, 'profile_opened', $5)`,
        [newId(), ids.store, ids.terminal, newId(), at],
      );
  };
  const remaining = async () =>
    (await db.query<{ n: number }>('select count(*)::int as n from audit_log'))[0]!.n;

  it(
    'deletes only entries older than the retention, in bounded batches across sweeps',
    { timeout: 30_000 },
    async () => {
      await insert(12, 401); // past a 400-day retention
      await insert(3, 399); // inside it
      // 5 a batch, 2 batches a sweep: 10 now, the other 2 at the next sweep, then nothing.
      expect(await pruneAudit(db, 400, NOW, 5, 2)).toBe(10);
      expect(await remaining()).toBe(5);
      expect(await pruneAudit(db, 400, NOW, 5, 2)).toBe(2);
      expect(await pruneAudit(db, 400, NOW, 5, 2)).toBe(0);
      expect(await remaining()).toBe(3);
      // A shorter retention (or a later clock) reaches the rest.
      expect(await pruneAudit(db, 400, NOW + 2 * DAY_MS)).toBe(3);
      expect(await remaining()).toBe(0);
    },
  );
});
