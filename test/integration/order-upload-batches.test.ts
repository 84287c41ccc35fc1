import { expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Order, StoreSummary } from '../../shared/protocol';
import type { TerminalPrincipal } from '../../server/auth/guards';
import { ensurePhoneHashKey } from '../../server/customers/phone-key';
import { FEED_TAIL_SLOTS, type Db } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { CHECKS_IN_FLIGHT } from '../../server/orders/lookups';
import { ingestOrders, type IngestOutcome } from '../../server/orders/service';
import { describeOnDatabases } from '../support/backends';

/**
 * Order uploads that arrive while a node's order transactions are all under way are stored
 * together, in one transaction of several stores' orders (server/orders/upload-batches.ts), and
 * each upload is answered as if it had been stored alone. On each database.
 *
 * The test holds the node's first FEED_TAIL_SLOTS transactions at a gate until the uploads under
 * test have all finished their checks and are waiting for a slot: so which uploads go together is
 * known, not left to timing.
 */

/**
 * The statements that check `n` uploads sent at once (server/orders/lookups.ts): the first
 * CHECKS_IN_FLIGHT go alone, the rest together in the next.
 */
const checkStatements = (n: number) => (n <= CHECKS_IN_FLIGHT ? n : CHECKS_IN_FLIGHT + 1);

const PRICE = 59_900;
const STOCK = 1_000;
/** 14:00 in Shanghai, 01:00 in New York: the order's store-local day */
const ORDER_AT = new Date(Date.UTC(2026, 11, 6, 6, 0));
/** 12:30 in Shanghai (the same day), 23:30 the day before in New York */
const VISIT_AT = new Date(Date.UTC(2026, 11, 6, 4, 30));

type Store = { id: string; terminalId: string; guideId: string; timezone: string };
type World = { db: Db; sku: string; productId: string; shanghai: Store; newYork: Store };

async function addStore(db: Db, productId: string, timezone: string): Promise<Store> {
  const store = { id: newId(), terminalId: newId(), guideId: newId(), timezone };
  await db.query(
    `insert into stores(id, name, timezone, lat, lng) values ($1, $2, $3, 31.2, 121.4)`,
    [store.id, `门店 ${timezone}`, timezone],
  );
  await db.query(
    `insert into terminals(id, store_id, name, token_hash) values ($1, $2, 'counter', $3)`,
    [store.terminalId, store.id, `hash-${store.terminalId}`],
  );
  await db.query(
    `insert into guides(id, store_id, name, role, pin_hash) values ($1, $2, '李娜', 'guide', 'x')`,
    [store.guideId, store.id],
  );
  await db.query(
    `insert into store_products(store_id, product_id, stock, seq) values ($1, $2, $3, nextval('change_seq'))`,
    [store.id, productId, STOCK],
  );
  return store;
}

async function setUp(db: Db): Promise<World> {
  await migrate(db);
  await ensurePhoneHashKey(db);
  const productId = newId();
  const sku = `SKU-B-${newId().slice(-8)}`;
  await db.query(
    `insert into products(id, sku, name, category, price) values ($1, $2, '真丝衬衫', '上装', $3)`,
    [productId, sku, PRICE],
  );
  const shanghai = await addStore(db, productId, 'Asia/Shanghai');
  const newYork = await addStore(db, productId, 'America/New_York');
  return { db, sku, productId, shanghai, newYork };
}

/** A member of `store` who arrived at VISIT_AT: her visit and its alert. */
async function arrived(w: World, store: Store) {
  const [customerId, visitId, alertId] = [newId(), newId(), newId()];
  await w.db.query(
    `insert into customers(id, seq, name, member_code, home_store_id)
     values ($1, nextval('change_seq'), '会员', $2, $3)`,
    [customerId, `MB${newId().slice(-12)}`, store.id],
  );
  await w.db.query(
    `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
     values ($1, $2, $3, 'wifi', $4, $4, $5)`,
    [visitId, store.id, customerId, VISIT_AT.toISOString(), alertId],
  );
  await w.db.query(
    `insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, card)
     values ($1, $2, $3, $4, 'wifi', $5, $6, '{}'::jsonb)`,
    [alertId, visitId, store.id, customerId, VISIT_AT.toISOString(), ORDER_AT.toISOString()],
  );
  return { customerId, visitId, alertId };
}

