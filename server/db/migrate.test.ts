import { afterEach, describe, expect, it } from 'vitest';
import { openTestPglite } from '../../test/support/pglite-template';
import { migrate, migrations } from './migrate';
import type { Db } from './database';
import { MAX_ORDER_TOTAL_FEN, MAX_POINTS, MAX_SPEND_FEN } from '../../shared/domain/limits';
import { customerCard, customerProfile } from '../../shared/protocol';
import { customerFeedPage } from '../sync/feed-json';

describe('migrations', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('are numbered 1, 2, 3… without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  // Booting the embedded database takes seconds on a busy 2-core machine.
  it(
    'apply once on an empty database and are a no-op the second time',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      expect(await migrate(db)).toEqual(migrations.map((m) => m.version));
      expect(await migrate(db)).toEqual([]);
      const tables = await db.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public' order by 1",
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          'customers',
          'products',
          'store_products',
          'orders',
          'order_lines',
          'alerts',
          'visits',
          'footfall',
          'terminals',
          'guides',
          'stores',
        ]),
      );
    },
  );

  it(
    'v4 marks stored feed JSON out of range out of date; the feed then sends it clamped',
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db, 3);
      const poisoned = '0190b000-0000-7000-8000-000000000001';
      const fine = '0190b000-0000-7000-8000-000000000002';
      // Written by a hub before the limits: one order of 10,000 × 1e11 fen (issue #12).
      await db.query(
        `insert into customers (id, seq, name, member_code, points, in_store, feed_json, feed_json_seq)
         values ($1, 1, '甲', 'M1', 2100000000, $2::jsonb, '{"stale":true}', 1),
                ($3, 2, '乙', 'M2', 10, '{"storeOrders":1,"storeSpend":500,"lastPurchases":[]}',
                 '{"kept":true}', 2)`,
        [
          poisoned,
          JSON.stringify({
            storeOrders: 1,
            storeSpend: 1e15,
            lastPurchases: [
              {
                orderId: '0190b000-0000-7000-8000-0000000000aa',
                storeId: null,
                channel: 'store',
                at: '2026-11-01T08:00:00.000Z',
                total: 1e15,
                items: [{ sku: 'A', quantity: 10_000 }],
              },
            ],
          }),
          fine,
        ],
      );
      await db.query(`update customers set online = jsonb_set(online, '{onlineSpend}', '1')`);
      expect(await migrate(db, 4)).toEqual([4]);
      const rows = await db.query<{ id: string; feed_json_seq: string | null }>(
        'select id, feed_json_seq::text as feed_json_seq from customers order by seq',
      );
      // Only the row out of range is rewritten; the other keeps its JSON.
      expect(rows).toEqual([
        { id: poisoned, feed_json_seq: null },
        { id: fine, feed_json_seq: '2' },
      ]);
      // The feed is today's code, which reads tables of later migrations (v11: the binding).
      await migrate(db);
      const page = await customerFeedPage(db, { after: '0', limit: 1 });
      const [item] = JSON.parse(page.itemsJson.toString()) as unknown[];
      const profile = customerProfile.parse(item);
      expect(profile.lifetimeSpend).toBe(MAX_SPEND_FEN);
      expect(profile.points).toBe(MAX_POINTS);
      expect(profile.inStore.lastPurchases[0]!.total).toBe(MAX_ORDER_TOTAL_FEN);
    },
  );
  it(
    "v8 marks every stored feed JSON out of date and swaps alert cards' masked numbers for the 尾号",
    { timeout: 60_000 },
    async () => {
      db = await openTestPglite();
      await migrate(db, 5);
      const id = '0190b000-0000-7000-8000-000000000011';
      const storeId = '0190b000-0000-7000-8000-000000000012';
      const visitId = '0190b000-0000-7000-8000-000000000013';
      const hash = 'abc'.padEnd(64, '0');
      // Stored JSON as the previous hub wrote it: masked number and full hash inside.
      const oldJson = JSON.stringify({ id, phoneHash: hash, phoneMasked: '138****5678' });
      await db.query(
        `insert into customers (id, seq, name, member_code, phone_e164, phone_hash, birthday,
                                feed_json, feed_json_seq)
         values ($1, 1, '甲', 'M1', '+8613812345678', $2, '1990-03-14', $3, 1)`,
        [id, hash, oldJson],
      );
      await db.query(
        `insert into stores (id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 0, 0)`,
        [storeId],
      );
      await db.query(
        `insert into visits (id, store_id, customer_id, source, started_at, last_seen_at)
         values ($1, $2, $3, 'qr', now(), now())`,
        [visitId, storeId, id],
      );
      const card = (phoneMasked: string | null) =>
        JSON.stringify({
          customerId: id,
          name: '甲',
          tier: 'gold',
          phoneMasked,
          sizes: {},
          favouriteCategories: [],
          viewed: [],
          carted: [],
          wishlisted: [],
          lastPurchases: [],
          lifetimeSpend: 0,
        });
      for (const [alertId, masked] of [
        ['0190b000-0000-7000-8000-000000000021', '138****5678'],
        ['0190b000-0000-7000-8000-000000000022', null],
      ] as const)
        await db.query(
          `insert into alerts (id, visit_id, store_id, customer_id, source, raised_at, expires_at, card)
           values ($1, $2, $3, $4, 'qr', now(), now(), $5::jsonb)`,
          [alertId, visitId, storeId, id, card(masked)],
        );
      expect(await migrate(db)).toEqual(
        migrations.filter((m) => m.version > 5).map((m) => m.version),
      );
      const [row] = await db.query<{ feed_json_seq: string | null }>(
        'select feed_json_seq::text as feed_json_seq from customers',
      );
      expect(row!.feed_json_seq).toBeNull();
      // The page maps the row live: 尾号 + tag, month-day, nothing more of the number.
      const page = await customerFeedPage(db, { after: '0', limit: 10 });
      const text = page.itemsJson.toString();
      expect(text).not.toMatch(/phoneHash|phoneMasked|\*\*\*\*|abc0|1990/);
      const profile = customerProfile.parse((JSON.parse(text) as unknown[])[0]);
      expect(profile).toMatchObject({
        phoneLast4: '5678',
        phoneTag: 0xabc >> 1,
        birthday: '03-14',
      });
      const cards = await db.query<{ card: Record<string, unknown> }>(
        'select card from alerts order by id',
      );
      expect(cards.map((c) => customerCard.parse(c.card).phoneLast4)).toEqual(['5678', null]);
      expect(JSON.stringify(cards)).not.toContain('phoneMasked');
    },
  );

  it(
    'v9 keeps audit entries made before it (as terminal entries), lets admin entries name no terminal or store, and adds the reset flag',
    { timeout: 60_000 },
    async () => {
      db = await migrateTo8WithOneAuditEntry();
      expect(await migrate(db, 9)).toEqual([9]);
      const [old] = await db.query<{ source: string; terminal_id: string | null }>(
        'select source, terminal_id from audit_log',
      );
      expect(old).toEqual({ source: 'terminal', terminal_id: V9.terminal });
      const [guide] = await db.query<{ pin_change_required: boolean }>(
        'select pin_change_required from guides',
      );
      expect(guide!.pin_change_required).toBe(false);
      // An admin entry: no terminal, no store (an erasure concerns a chain-wide customer).
      await db.query(
        `insert into audit_log(id, store_id, terminal_id, guide_id, customer_id, action, source, at)
         values ('0190b000-0000-7000-8000-000000000093', null, null, null, $1, 'customer_erased',
                 'admin_rest', now())`,
        [V9.customer],
      );
      // An entry made for a terminal must still say where, and a made-up door is refused.
      for (const [source, terminal] of [
        ['terminal', null],
        ['hub', null],
        ['somebody', V9.terminal],
      ] as const)
        await expect(
          db.query(
            `insert into audit_log(id, store_id, terminal_id, action, source, at)
             values (gen_random_uuid(), $1, $2, 'sign_in', $3, now())`,
            [V9.store, terminal, source],
          ),
          source,
        ).rejects.toThrow();
    },
  );

  it(
    'v10 holds one binding per customer and an append-only trail of binding events',
    { timeout: 60_000 },
    async () => {
      db = await migrateTo8WithOneAuditEntry();
      expect(await migrate(db, 10)).toEqual([9, 10]);
      await db.query(
        `insert into customers (id, seq, name, member_code) values ($1, 1, 'C', 'M0001')`,
        [V9.customer],
      );
      const bind = (guide: string) =>
        db!.query(
          `insert into customer_bindings(customer_id, guide_id, store_id, rule, bound_at, last_contact_at)
           values ($1, $2, $3, 'registered_by', now(), now())`,
          [V9.customer, guide, V9.store],
        );
      await bind(V9.guide);
      await expect(bind(V9.guide), 'a second binding of the same customer').rejects.toThrow();
      const event = (kind: string) =>
        db!.query(
          `insert into customer_binding_events(id, customer_id, guide_id, store_id, event, at, source)
           values (gen_random_uuid(), $1, null, $2, $3, now(), 'hub')`,
          [V9.customer, V9.store, kind],
        );
      await event('released');
      await expect(event('forgotten'), 'an unknown event').rejects.toThrow();
      const rows = await db.query('select event from customer_binding_events');
      expect(rows).toEqual([{ event: 'released' }]);
    },
  );

  it(
    'v14 keeps products as they were (no style yet) and records each order line’s stock move once',
    { timeout: 60_000 },
    async () => {
      db = await migrateTo8WithOneAuditEntry();
      await migrate(db, 13);
      const product = '0190b000-0000-7000-8000-0000000000a1';
      await db.query(
        `insert into products (id, sku, name, category, size, price) values ($1, 'SH-M', '衬衫', '衬衫', 'M', 100)`,
        [product],
      );
      await db.query(
        `insert into store_products (store_id, product_id, stock, seq) values ($1, $2, 3, 1)`,
        [V9.store, product],
      );
      expect(await migrate(db, 14)).toEqual([14]);
      const [row] = await db.query<{ style_code: string | null; size_kind: string | null }>(
        'select style_code, size_kind from products',
      );
      expect(row).toEqual({ style_code: null, size_kind: null });
      await expect(
        db.query(`update products set size_kind = 'hat'`),
        'an unknown size kind',
      ).rejects.toThrow();
      const move = () =>
        db!.query(
          `insert into stock_movements (store_id, product_id, order_id, line_no, reason, quantity,
                                        stock_before, stock_after)
           values ($1, $2, '0190b000-0000-7000-8000-0000000000a2', 1, 'sale', 1, 3, 2)`,
          [V9.store, product],
        );
      await move();
      await expect(move(), 'the same line twice').rejects.toThrow();
    },
  );
});

const V9 = {
  store: '0190b000-0000-7000-8000-000000000090',
  terminal: '0190b000-0000-7000-8000-000000000091',
  guide: '0190b000-0000-7000-8000-000000000092',
  customer: '0190b000-0000-7000-8000-000000000094',
};

/** A v8 database with a store, a terminal, a guide and one profile view in the audit. */
async function migrateTo8WithOneAuditEntry(): Promise<Db> {
  const db = await openTestPglite();
  await migrate(db, 8);
  await db.query(
    `insert into stores (id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 0, 0)`,
    [V9.store],
  );
  await db.query(
    `insert into terminals (id, store_id, name, token_hash) values ($1, $2, 'T', 'x')`,
    [V9.terminal, V9.store],
  );
  await db.query(
    `insert into guides (id, store_id, name, role, pin_hash) values ($1, $2, 'G', 'guide', 'v')`,
    [V9.guide, V9.store],
  );
  await db.query(
    `insert into audit_log (id, store_id, terminal_id, guide_id, customer_id, action, at)
     values ('0190b000-0000-7000-8000-000000000095', $1, $2, $3, $4, 'profile_opened', now())`,
    [V9.store, V9.terminal, V9.guide, V9.customer],
  );
  return db;
}
