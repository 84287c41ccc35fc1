import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from './database';
import { migrate } from './migrate';
import { openTestPglite } from '../../test/support/pglite-template';

/*
 * Migration 012 (online-sale credit), upgrading a database that already holds a store, a guide
 * and a customer. Kept apart from migrate.test.ts so the branches adding 011 and 012 do not
 * collide; the lead may fold it in at merge.
 */
const STORE = '0190b000-0000-7000-8000-0000000000a1';
const GUIDE = '0190b000-0000-7000-8000-0000000000b1';
const CUSTOMER = '0190b000-0000-7000-8000-0000000000c1';

describe('migration 012: online orders and their credit', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it(
    'adds the tables on a database with data; credit rows say who or nobody, one per order line',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db, 11);
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 31, 121)`,
        [STORE],
      );
      await db.query(
        `insert into guides(id, store_id, name, role, pin_hash) values ($1, $2, 'G', 'guide', 'x')`,
        [GUIDE, STORE],
      );
      await db.query(
        `insert into customers(id, seq, name, member_code, home_store_id) values ($1, 1, 'C', 'M1', $2)`,
        [CUSTOMER, STORE],
      );
      expect(await migrate(db, 12)).toEqual([12]);

      const order = (id: string, kind: string, refundOf: string | null) =>
        db!.query(
          `insert into online_orders(id, kind, refund_of, customer_id, channel, at, amount, lines, body_hash, state)
           values ($1, $2, $3, $4, 'app', now(), 100, '[]', 'h', 'credited')`,
          [id, kind, refundOf, CUSTOMER],
        );
      await order('O1', 'order', null);
      await expect(order('R0', 'refund', null), 'a refund names its order').rejects.toThrow();
      await expect(order('O2', 'order', 'O1'), 'an order names none').rejects.toThrow();
      const credit = (line: string, rule: string, store: string | null, guide: string | null) =>
        db!.query(
          `insert into online_credits(id, order_id, line_id, kind, rule, store_id, guide_id, amount, at, evidence)
           values (gen_random_uuid(), 'O1', $1, 'sale', $2, $3, $4, 100, now(), '{}')`,
          [line, rule, store, guide],
        );
      await expect(credit('O1', 'none', STORE, null), 'none names no store').rejects.toThrow();
      await expect(
        credit('O1', 'bound_guide', null, GUIDE),
        'a guide needs a store',
      ).rejects.toThrow();
      await expect(credit('O1', 'lucky', STORE, null), 'an unknown rule').rejects.toThrow();
      await credit('O1', 'claimed_visit', STORE, GUIDE);
      await expect(credit('O1', 'home_store', STORE, null), 'one row per line').rejects.toThrow();
      expect(await db.query('select rule, store_id, guide_id from online_credits')).toEqual([
        { rule: 'claimed_visit', store_id: STORE, guide_id: GUIDE },
      ]);
    },
  );
});
