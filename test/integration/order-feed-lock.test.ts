import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Order } from '../../shared/protocol';
import { ensurePhoneHashKey } from '../../server/customers/phone-key';
import { CHANGE_FEED_LOCK, type Db } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { openPostgres } from '../../server/db/postgres';
import { ingestOrders } from '../../server/orders/service';
import { describeOnDatabases, describeOnPostgres } from '../support/backends';
import { freshPostgresDatabase } from '../support/services';

/**
 * Order upload takes the change-feed lock late (server/orders/store-batch.ts, feedLockedTail in
 * server/db/database.ts): its pre-phase runs while another transaction holds the lock, draws no
 * feed number before it has the lock, and a reader paging the feed by cursor while many uploads
 * commit never skips a row. In process, on each database.
 */

type World = {
  db: Db;
  storeId: string;
  terminalId: string;
  guideId: string;
  skus: string[];
  customers: string[];
};

const PRODUCTS = 3;
const CUSTOMERS = 12;

async function setUp(db: Db): Promise<World> {
  await migrate(db);
  await ensurePhoneHashKey(db);
  const [storeId, terminalId, guideId] = [newId(), newId(), newId()];
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
  const skus: string[] = [];
  for (let i = 0; i < PRODUCTS; i++) {
    const [productId, sku] = [newId(), `SKU-L-${newId().slice(-8)}`];
    skus.push(sku);
    await db.query(
      `insert into products(id, sku, name, category, price) values ($1, $2, '羊毛大衣', '外套', 129900)`,
      [productId, sku],
    );
    await db.query(
      `insert into store_products(store_id, product_id, stock, seq) values ($1, $2, 1000, nextval('change_seq'))`,
      [storeId, productId],
    );
  }
  const customers: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const id = newId();
    customers.push(id);
    await db.query(
      `insert into customers(id, seq, name, member_code, home_store_id)
       values ($1, nextval('change_seq'), $2, $3, $4)`,
      [id, `会员${i}`, `MB${newId().slice(-12)}`, storeId],
    );
  }
  return { db, storeId, terminalId, guideId, skus, customers };
}

function sale(w: World, n: number, lines = 1 + (n % 2)): Order {
  return {
    id: newId(),
    storeId: w.storeId,
    terminalId: w.terminalId,
    guideId: w.guideId,
    customerId: w.customers[n % w.customers.length]!,
    paymentMethod: 'wechat',
    createdAt: new Date().toISOString(),
    lines: Array.from({ length: lines }, (_, i) => ({
      sku: w.skus[(n + i) % w.skus.length]!,
      quantity: 1,
      unitPrice: 129_900,
      discount: 0,
    })),
  };
}

const principal = (w: World) => ({ storeId: w.storeId, terminalId: w.terminalId, name: 'counter' });

type FeedRow = { key: string; seq: string };

/** One page of the feed after `cursor`: customers and the store's catalog, by `seq`. */
async function feedPage(w: World, cursor: bigint, limit: number): Promise<FeedRow[]> {
  return w.db.query<FeedRow>(
    `select key, seq::text as seq from (
       select 'c:' || id::text as key, seq from customers where seq > $1
       union all
       select 'p:' || product_id::text, seq from store_products where store_id = $2 and seq > $1
     ) f order by seq limit $3`,
    [cursor.toString(), w.storeId, limit],
  );
}

