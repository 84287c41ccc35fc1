import { afterEach, describe, expect, it } from 'vitest';
import { customerProfile } from '../../shared/protocol';
import { customerFeedPage } from '../sync/feed-json';
import type { Db } from './database';
import { migrate } from './migrate';
import { openTestPglite } from '../../test/support/pglite-template';

const ID = {
  store: '0190b000-0000-7000-8000-0000000011a0',
  guide: '0190b000-0000-7000-8000-0000000011a1',
  customer: '0190b000-0000-7000-8000-0000000011a2',
};

describe('migration 013 (the binding in the customer feed)', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it(
    'marks stored feed JSON out of date, numbers the trail in written order, and the feed then carries the binding',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db, 12);
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, '店', 'Asia/Shanghai', 31, 121)`,
        [ID.store],
      );
      await db.query(
        `insert into guides(id, store_id, name, role, pin_hash) values ($1, $2, '李娜', 'guide', 'x')`,
        [ID.guide, ID.store],
      );
      // Stored JSON as a v12 hub wrote it (no binding in it), current for its seq.
      await db.query(
        `insert into customers(id, seq, name, member_code, feed_json, feed_json_seq)
         values ($1, 7, '会员', 'M11', '{"old":true}', 7)`,
        [ID.customer],
      );
      await db.query(
        `insert into customer_bindings(customer_id, guide_id, store_id, rule, bound_at, last_contact_at)
         values ($1, $2, $3, 'registered_by', '2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z')`,
        [ID.customer, ID.guide, ID.store],
      );
      for (const [n, event, guide] of [
        ['1', 'bound', ID.guide],
        ['2', 'released', null],
        ['3', 'bound', ID.guide],
      ] as const)
        await db.query(
          `insert into customer_binding_events(id, customer_id, guide_id, store_id, event, at, source)
           values ($1, $2, $3, $4, $5, '2026-03-01T10:00:00Z', 'hub')`,
          [`0190b000-0000-7000-8000-00000000110${n}`, ID.customer, guide, ID.store, event],
        );

      expect(await migrate(db, 13)).toEqual([13]);
      const [row] = await db.query<{ feed_json_seq: string | null }>(
        'select feed_json_seq::text as feed_json_seq from customers',
      );
      expect(row!.feed_json_seq).toBeNull();
      const trail = await db.query<{ event: string }>(
        'select event from customer_binding_events order by at, ordinal',
      );
      expect(trail.map((e) => e.event)).toEqual(['bound', 'released', 'bound']);
      // The feed as today's hub builds it (later migrations add tables it reads, e.g. consents).
      await migrate(db);
      const page = await customerFeedPage(db, { after: '0', limit: 10 });
      const [item] = JSON.parse(page.itemsJson.toString()) as unknown[];
      expect(customerProfile.parse(item).binding).toEqual({
        guideId: ID.guide,
        guideName: '李娜',
        since: '2026-03-01T10:00:00.000Z',
      });
    },
  );
});
