import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from './database';
import { migrate } from './migrate';
import { openTestPglite } from '../../test/support/pglite-template';

const ID = {
  customer: '0190b000-0000-7000-8000-0000000020a1',
  store: '0190b000-0000-7000-8000-0000000020a2',
  terminal: '0190b000-0000-7000-8000-0000000020a3',
  guide: '0190b000-0000-7000-8000-0000000020a4',
  edit1: '0190b000-0000-7000-8000-0000000020b1',
  edit2: '0190b000-0000-7000-8000-0000000020b2',
};

describe('migration 020 (profile edits)', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it(
    'adds the change log beside a v19 member, whose profile stays as it was; edits are numbered in the order received',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db, 19);
      await db.query(
        `insert into customers(id, seq, name, member_code, sizes, tags, notes)
         values ($1, 7, '会员甲', 'M20A', '{"top":"M"}', '["VIP"]', '老顾客')`,
        [ID.customer],
      );
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, '门店', 'Asia/Shanghai', 31.2, 121.4)`,
        [ID.store],
      );
      await db.query(
        `insert into terminals(id, store_id, name, token_hash) values ($1, $2, '1号', 'x')`,
        [ID.terminal, ID.store],
      );
      await db.query(
        `insert into guides(id, store_id, name, role, pin_hash) values ($1, $2, '王芳', 'guide', 'x')`,
        [ID.guide, ID.store],
      );

      expect(await migrate(db, 20)).toEqual([20]);
      const [member] = await db.query<{ sizes: unknown; tags: unknown; notes: string }>(
        'select sizes, tags, notes from customers where id = $1',
        [ID.customer],
      );
      expect(member).toEqual({ sizes: { top: 'M' }, tags: ['VIP'], notes: '老顾客' });
      for (const id of [ID.edit2, ID.edit1])
        await db.query(
          `insert into customer_profile_edits(id, customer_id, guide_id, store_id, terminal_id,
             fields, at)
           values ($1, $2, $3, $4, $5, '{"notes":"x"}', now())`,
          [id, ID.customer, ID.guide, ID.store, ID.terminal],
        );
      const order = await db.query<{ id: string }>(
        'select id::text as id from customer_profile_edits order by received_seq',
      );
      expect(order.map((r) => r.id)).toEqual([ID.edit2, ID.edit1]);
    },
  );
});
