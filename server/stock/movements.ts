import type { Queryable } from '../db/database';

/** One order line's effect on a store's stock: `quantity` units out (sale) or back in (return). */
export type StockMove = {
  storeId: string;
  productId: string;
  orderId: string;
  lineNo: number;
  reason: 'sale' | 'return';
  quantity: number;
};

/** What a batch of moves did: the catalog feed's new head, and sales the books could not cover. */
export type StockOutcome = {
  /** highest `store_products.seq` drawn (for `catalog:changed`), null when nothing moved */
  cursor: string | null;
  /** lines sold beyond the store's stock (recorded; the hub logs their count) */
  shortfalls: number;
};

/**
 * The stock rule. A sale takes its units off; when the store's books hold fewer than were sold
 * (a miscount, goods never booked in), the sale still happened, so the stock goes to 0 and the
 * movement records the `shortfall`. A sale never raises a count head office set below zero
 * (sold ahead of a delivery) and never takes it further down. A return puts its units back.
 */
export function stockAfter(
  before: number,
  reason: StockMove['reason'],
  quantity: number,
): { after: number; shortfall: number } {
  if (reason === 'return') return { after: before + quantity, shortfall: 0 };
  const after = Math.max(before - quantity, Math.min(before, 0));
  return { after, shortfall: quantity - (before - after) };
}

/**
 * Applies sales (and returns) to `store_products` inside the caller's transaction, which must
 * hold the change-feed lock (each moved row draws a new `seq`, so the store's catalog feed
 * carries the new figure). Exactly once per (order, line, reason): see `claimStockMoves`.
 */
export async function applyStockMoves(
  tx: Queryable,
  moves: readonly StockMove[],
): Promise<StockOutcome> {
  return settleStockMoves(tx, moves, await claimStockMoves(tx, moves));
}

/** A movement's unique key, as `claimStockMoves` returns it. */
export const moveKey = (m: Pick<StockMove, 'orderId' | 'lineNo' | 'reason'>) =>
  `${m.orderId}|${m.lineNo}|${m.reason}`;

/**
 * Records the movements (figures still 0) and returns the keys of those inserted now. The
 * movement goes in first with `on conflict do nothing`, so only lines inserted now move stock —
 * an order the outbox retries cannot move it twice, whatever happened to its first answer; a
 * concurrent copy waits here for the first to commit (or roll back). Draws no `change_seq`
 * number and locks only the new rows: the orders path runs it before the change-feed lock.
 */
export async function claimStockMoves(
  tx: Queryable,
  moves: readonly StockMove[],
): Promise<Set<string>> {
  if (moves.length === 0) return new Set();
  const fresh = await tx.query<{ order_id: string; line_no: number; reason: string }>(
    `insert into stock_movements (store_id, product_id, order_id, line_no, reason, quantity,
                                  stock_before, stock_after, shortfall)
     select x.store_id, x.product_id, x.order_id, x.line_no, x.reason, x.quantity, 0, 0, 0
       from jsonb_to_recordset($1::jsonb) as x(store_id uuid, product_id uuid, order_id uuid,
            line_no int, reason text, quantity int)
      order by x.order_id, x.line_no
     on conflict (order_id, line_no, reason) do nothing
     returning order_id::text as order_id, line_no, reason`,
    [
      JSON.stringify(
        moves.map((m) => ({
          store_id: m.storeId,
          product_id: m.productId,
          order_id: m.orderId,
          line_no: m.lineNo,
          reason: m.reason,
          quantity: m.quantity,
        })),
      ),
    ],
  );
  return new Set(
    fresh.map((r) =>
      moveKey({ orderId: r.order_id, lineNo: r.line_no, reason: r.reason as StockMove['reason'] }),
    ),
  );
}

/** A (store, product) pair's key in the maps below. */
const stockKey = (m: Pick<StockMove, 'storeId' | 'productId'>) => `${m.storeId}|${m.productId}`;

/** The (store, product) pairs the claimed moves touch, sorted: the order their rows are locked in. */
export function stockKeys(moves: readonly StockMove[]): { storeId: string; productId: string }[] {
  return [...new Set(moves.map(stockKey))].sort().map((k) => {
    const [storeId, productId] = k.split('|') as [string, string];
    return { storeId, productId };
  });
}

/**
 * The stores' current figures for `keys` (`stockKey` → stock; a pair without a row is absent).
 * `forUpdate` locks the rows in key order (needs the change-feed lock: see `settleStockMoves`);
 * without it this is a plain read, which the orders path makes before the lock and has
 * `order_batch_tail` check after it (migration 027).
 */
