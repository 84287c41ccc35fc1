import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Order, StoreSummary } from '../../shared/protocol';
import { ensurePhoneHashKey } from '../../server/customers/phone-key';
import { ADVISORY_LOCKS } from '../../server/db/advisory-locks';
import type { Db, Queryable } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { TAIL_ROW_LOCK_TIMEOUT } from '../../server/db/migrations/028-order-tail-exact-check';
import { ingestOrders } from '../../server/orders/service';
import { describeOnDatabases, describeOnPostgres } from '../support/backends';
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

/** The SQLSTATE of each conflict the retry layer ran the batch again for, with the error. */
function retries() {
  const seen: { code: string; name: string; message: string }[] = [];
  const onRetry = (error: unknown) => {
    const e = error as { code?: string; name?: string; message?: string };
    seen.push({ code: String(e.code), name: String(e.name), message: String(e.message) });
  };
  return { seen, onRetry };
}

async function inStoreOf(w: World, customerId: string): Promise<StoreSummary> {
  const [row] = await w.db.query<{ in_store: StoreSummary }>(
    'select in_store from customers where id = $1',
    [customerId],
  );
  return row!.in_store;
}

async function movesOf(w: World, orderId: string) {
  return w.db.query<{ stock_before: number; stock_after: number }>(
    'select stock_before, stock_after from stock_movements where order_id = $1',
    [orderId],
  );
}

/** One sale of one unit stored exactly once: the stock, its one ledger row, the summary's count. */
async function expectOneSaleStored(
  w: World,
  orderId: string,
  customerId: string,
  stockBefore: number,
): Promise<void> {
  expect(await stockOf(w)).toBe(stockBefore - 1);
  expect(await movesOf(w, orderId)).toEqual([
    { stock_before: stockBefore, stock_after: stockBefore - 1 },
  ]);
  expect((await inStoreOf(w, customerId)).storeOrders).toBe(1);
}

/** A legacy summary field a JS double cannot hold (2^64 + 1 … beyond 2^53). */
const LEGACY_BIG = '18446744073709551617';

async function withLegacyNumber(w: World, customerId: string): Promise<void> {
  await w.db.query('update customers set in_store = $2::jsonb where id = $1', [
    customerId,
    `{"storeOrders": 0, "storeSpend": 0, "lastPurchases": [], "legacyPoints": ${LEGACY_BIG}}`,
  ]);
}

/** Stores `order` as a copy without stock movements would be (an order stored before 014). */
async function insertCopy(q: Queryable, w: World, order: Order): Promise<void> {
  await q.query(
    `insert into orders (id, store_id, terminal_id, guide_id, customer_id, payment_method,
                         created_at, total, units)
     values ($1, $2, $3, $4, $5, $6, $7, $8, 1)`,
    [
      order.id,
      w.storeId,
      w.terminalId,
      w.guideId,
      order.customerId,
      order.paymentMethod,
      order.createdAt,
      PRICE,
    ],
  );
}

