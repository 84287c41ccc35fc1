import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Db } from '../db/database';
import { migrate } from '../db/migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import { dwellFor } from './dwell';
import { storeDayWithPerformance } from './service';

/**
 * Median time in store (#16 item 6), on a Shanghai day [2026-03-09T16:00Z, 2026-03-10T16:00Z):
 * converted visits of 10, 20 and 30 minutes (median 20), unconverted of 2 and 7 (median 4.5);
 * an anonymous visit and one that began the day before are not counted.
 */
describe('time in store (PGlite)', () => {
  let db: Db;
  const store = newId();
  beforeAll(async () => {
    db = await openTestPglite({ migrated: true });
    await migrate(db);
    await db.query(
      `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 0, 0)`,
      [store],
    );
    const visit = async (start: string, minutes: number, converted: boolean, anonymous = false) => {
      let customer: string | null = null;
      if (!anonymous) {
        customer = newId();
        await db.query(
          `insert into customers(id, seq, name, member_code) values ($1, nextval('change_seq'), 'C', $2)`,
          [customer, `M${customer.slice(-12)}`],
        );
      }
      const end = new Date(Date.parse(start) + minutes * 60_000).toISOString();
      await db.query(
        `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, converted_at)
         values ($1, $2, $3, 'wifi', $4, $5, $6)`,
        [newId(), store, customer, start, end, converted ? end : null],
      );
    };
    await visit('2026-03-10T02:00:00Z', 10, true);
    await visit('2026-03-10T03:00:00Z', 20, true);
    await visit('2026-03-10T04:00:00Z', 30, true);
    await visit('2026-03-10T05:00:00Z', 2, false);
    await visit('2026-03-10T06:00:00Z', 7, false);
    await visit('2026-03-10T07:00:00Z', 90, false, true); // anonymous: not recognised
    await visit('2026-03-09T15:59:00Z', 60, true); // 23:59 the day before
  }, 60_000);
  afterAll(() => db.close());

  it('medians of converted and unconverted recognised visits that began in the day', async () => {
    expect(
      await dwellFor(db, store, new Date('2026-03-09T16:00:00Z'), new Date('2026-03-10T16:00:00Z')),
    ).toEqual({
      converted: { visits: 3, medianMinutes: 20 },
      notConverted: { visits: 2, medianMinutes: 4.5 },
    });
  });

  it('a day without visits has no median; the day answer carries it', async () => {
    const empty = await dwellFor(
      db,
      store,
      new Date('2026-03-11T16:00:00Z'),
      new Date('2026-03-12T16:00:00Z'),
    );
    expect(empty).toEqual({
      converted: { visits: 0, medianMinutes: null },
      notConverted: { visits: 0, medianMinutes: null },
    });
    const day = await storeDayWithPerformance(db, store, '2026-03-10');
    expect(day.dwell?.converted.medianMinutes).toBe(20);
  });
});