export async function readStock(
  tx: Queryable,
  keys: readonly { storeId: string; productId: string }[],
  forUpdate: boolean,
): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const current = await tx.query<{ store_id: string; product_id: string; stock: number }>(
    `select sp.store_id::text as store_id, sp.product_id::text as product_id, sp.stock
       from store_products sp
       join jsonb_to_recordset($1::jsonb) as x(store_id uuid, product_id uuid)
         on sp.store_id = x.store_id and sp.product_id = x.product_id
      order by sp.store_id, sp.product_id${forUpdate ? '\n        for update of sp' : ''}`,
    [JSON.stringify(keys.map((k) => ({ store_id: k.storeId, product_id: k.productId })))],
  );
  return new Map(current.map((r) => [`${r.store_id}|${r.product_id}`, Number(r.stock)]));
}

/** One movement's figures, as `stock_movements` records them. */
export type LedgerLine = {
  order_id: string;
  line_no: number;
  reason: string;
  stock_before: number;
  stock_after: number;
  shortfall: number;
};

/**
 * What the claimed moves do to the stock, computed from `stock` (`readStock`'s answer): the
 * ledger, each pair's figure before (`null`: no row) and after, and the shortfalls. No I/O.
 */
export type StockPlan = {
  ledger: LedgerLine[];
  stock: { store_id: string; product_id: string; before: number | null; stock: number }[];
  shortfalls: number;
};

export function planStockMoves(
  moves: readonly StockMove[],
  fresh: ReadonlySet<string>,
  stock: ReadonlyMap<string, number>,
): StockPlan {
  const claimed = moves.filter((m) => fresh.has(moveKey(m)));
  // Lines in a fixed order, each from the figure the previous one left.
  const ledger: LedgerLine[] = [];
  const moved = new Map<string, number>();
  let shortfalls = 0;
  for (const m of [...claimed].sort((a, b) =>
    a.orderId === b.orderId ? a.lineNo - b.lineNo : a.orderId < b.orderId ? -1 : 1,
  )) {
    const key = stockKey(m);
    // A product without a row in this store (cannot happen: every store gets one) counts from 0.
    const before = moved.get(key) ?? stock.get(key) ?? 0;
    const { after, shortfall } = stockAfter(before, m.reason, m.quantity);
    if (shortfall > 0) shortfalls += 1;
    moved.set(key, after);
    ledger.push({
      order_id: m.orderId,
      line_no: m.lineNo,
      reason: m.reason,
      stock_before: before,
      stock_after: after,
      shortfall,
    });
  }
  return {
    ledger,
    stock: stockKeys(claimed).map((k) => ({
      store_id: k.storeId,
      product_id: k.productId,
      before: stock.get(stockKey(k)) ?? null,
      stock: moved.get(stockKey(k))!,
    })),
    shortfalls,
  };
}

/**
 * Moves the stock for the claimed lines (`fresh`, from `claimStockMoves`): locks the stores'
 * rows, computes each line from the figure the previous one left, writes the movements' figures
 * and the new stock with a new `seq` in one statement. Needs the change-feed lock. (The orders
 * path does the same in `order_batch_tail`, from a read made before the lock.)
 */
export async function settleStockMoves(
  tx: Queryable,
  moves: readonly StockMove[],
  fresh: ReadonlySet<string>,
): Promise<StockOutcome> {
  const claimed = moves.filter((m) => fresh.has(moveKey(m)));
  if (claimed.length === 0) return { cursor: null, shortfalls: 0 };
  // Rows locked in (store, product) order: two batches that touch the same products wait on
  // each other instead of deadlocking (they also share the change-feed lock).
  const plan = planStockMoves(claimed, fresh, await readStock(tx, stockKeys(claimed), true));
  const [row] = await tx.query<{ seq: string | null }>(
    `with ledger as (
       update stock_movements sm
          set stock_before = x.stock_before, stock_after = x.stock_after, shortfall = x.shortfall
         from jsonb_to_recordset($1::jsonb) as x(order_id uuid, line_no int, reason text,
              stock_before int, stock_after int, shortfall int)
        where sm.order_id = x.order_id and sm.line_no = x.line_no and sm.reason = x.reason),
     moved as (
       insert into store_products (store_id, product_id, stock, seq)
       select x.store_id, x.product_id, x.stock, nextval('change_seq')
         from jsonb_to_recordset($2::jsonb) as x(store_id uuid, product_id uuid, stock int)
        order by x.store_id, x.product_id
       on conflict (store_id, product_id)
       do update set stock = excluded.stock, seq = excluded.seq
       returning seq)
     select max(seq)::text as seq from moved`,
    [JSON.stringify(plan.ledger), JSON.stringify(plan.stock)],
  );
  return { cursor: row?.seq ?? null, shortfalls: plan.shortfalls };
}