function tailSuite(w: World): void {
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

  it('compares a summary holding a number beyond 2^53 exactly: stored at the first call', async () => {
    const customerId = await newCustomer(w);
    await withLegacyNumber(w, customerId);
    const stockBefore = await stockOf(w);
    const seen: string[] = [];
    const { seen: retried, onRetry } = retries();
    const order = sale(w, customerId, 30);
    const answer = await ingestOrders(recording(w.db, seen), principal(w), [order], onRetry);
    expect(answer.results[0]!.status).toBe('accepted');
    // Compared through a JS double, the figure never matched: stale at every call, 40001 forever.
    expect(retried).toEqual([]);
    expect(seen.filter(isTail)).toHaveLength(1);
    expect(await stockOf(w)).toBe(stockBefore - 1);
    const inStore = await inStoreOf(w, customerId);
    expect(inStore.storeOrders).toBe(1);
    expect(inStore.lastPurchases.map((p) => p.orderId)).toEqual([order.id]);
  });

  it('a stale read of such a summary is answered exactly too: the second call holds', async () => {
    const customerId = await newCustomer(w);
    await withLegacyNumber(w, customerId);
    const seen: string[] = [];
    let meddled = false;
    const db = recording(w.db, seen, async (sql, tx) => {
      if (!isTail(sql) || meddled) return;
      meddled = true;
      await tx.query(
        `update customers set in_store = jsonb_set(in_store, '{storeOrders}', '7') where id = $1`,
        [customerId],
      );
    });
    const { seen: retried, onRetry } = retries();
    const answer = await ingestOrders(db, principal(w), [sale(w, customerId, 31)], onRetry);
    expect(answer.results[0]!.status).toBe('accepted');
    // The stale answer's figures went back as the stored text, not through a JS number.
    expect(retried).toEqual([]);
    expect(seen.filter(isTail)).toHaveLength(2);
    expect((await inStoreOf(w, customerId)).storeOrders).toBe(8);
  });

  it("sets a lock_timeout for its row locks only: the transaction's own is back after the call", async () => {
    const customerId = await newCustomer(w);
    // `set local`: what a caller's own setting looks like; the tail must put it back, on
    // its writing path and on its stale answer alike.
    const shown = await w.db.transaction(async (tx) => {
      await tx.query("set local lock_timeout = '7s'");
      const empty = ['[]', '[]', '[]', '[]', '[]', '[]'];
      const [wrote] = await tx.query<{ stale: boolean }>(
        'select stale from order_batch_tail($1, $2, $3, $4, $5, $6)',
        empty,
      );
      const [afterWrite] = await tx.query<{ lock_timeout: string }>('show lock_timeout');
      const [staleAnswer] = await tx.query<{ stale: boolean }>(
        'select stale from order_batch_tail($1, $2, $3, $4, $5, $6)',
        [
          '[]',
          '[]',
          '[]',
          '[]',
          JSON.stringify([{ id: customerId, before_text: '{"storeOrders": 99}' }]),
          '[]',
        ],
      );
      const [afterStale] = await tx.query<{ lock_timeout: string }>('show lock_timeout');
      // The function's own setting, seen from inside: what its row locks run under.
      const [source] = await tx.query<{ src: string }>(
        "select prosrc as src from pg_proc where proname = 'order_batch_tail'",
      );
      return { wrote, afterWrite, staleAnswer, afterStale, source };
    });
    expect(shown.wrote!.stale).toBe(false);
    expect(shown.staleAnswer!.stale).toBe(true);
    expect(shown.afterWrite!.lock_timeout).toBe('7s');
    expect(shown.afterStale!.lock_timeout).toBe('7s');
    expect(shown.source!.src).toContain(
      `set_config('lock_timeout', '${TAIL_ROW_LOCK_TIMEOUT}', true)`,
    );
  });

  it('an order stored meanwhile without its movements: the tail raises 40001, the batch runs again', async () => {
    const customerId = await newCustomer(w);
    const stockBefore = await stockOf(w);
    const order = sale(w, customerId, 40);
    // Before the first tail, a copy of the order is stored without stock movements (the way an
    // order stored before migration 014 is): the tail's insert finds it. Here in the batch's
    // own transaction, so the retry finds it gone (PGlite has one connection; the committed
    // copy on PostgreSQL is below).
    const seen: string[] = [];
    let meddled = false;
    const db = recording(w.db, seen, async (sql, tx) => {
      if (!isTail(sql) || meddled) return;
      meddled = true;
      await insertCopy(tx, w, order);
    });
    const { seen: retried, onRetry } = retries();
    const answer = await ingestOrders(db, principal(w), [order], onRetry);
    expect(retried).toEqual([
      expect.objectContaining({
        code: '40001',
        message: expect.stringContaining('already stored') as unknown,
      }),
    ]);
    expect(answer.results[0]!.status).toBe('accepted');
    expect(seen.filter(isTail)).toHaveLength(2);
    // The first attempt left nothing: one sale, one movement, one order in the summary.
    await expectOneSaleStored(w, order.id, customerId, stockBefore);
  });

  it('stale at three calls in a row: StaleTail (40001) to the retry layer, which runs the batch again', async () => {
    const customerId = await newCustomer(w);
    const stockBefore = await stockOf(w);
    // A writer that ignored the feed lock could do this between the calls; a real one cannot
    // (the tail holds the rows `for update` from its first call), so it is written in the
    // batch's own transaction, before each of the first three calls.
    const seen: string[] = [];
    let meddles = 0;
    const db = recording(w.db, seen, async (sql, tx) => {
      if (!isTail(sql) || meddles >= 3) return;
      meddles += 1;
      await tx.query(
        'update store_products set stock = stock - 1 where store_id = $1 and product_id = $2',
        [w.storeId, w.productId],
      );
    });
    const { seen: retried, onRetry } = retries();
    const order = sale(w, customerId, 41);
    const answer = await ingestOrders(db, principal(w), [order], onRetry);
    expect(retried).toEqual([expect.objectContaining({ code: '40001', name: 'StaleTail' })]);
    expect(answer.results[0]!.status).toBe('accepted');
    // Three calls, rolled back with the meddling; one more in the second attempt.
    expect(seen.filter(isTail)).toHaveLength(4);
    await expectOneSaleStored(w, order.id, customerId, stockBefore);
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
}

describeOnDatabases('order batch tail: one statement under the change-feed lock', setUp, tailSuite);

/**
 * Real concurrency, on PostgreSQL's pool (a second connection): what PGlite's one connection
 * cannot show.
 */
describeOnPostgres('order batch tail: concurrent writers on a second connection', () => {
  let w: World;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const opened = await openFreshPostgres();
    drop = opened.drop;
    w = await setUp(opened.db);
  });
  afterAll(() => drop());

  it('a customer row held for key share by a transaction waiting for the feed lock: the tail gives up (55P03), not a 1 s deadlock', async () => {
    const customerId = await newCustomer(w);
    const stockBefore = await stockOf(w);
    // The blocker does what an insert referencing the customer does (its foreign key holds the row
    // `for key share`), then waits for the change-feed lock, which the tail holds while it waits
    // for that row: a cycle. Without a bound the tail waits until PostgreSQL's deadlock check
    // (deadlock_timeout, 1 s) aborts it with 40P01.
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    let tailWaits!: () => void;
    const waiting = new Promise<void>((resolve) => (tailWaits = resolve));
    const blocker = w.db.transaction(async (tx) => {
      await tx.query('select 1 from customers where id = $1 for key share', [customerId]);
      holding();
      await waiting;
      await tx.query('select pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.changeFeed]);
    });
    await held;
    const { seen: retried, onRetry } = retries();
    const order = sale(w, customerId, 50);
    const upload = ingestOrders(w.db, principal(w), [order], onRetry);
    // The tail waits for the customer row (holding the feed lock): then the blocker asks for it.
    try {
      const deadline = Date.now() + 30_000; // bounded by time, not by a count of 5 ms steps
      for (;;) {
        const [row] = await w.db.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()
              and wait_event_type = 'Lock' and query like '%order_batch_tail(%'`,
        );
        if (row!.n > 0) break;
        if (Date.now() > deadline) throw new Error('the tail never waited for the customer row');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      tailWaits();
    }
    await blocker; // it got the feed lock: the tail let go of it
    const answer = await upload;
    expect(answer.results[0]!.status).toBe('accepted');
    // 55P03, once unless the poll above missed the tail's first wait (then once per wait missed).
    expect(retried.length).toBeGreaterThan(0);
    expect(new Set(retried.map((r) => r.code))).toEqual(new Set(['55P03']));
    expect(await stockOf(w)).toBe(stockBefore - 1);
    expect((await inStoreOf(w, customerId)).storeOrders).toBe(1);
  });

  it('an order committed meanwhile without its movements: 40001 at every attempt, nothing of the batch written', async () => {
    const customerId = await newCustomer(w);
    const stockBefore = await stockOf(w);
    const order = sale(w, customerId, 51);
    // Between the upload's duplicate check and its tail, another connection commits a copy of
    // the order without stock movements (as an order stored before migration 014 is).
    const seen: string[] = [];
    let copied = false;
    const db = recording(w.db, seen, async (sql) => {
      if (!isTail(sql) || copied) return;
      copied = true;
      await insertCopy(w.db, w, order);
    });
    const { seen: retried, onRetry } = retries();
    await expect(ingestOrders(db, principal(w), [order], onRetry)).rejects.toMatchObject({
      code: '40001',
      message: expect.stringContaining('already stored') as unknown,
    });
    // Each attempt claimed the movements afresh, met the stored order in the tail and rolled back.
    expect(retried.map((r) => r.code)).toEqual(['40001', '40001', '40001']);
    expect(seen.filter(isTail)).toHaveLength(4);
    expect(await stockOf(w)).toBe(stockBefore);
    expect(await movesOf(w, order.id)).toEqual([]);
    expect((await inStoreOf(w, customerId)).storeOrders).toBe(0);
    const lines = await w.db.query('select 1 from order_lines where order_id = $1', [order.id]);
    expect(lines).toEqual([]);
  });
});
