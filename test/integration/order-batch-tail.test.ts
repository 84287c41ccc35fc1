import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Order, StoreSummary } from '../../shared/protocol';
import { ensurePhoneHashKey } from '../../server/customers/phone-key';
import type { Db, Queryable } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { ingestOrders } from '../../server/orders/service';
import { describeOnPostgres } from '../support/backends';
import { openTestPglite } from '../support/pglite-template';
import { openFreshPostgres } from '../support/services';

/**
 * An order batch's tail under the change-feed lock is one statement, `order_batch_tail`
 * (migration 027, server/orders/store-batch.ts): the stock and the customers' summaries are read
 * before the lock and checked after it. A read gone stale in between (another upload committed)
 * is computed again under the lock, so concurrent uploads for one customer and one product still
 * end with the exact stock, ledger and summary. On each database.
 */

type World = {
  db: Db;
  storeId: string;
  terminalId: string;
  guideId: string;
  productId: string;
  sku: string;
};

const STOCK = 500;
const PRICE = 129_900;

async function setUp(db: Db): Promise<World> {
  await migrate(db);
  await ensurePhoneHashKey(db);
  const [storeId, terminalId, guideId, productId] = [newId(), newId(), newId(), newId()];
  const sku = `SKU-T-${newId().slice(-8)}`;
  await db.query(
    `insert into stores(id, name, timezone, lat, lng) values ($1, '上海静安店', 'Asia/Shanghai', 31.2, 121.4)`,
    [storeId],
  );
  await db.query(
    `insert into terminals(id, store_id, name, token_hash) values ($1, $2, 'counter', $3)`,
    [terminalId, storeId, `hash-${terminalId}`],
  );
  await db.query(
    `insert into guides(id, store_id, name, role, pin_hash) values ($1, $2, '李娜', 'guide', 'x')`,
    [guideId, storeId],
  );
  await db.query(
    `insert into products(id, sku, name, category, price) values ($1, $2, '羊毛大衣', '外套', $3)`,
    [productId, sku, PRICE],
  );
  await db.query(
    `insert into store_products(store_id, product_id, stock, seq) values ($1, $2, $3, nextval('change_seq'))`,
    [storeId, productId, STOCK],
  );
  return { db, storeId, terminalId, guideId, productId, sku };
}

async function newCustomer(w: World): Promise<string> {
  const id = newId();
  await w.db.query(
    `insert into customers(id, seq, name, member_code, home_store_id)
     values ($1, nextval('change_seq'), '会员', $2, $3)`,
    [id, `MB${newId().slice(-12)}`, w.storeId],
  );
  return id;
}

async function stockOf(w: World): Promise<number> {
  const [row] = await w.db.query<{ stock: number }>(
    'select stock from store_products where store_id = $1 and product_id = $2',
    [w.storeId, w.productId],
  );
  return Number(row!.stock);
}

function sale(w: World, customerId: string, minute: number): Order {
  return {
    id: newId(),
    storeId: w.storeId,
    terminalId: w.terminalId,
    guideId: w.guideId,
    customerId,
    paymentMethod: 'wechat',
    createdAt: new Date(Date.UTC(2026, 11, 5, 10, minute)).toISOString(),
    lines: [{ sku: w.sku, quantity: 1, unitPrice: PRICE, discount: 0 }],
  };
}

const principal = (w: World) => ({ storeId: w.storeId, terminalId: w.terminalId, name: 'counter' });

/**
 * `db` whose transactions report each statement to `seen` and may run `before(sql, tx)` first
 * (in the same transaction).
 */
function recording(
  db: Db,
  seen: string[],
  before?: (sql: string, tx: Queryable) => Promise<void>,
): Db {
  return {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    ping: () => db.ping(),
    close: () => db.close(),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          async query(sql, params) {
            if (before) await before(sql, tx);
            seen.push(sql);
            return tx.query(sql, params);
          },
        }),
      ),
  };
}

const isTail = (sql: string) => sql.includes('order_batch_tail(');

