import type { Order, ProductItem } from '../../shared/protocol';
import type { TerminalDb } from './database';

/**
 * Stock truth on the terminal (issue #16, item 3). The hub moves a store's stock when it ingests
 * an order and sends the new figure through the catalog feed; until that figure is here, a sale
 * made on this terminal holds its units off the cached stock, so "本店有货" never promises what
 * was just sold — offline too.
 *
 * A hold is `pending` while its order waits in the outbox, `sent` once the hub has it (accepted,
 * or a duplicate of what it already had: either way its stock has moved), and goes when a catalog
 * pull that started after it was sent has reached the feed's head: the hub committed the move
 * before answering, so that pull brought the figure that includes the sale. A rejected order
 * moved nothing at the hub, so its hold goes at once. No personal data: SKU and units only.
 */
export type StockHoldRow = {
  orderId: string;
  sku: string;
  quantity: number;
  state: 'pending' | 'sent';
  /** when the hub's answer was recorded (ISO), null while pending */
  sentAt: string | null;
};

/** The rows a new order holds (one per SKU, lines of one SKU added up). */
export function holdRowsOf(order: Order): StockHoldRow[] {
  const units = new Map<string, number>();
  for (const line of order.lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
  return [...units].map(([sku, quantity]) => ({
    orderId: order.id,
    sku,
    quantity,
    state: 'pending',
    sentAt: null,
  }));
}

/**
 * Inside the caller's outbox transaction: the hub answered these orders. Accepted and duplicate
 * holds wait for the figure, rejected ones go.
 */
export async function settleHolds(
  db: TerminalDb,
  answered: readonly { id: string; synced: boolean }[],
  now: string,
): Promise<void> {
  if (answered.length === 0) return;
  const ids = new Set(answered.map((a) => a.id));
  const held = await db.stockHolds.filter((h) => ids.has(h.orderId)).toArray();
  if (held.length === 0) return;
  const synced = new Set(answered.filter((a) => a.synced).map((a) => a.id));
  await db.stockHolds.bulkDelete(
    held.filter((h) => !synced.has(h.orderId)).map((h): [string, string] => [h.orderId, h.sku]),
  );
  await db.stockHolds.bulkPut(
    held
      .filter((h) => synced.has(h.orderId) && h.state === 'pending')
      .map((h) => ({ ...h, state: 'sent' as const, sentAt: now })),
  );
}

/** A catalog pull that started at `startedAt` reached the feed's head: holds it covers go. */
export async function releaseHoldsCoveredBy(db: TerminalDb, startedAt: string): Promise<number> {
  return db.stockHolds
    .where('state')
    .equals('sent')
    .filter((h) => h.sentAt !== null && h.sentAt <= startedAt)
    .delete();
}

/** Holds the hub has confirmed whose figure no catalog pull has brought yet. */
export function sentHoldCount(db: TerminalDb): Promise<number> {
  return db.stockHolds.where('state').equals('sent').count();
}

/** Units held per SKU (few rows: this terminal's unsynced and just-synced sales). */
export async function heldUnits(db: TerminalDb): Promise<Map<string, number>> {
  const held = new Map<string, number>();
  for (const h of await db.stockHolds.toArray())
    held.set(h.sku, (held.get(h.sku) ?? 0) + h.quantity);
  return held;
}

/** The product with this terminal's own unconfirmed sales taken off its stock. */
export const withHolds = (product: ProductItem, held: ReadonlyMap<string, number>): ProductItem => {
  const units = held.get(product.sku);
  return units ? { ...product, stock: product.stock - units } : product;
};
