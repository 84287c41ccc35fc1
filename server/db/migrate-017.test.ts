import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from './database';
import { migrate } from './migrate';
import { openTestPglite } from '../../test/support/pglite-template';

const ID = {
  store: '0190b000-0000-7000-8000-0000000017a0',
  guide: '0190b000-0000-7000-8000-0000000017a1',
  terminal: '0190b000-0000-7000-8000-0000000017a2',
  order: '0190b000-0000-7000-8000-0000000017a3',
  ret: '0190b000-0000-7000-8000-0000000017a4',
};

describe('migration 017 (after-sale)', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it(
    "keeps a v15 hub's orders with nothing returned, and returns then link to their lines only",
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db, 15);
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, '店', 'Asia/Shanghai', 31, 121)`,
        [ID.store],
      );
      await db.query(
        `insert into guides(id, store_id, name, role, pin_hash) values ($1, $2, '李娜', 'guide', 'x')`,
        [ID.guide, ID.store],
      );
      await db.query(
        `insert into terminals(id, store_id, name, token_hash) values ($1, $2, '收银台', 'h')`,
        [ID.terminal, ID.store],
      );
      await db.query(
        `insert into orders(id, store_id, terminal_id, guide_id, payment_method, created_at, total, units)
         values ($1, $2, $3, $4, 'wechat', '2026-03-01T10:00:00Z', 2000, 2)`,
        [ID.order, ID.store, ID.terminal, ID.guide],
      );
      await db.query(
        `insert into order_lines(order_id, line_no, sku, quantity, unit_price, discount)
         values ($1, 1, 'A', 2, 1000, 0)`,
        [ID.order],
      );

      expect(await migrate(db)).toContain(17);
      expect(
        await db.query(
          'select returned_units, refunded::int as refunded, voided_at from orders where id = $1',
          [ID.order],
        ),
      ).toEqual([{ returned_units: 0, refunded: 0, voided_at: null }]);

      await db.query(
        `insert into order_returns(id, order_id, store_id, terminal_id, guide_id, seller_id, kind,
           reason, created_at, amount, units, request_hash)
         values ($1, $2, $3, $4, $5, $5, 'return', 'size', now(), 1000, 1, 'h')`,
        [ID.ret, ID.order, ID.store, ID.terminal, ID.guide],
      );
      await db.query(
        `insert into order_return_lines(return_id, order_id, line_no, quantity, amount)
         values ($1, $2, 1, 1, 1000)`,
        [ID.ret, ID.order],
      );
      // A line the order does not have is refused by the database too.
      await expect(
        db.query(
          `insert into order_return_lines(return_id, order_id, line_no, quantity, amount)
           values ($1, $2, 2, 1, 1000)`,
          [ID.ret, ID.order],
        ),
      ).rejects.toThrow();
    },
  );
});