function tailSuite(open: () => Promise<{ db: Db; drop(): Promise<void> }>) {
  return () => {
    let w: World;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const opened = await open();
      drop = opened.drop;
      w = await setUp(opened.db);
    });
    afterAll(() => drop());

    it('takes the lock in one statement, the last of the transaction: no lock or number before it', async () => {
      const customerId = await newCustomer(w);
      const seen: string[] = [];
      const answer = await ingestOrders(recording(w.db, seen), principal(w), [
        sale(w, customerId, 1),
      ]);
      expect(answer.results[0]!.status).toBe('accepted');
      // After the lock: the one call (and the commit, which the transaction sends itself).
      expect(seen.filter(isTail)).toHaveLength(1);
      expect(isTail(seen.at(-1)!)).toBe(true);
      for (const sql of seen.slice(0, -1)) {
        expect(sql).not.toMatch(/pg_advisory_xact_lock|nextval|for update/);
      }
      expect(answer.customersCursor).not.toBeNull();
      expect(answer.catalogCursor).not.toBeNull();
    });

    it('finds a read gone stale under the lock and computes the batch again from the new figures', async () => {
      const customerId = await newCustomer(w);
      const first = await ingestOrders(w.db, principal(w), [sale(w, customerId, 2)]);
      expect(first.results[0]!.status).toBe('accepted');
      const stockBefore = await stockOf(w);
      // Between the batch's read and its tail, "another upload" sells 5 and adds an order to the
      // customer's summary (here in the same transaction: it works alike on PGlite's one connection).
      const seen: string[] = [];
      let meddled = false;
      const db = recording(w.db, seen, async (sql, tx) => {
        if (!isTail(sql) || meddled) return;
        meddled = true;
        await tx.query(
          'update store_products set stock = stock - 5 where store_id = $1 and product_id = $2',
          [w.storeId, w.productId],
        );
        await tx.query(
          `update customers set in_store = jsonb_set(jsonb_set(in_store, '{storeOrders}', '7'),
                  '{storeSpend}', '700') where id = $1`,
          [customerId],
        );
      });
      const order = sale(w, customerId, 3);
      const answer = await ingestOrders(db, principal(w), [order]);
      expect(answer.results[0]!.status).toBe('accepted');
      expect(seen.filter(isTail)).toHaveLength(2);
      expect(await stockOf(w)).toBe(stockBefore - 5 - 1);
      const [move] = await w.db.query<{ stock_before: number; stock_after: number }>(
        'select stock_before, stock_after from stock_movements where order_id = $1',
        [order.id],
      );
      expect(move).toEqual({ stock_before: stockBefore - 5, stock_after: stockBefore - 6 });
      const [row] = await w.db.query<{ in_store: StoreSummary }>(
        'select in_store from customers where id = $1',
        [customerId],
      );
      expect(row!.in_store.storeOrders).toBe(8);
      expect(row!.in_store.storeSpend).toBe(700 + PRICE);
      expect(row!.in_store.lastPurchases.map((p) => p.orderId)).toEqual([
        order.id,
        first.results[0]!.id,
      ]);
    });

    it('ten concurrent uploads for one customer and one product: exact stock, ledger and summary', async () => {
      const customerId = await newCustomer(w);
      const stockBefore = await stockOf(w);
      const orders = Array.from({ length: 10 }, (_, i) => sale(w, customerId, 10 + i));
      const answers = await Promise.all(orders.map((o) => ingestOrders(w.db, principal(w), [o])));
      expect(answers.map((a) => a.results[0]!.status)).toEqual(orders.map(() => 'accepted'));
      expect(await stockOf(w)).toBe(stockBefore - 10);
      // The ledger is one chain: each sale starts from the figure the previous one left.
      const ledger = await w.db.query<{ stock_before: number; stock_after: number }>(
        `select stock_before, stock_after from stock_movements
          where order_id = any($1::uuid[]) order by stock_before desc`,
        [orders.map((o) => o.id)],
      );
      expect(ledger).toEqual(
        Array.from({ length: 10 }, (_, i) => ({
          stock_before: stockBefore - i,
          stock_after: stockBefore - i - 1,
        })),
      );
      const [row] = await w.db.query<{ in_store: StoreSummary }>(
        'select in_store from customers where id = $1',
        [customerId],
      );
      expect(row!.in_store.storeOrders).toBe(10);
      expect(row!.in_store.storeSpend).toBe(10 * PRICE);
      expect(row!.in_store.lastPurchases.map((p) => p.orderId)).toEqual(
        [...orders].reverse().map((o) => o.id),
      );
    });
  };
}

describe(
  'order batch tail: one statement under the change-feed lock (PGlite)',
  tailSuite(async () => {
    const db = await openTestPglite({ migrated: true });
    return { db, drop: () => db.close() };
  }),
);

describeOnPostgres(
  'order batch tail: one statement under the change-feed lock',
  tailSuite(async () => {
    const { db, drop } = await openFreshPostgres();
    return { db, drop };
  }),
);