function feedSuite(w: World): void {
  it('a reader paging the feed while uploads commit never skips a row', async () => {
    // Every version of a row the reader saw; the last version of each row must be among them.
    const seen = new Map<string, Set<string>>();
    let cursor = 0n;
    const readPage = async () => {
      const page = await feedPage(w, cursor, 7);
      for (const r of page) {
        const versions = seen.get(r.key) ?? new Set<string>();
        versions.add(r.seq);
        seen.set(r.key, versions);
        if (BigInt(r.seq) > cursor) cursor = BigInt(r.seq);
      }
      return page.length;
    };
    let writing = true;
    const reader = (async () => {
      while (writing) await readPage();
    })();
    const uploads = Array.from({ length: 48 }, (_, n) =>
      ingestOrders(w.db, principal(w), [sale(w, n)]),
    );
    const results = await Promise.all(uploads);
    writing = false;
    await reader;
    while ((await readPage()) > 0) {
      // catch up to the head
    }
    expect(results.flatMap((r) => r.results.map((x) => x.status))).toEqual(
      Array.from({ length: 48 }, () => 'accepted'),
    );
    const final = await feedPage(w, 0n, 10_000);
    const skipped = final.filter((r) => !seen.get(r.key)?.has(r.seq));
    expect(skipped).toEqual([]);
    const [stock] = await w.db.query<{ sold: number }>(
      `select (3000 - sum(stock))::int as sold from store_products where store_id = $1`,
      [w.storeId],
    );
    // 24 orders of one line, 24 of two.
    expect(stock!.sold).toBe(72);
  });

  it('stores an order uploaded concurrently (and a copy with an extra line) exactly once', async () => {
    const order = sale(w, 1, 1);
    const longer = { ...order, lines: [...order.lines, { ...order.lines[0]!, quantity: 2 }] };
    const [before] = await w.db.query<{ n: number }>(
      `select sum(stock)::int as n from store_products where store_id = $1`,
      [w.storeId],
    );
    const answers = await Promise.all([
      ingestOrders(w.db, principal(w), [order]),
      ingestOrders(w.db, principal(w), [order]),
      ingestOrders(w.db, principal(w), [longer]),
    ]);
    const statuses = answers.map((a) => a.results[0]!.status).sort();
    expect(statuses).toEqual(['accepted', 'duplicate', 'duplicate']);
    const [after] = await w.db.query<{ n: number }>(
      `select sum(stock)::int as n from store_products where store_id = $1`,
      [w.storeId],
    );
    const [stored] = await w.db.query<{ orders: number; lines: number; moves: number }>(
      `select (select count(*)::int from orders where id = $1) as orders,
                (select count(*)::int from order_lines where order_id = $1) as lines,
                (select count(*)::int from stock_movements where order_id = $1) as moves`,
      [order.id],
    );
    // Whichever copy won, its lines, and only its lines, moved stock.
    expect(stored!.orders).toBe(1);
    expect(stored!.moves).toBe(stored!.lines);
    expect(before!.n - after!.n).toBe(stored!.lines === 1 ? 1 : 3);
  });
}

describeOnDatabases('order upload and the change-feed lock, in process', setUp, feedSuite);

describeOnPostgres('order upload and the change-feed lock, another connection holding it', () => {
  let database: { url: string; drop(): Promise<void> };
  let w: World;
  beforeAll(async () => {
    database = await freshPostgresDatabase();
    w = await setUp(await openPostgres(database.url));
  });
  afterAll(async () => {
    await w.db.close();
    await database.drop();
  });

  it("runs an upload's pre-phase while another transaction holds the lock, and draws no seq before it", async () => {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock($1)', [CHANGE_FEED_LOCK]);
      const seqBefore = await lastSeq(holder);
      const upload = ingestOrders(w.db, principal(w), [sale(w, 5, 2)]);
      // The upload's backend, once it waits for the change-feed lock (in this database: pg_locks
      // shows the whole server, and another integration file's hubs take the same lock number).
      let waiter: number | null = null;
      const deadline = Date.now() + 30_000; // bounded by time, not a count of 25 ms steps
      while (waiter === null && Date.now() < deadline) {
        const rows = await holder.query<{ pid: number }>(
          `select pid from pg_locks
            where locktype = 'advisory' and objid = $1 and not granted
              and database = (select oid from pg_database where datname = current_database())`,
          [CHANGE_FEED_LOCK],
        );
        waiter = rows.rows[0]?.pid ?? null;
        if (waiter === null) await new Promise((r) => setTimeout(r, 25));
      }
      expect(waiter).not.toBeNull();
      const written = await holder.query<{ relname: string }>(
        `select distinct c.relname from pg_locks l join pg_class c on c.oid = l.relation
          where l.pid = $1 and l.granted and l.mode = 'RowExclusiveLock' and c.relkind = 'r'
          order by c.relname`,
        [waiter],
      );
      // The pre-phase wrote its stock movements and the customer's new binding…
      const tables = written.rows.map((r) => r.relname);
      expect(tables).toEqual(
        expect.arrayContaining(['customer_binding_events', 'customer_bindings', 'stock_movements']),
      );
      // …and nothing that draws a feed number (those tables come after the lock).
      for (const t of [
        'orders',
        'order_lines',
        'store_products',
        'customers',
        'customer_store_scope',
      ])
        expect(tables).not.toContain(t);
      expect(await lastSeq(holder)).toBe(seqBefore);
      await holder.query('commit');
      const answer = await upload;
      expect(answer.results[0]!.status).toBe('accepted');
      expect(BigInt(answer.customersCursor!)).toBeGreaterThan(BigInt(seqBefore));
    } finally {
      await holder.end();
    }
  });
});

async function lastSeq(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ v: string }>(
    'select last_value::text as v from change_seq',
  );
  return rows[0]!.v;
}