function sale(
  w: World,
  store: Store,
  extra: Partial<Order> = {},
  lines: Order['lines'] = [{ sku: w.sku, quantity: 1, unitPrice: PRICE, discount: 0 }],
): Order {
  return {
    id: newId(),
    storeId: store.id,
    terminalId: store.terminalId,
    guideId: store.guideId,
    paymentMethod: 'wechat',
    createdAt: ORDER_AT.toISOString(),
    lines,
    ...extra,
  };
}

const principal = (store: Store): TerminalPrincipal => ({
  storeId: store.id,
  terminalId: store.terminalId,
  name: 'counter',
});

/**
 * `db` whose transactions wait at a gate until `open()`, and which counts them and the queries
 * outside any transaction (the uploads' checks).
 */
function gated(db: Db) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const counts = { transactions: 0, atGate: 0, checksIssued: 0, checksRunning: 0 };
  /** per transaction that reached its tail: the orders it carried */
  const tails: number[] = [];
  const wrapped: Db = {
    kind: db.kind,
    async query(sql, params) {
      counts.checksIssued += 1;
      counts.checksRunning += 1;
      try {
        return await db.query(sql, params);
      } finally {
        counts.checksRunning -= 1;
      }
    },
    ping: () => db.ping(),
    close: () => db.close(),
    async transaction(fn) {
      counts.transactions += 1;
      counts.atGate += 1;
      await gate;
      return db.transaction((tx) => {
        let tailed = false;
        return fn({
          query(sql, params) {
            // How many orders the transaction's tail carried (its first call: a second one, after
            // a stale read, carries the same).
            if (sql.includes('order_batch_tail(') && !tailed) {
              tailed = true;
              tails.push((JSON.parse(String(params?.[0])) as unknown[]).length);
            }
            return tx.query(sql, params);
          },
        });
      });
    },
  };
  /** Waits (bounded) until `ready()` holds. */
  const until = async (what: string, ready: () => boolean) => {
    const deadline = Date.now() + 30_000;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    db: wrapped,
    counts,
    tails,
    open: () => open(),
    /** the node's order slots all taken: FEED_TAIL_SLOTS transactions waiting at the gate */
    slotsTaken: () => until('the slots to fill', () => counts.atGate >= FEED_TAIL_SLOTS),
    /**
     * Every upload sent so far has finished its checks: no check running and none issued over two
     * polls (an upload's second round of checks follows its first within a tick).
     */
    async checksDone() {
      let last = -1;
      await until('the checks to finish', () => {
        const settled = counts.checksRunning === 0 && counts.checksIssued === last;
        last = counts.checksIssued;
        return settled;
      });
    },
  };
}

/** The numbers in ascending order: which transaction reached its tail first is left to timing. */
const inAnyOrder = (numbers: readonly number[]) => [...numbers].sort((a, b) => a - b);

async function stockOf(w: World, store: Store): Promise<number> {
  const [row] = await w.db.query<{ stock: number }>(
    'select stock from store_products where store_id = $1 and product_id = $2',
    [store.id, w.productId],
  );
  return Number(row!.stock);
}

async function storedOrders(w: World, ids: string[]) {
  return w.db.query<{ id: string; store_id: string; visit_id: string | null; lines: number }>(
    `select o.id::text as id, o.store_id::text as store_id, o.visit_id::text as visit_id,
            (select count(*)::int from order_lines l where l.order_id = o.id) as lines
       from orders o where o.id = any($1::uuid[]) order by o.id`,
    [ids],
  );
}

/** Three uploads that take the node's three slots and wait at the gate. */
async function takeTheSlots(
  w: World,
  g: ReturnType<typeof gated>,
): Promise<Promise<IngestOutcome>[]> {
  const fillers = Array.from({ length: FEED_TAIL_SLOTS }, () =>
    ingestOrders(g.db, principal(w.shanghai), [sale(w, w.shanghai)]),
  );
  await g.slotsTaken();
  return fillers;
}

/** Sends the uploads at once while the slots are taken, then opens the gate: their outcomes. */
async function sendBehindTheGate(
  g: ReturnType<typeof gated>,
  fillers: Promise<IngestOutcome>[],
  uploads: { store: Store; orders: Order[] }[],
): Promise<IngestOutcome[]> {
  const answers = uploads.map((u) => ingestOrders(g.db, principal(u.store), u.orders));
  await g.checksDone();
  g.open();
  await Promise.all(fillers);
  return Promise.all(answers);
}

function batchSuite(w: World): void {
  it('uploads of two stores that arrive together: one transaction, each answered as if alone', async () => {
    const g = gated(w.db);
    const fillers = await takeTheSlots(w, g);
    const before = {
      shanghai: await stockOf(w, w.shanghai),
      newYork: await stockOf(w, w.newYork),
    };
    const sh = await arrived(w, w.shanghai);
    const ny = await arrived(w, w.newYork);
    // 12 walk-in sales per store, and each store's member buying from her arrival alert
    const walkIns = [w.shanghai, w.newYork].flatMap((s) =>
      Array.from({ length: 12 }, () => ({ store: s, order: sale(w, s) })),
    );
    const members = [
      {
        store: w.shanghai,
        order: sale(w, w.shanghai, { customerId: sh.customerId, alertId: sh.alertId }),
      },
      {
        store: w.newYork,
        order: sale(w, w.newYork, { customerId: ny.customerId, alertId: ny.alertId }),
      },
    ];
    const uploads = [...walkIns, ...members];
    const outcomes = await sendBehindTheGate(
      g,
      fillers,
      uploads.map((u) => ({ store: u.store, orders: [u.order] })),
    );

    // the uploads were checked together too: 3 statements for the 26, 3 for the fillers
    expect(g.counts.checksIssued).toBe(
      checkStatements(FEED_TAIL_SLOTS) + checkStatements(uploads.length),
    );
    // the three fillers alone, then the 26 uploads in one transaction of 26 orders
    expect(g.counts.transactions).toBe(FEED_TAIL_SLOTS + 1);
    // (on PostgreSQL the shared one may reach its tail before a filler still under way)
    expect(inAnyOrder(g.tails)).toEqual([1, 1, 1, 26]);
    for (const [i, outcome] of outcomes.entries()) {
      const { order } = uploads[i]!;
      expect(outcome.results).toEqual([{ id: order.id, status: 'accepted' }]);
      // every sale moved its store's stock; a member's sale also her summary on the feed
      expect(outcome.catalogCursor).not.toBeNull();
      expect(outcome.customersCursor === null).toBe(order.customerId === undefined);
      expect(outcome.stockShortfalls).toBe(0);
    }
    // Each store's day is its own: the Shanghai visit (12:30 there, the order at 14:00) converts
    // and its alert goes back to that upload only; New York's (23:30 the day before) does not.
    const [shOutcome, nyOutcome] = outcomes.slice(-2);
    expect(shOutcome!.alertUpdates).toEqual([
      expect.objectContaining({
        alertId: sh.alertId,
        status: 'converted',
        orderId: members[0]!.order.id,
      }),
    ]);
    expect(nyOutcome!.alertUpdates).toEqual([]);
    for (const o of outcomes.slice(0, -2)) expect(o.alertUpdates).toEqual([]);
    const rows = await storedOrders(
      w,
      uploads.map((u) => u.order.id),
    );
    expect(rows).toHaveLength(26);
    expect(rows.find((r) => r.id === members[0]!.order.id)!.visit_id).toBe(sh.visitId);
    expect(rows.find((r) => r.id === members[1]!.order.id)!.visit_id).toBeNull();
    expect(await stockOf(w, w.shanghai)).toBe(before.shanghai - 13 - FEED_TAIL_SLOTS);
    expect(await stockOf(w, w.newYork)).toBe(before.newYork - 13);
    const [summary] = await w.db.query<{ in_store: StoreSummary }>(
      'select in_store from customers where id = $1',
      [ny.customerId],
    );
    expect(summary!.in_store.storeOrders).toBe(1);
  });

  it('uploads of two stores checked in one statement: each upload judged on its own part', async () => {
    // one order stored before: resent below
    const resent = sale(w, w.newYork);
    await ingestOrders(w.db, principal(w.newYork), [resent]);
    const g = gated(w.db);
    const fillers = await takeTheSlots(w, g);
    const sh = await arrived(w, w.shanghai);
    const plain = [sale(w, w.shanghai), sale(w, w.newYork)];
    // the five below share one check statement (the two plain uploads go first, alone)
    const shared = [
      // Shanghai's member from her alert: converts
      {
        store: w.shanghai,
        orders: [sale(w, w.shanghai, { customerId: sh.customerId, alertId: sh.alertId })],
      },
      // New York naming its own guide: fine
      { store: w.newYork, orders: [sale(w, w.newYork)] },
      // Shanghai naming New York's guide (read in the same statement): not a guide of this store
      { store: w.shanghai, orders: [sale(w, w.shanghai, { guideId: w.newYork.guideId })] },
      // New York naming Shanghai's alert (read in the same statement): not an alert of this store
      { store: w.newYork, orders: [sale(w, w.newYork, { alertId: sh.alertId })] },
      // a resend beside a new order: the resend alone is a duplicate
      { store: w.newYork, orders: [resent, sale(w, w.newYork)] },
    ];
    const uploads = [
      ...plain.map((o) => ({
        store: o.storeId === w.shanghai.id ? w.shanghai : w.newYork,
        orders: [o],
      })),
      ...shared,
    ];
    const outcomes = await sendBehindTheGate(g, fillers, uploads);
    expect(g.counts.checksIssued).toBe(checkStatements(FEED_TAIL_SLOTS) + CHECKS_IN_FLIGHT + 1);
    const statuses = outcomes.map((o) =>
      o.results.map((r) => (r.status === 'rejected' ? r.code : r.status)),
    );
    expect(statuses).toEqual([
      ['accepted'],
      ['accepted'],
      ['accepted'],
      ['accepted'],
      ['guide_inactive'],
      ['alert_not_in_store'],
      ['duplicate', 'accepted'],
    ]);
    expect(outcomes[2]!.alertUpdates).toEqual([
      expect.objectContaining({ alertId: sh.alertId, status: 'converted' }),
    ]);
    const stored = await storedOrders(
      w,
      uploads.flatMap((u) => u.orders.map((o) => o.id)),
    );
    expect(stored).toHaveLength(6);
  });

  it('the same order in three uploads of one batch (one copy longer): stored once, as the copy that won', async () => {
    const g = gated(w.db);
    const fillers = await takeTheSlots(w, g);
    const stockBefore = await stockOf(w, w.newYork);
    const order = sale(w, w.newYork);
    const longer: Order = {
      ...order,
      lines: [...order.lines, { sku: w.sku, quantity: 2, unitPrice: PRICE, discount: 0 }],
    };
    const copies = [order, order, longer];
    const outcomes = await sendBehindTheGate(
      g,
      fillers,
      copies.map((o) => ({ store: w.newYork, orders: [o] })),
    );
    // one transaction carried the order once
    expect(g.tails).toEqual([1, 1, 1, 1]);
    // The copy whose checks finished first is stored (on PostgreSQL's pool that need not be
    // the first sent); the others are duplicates and hear nothing of what was stored.
    const statuses = outcomes.map((o) => o.results[0]!.status);
    expect([...statuses].sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
    const won = statuses.indexOf('accepted');
    expect(outcomes.map((o) => o.catalogCursor !== null)).toEqual(
      statuses.map((s) => s === 'accepted'),
    );
    const units = copies[won]!.lines.reduce((sum, l) => sum + l.quantity, 0);
    expect(await storedOrders(w, [order.id])).toEqual([
      expect.objectContaining({ id: order.id, lines: copies[won]!.lines.length }),
    ]);
    expect(await stockOf(w, w.newYork)).toBe(stockBefore - units);
  });

  it('an upload that fails the shared transaction fails alone: the others are stored on their own', async () => {
    const g = gated(w.db);
    const fillers = await takeTheSlots(w, g);
    // A terminal gone from the database between its upload's checks and the write (its order
    // names it, so the insert breaks the orders' foreign key): the whole shared transaction
    // fails, nothing of it is written, and each upload runs again alone.
    const ghost: Store = { ...w.newYork, terminalId: newId() };
    const good = [sale(w, w.shanghai), sale(w, w.newYork), sale(w, w.shanghai)];
    const bad = sale(w, ghost);
    const answers = [good[0]!, good[1]!, bad, good[2]!].map((o) =>
      ingestOrders(
        g.db,
        principal(o === bad ? ghost : o.storeId === w.shanghai.id ? w.shanghai : w.newYork),
        [o],
      ),
    );
    await g.checksDone();
    g.open();
    await Promise.all(fillers);
    const settled = await Promise.allSettled(answers);
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ code: '23503' });
    for (const [i, o] of [good[0]!, good[1]!, null, good[2]!].entries())
      if (o)
        expect((settled[i] as PromiseFulfilledResult<IngestOutcome>).value.results).toEqual([
          { id: o.id, status: 'accepted' },
        ]);
    // the fillers, the shared attempt of four (rolled back), then each of the four alone
    expect(inAnyOrder(g.tails)).toEqual([1, 1, 1, 1, 1, 1, 1, 4]);
    expect(
      (
        await storedOrders(
          w,
          [...good, bad].map((o) => o.id),
        )
      ).map((r) => r.id),
    ).toEqual(good.map((o) => o.id).sort());
    const moves = await w.db.query('select 1 from stock_movements where order_id = $1', [bad.id]);
    expect(moves).toEqual([]);
  });
}

describeOnDatabases('order uploads stored together', setUp, batchSuite);
