import { orderReturn, type OrderReturn } from '../../shared/protocol';
import { err, ok, type Result } from '../../shared/result';
import { writeStrict, type OutboxReturn, type TerminalDb } from './database';
import { announceQueued, type CommandError } from './outbox';
import { openOutboxEntries, sealOutboxEntry } from './outbox-rows';
import type { StockHoldRow } from './stock-holds';

/**
 * Queues a void, return or exchange (#16 item 1), written with strict durability like an order:
 * "done" on screen survives a power cut, and the sync engine sends it once (the hub deduplicates
 * on its id). `skuOf` names each original line's SKU: the returned units go back on this
 * terminal's cached stock at once as negative holds (data/stock-holds.ts), settled like a sale's.
 */
export async function enqueueReturn(
  db: TerminalDb,
  input: unknown,
  skuOf: (lineNo: number) => string | undefined,
  now: Date = new Date(),
): Promise<Result<OutboxReturn, CommandError>> {
  const parsed = orderReturn.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid_input', message: parsed.error.message });
  const existing = await db.outbox.get(parsed.data.id);
  if (existing) return err({ code: 'invalid_input', message: 'id in use' });
  const entry: OutboxReturn = {
    id: parsed.data.id,
    kind: 'return',
    orderReturn: parsed.data,
    status: 'pending',
    createdAt: now.toISOString(),
    attempts: 0,
    lastAttemptAt: null,
    syncedAt: null,
    reason: null,
  };
  await writeStrict(db, [
    { table: 'outbox', rows: [await sealOutboxEntry(db.sealer, entry)] },
    { table: 'stockHolds', rows: returnHolds(parsed.data, skuOf) },
  ]);
  announceQueued(db);
  return ok(entry);
}

/** Units back on the shelf, as holds of negative quantity (one per SKU). */
function returnHolds(r: OrderReturn, skuOf: (lineNo: number) => string | undefined) {
  const units = new Map<string, number>();
  for (const l of r.lines) {
    const sku = skuOf(l.lineNo);
    if (sku) units.set(sku, (units.get(sku) ?? 0) + l.quantity);
  }
  return [...units].map(([sku, quantity]): StockHoldRow => ({
    orderId: r.id,
    sku,
    quantity: -quantity,
    state: 'pending',
    sentAt: null,
  }));
}

/**
 * This terminal's returns of the given orders that the hub may not count yet or that it refused
 * (pending, rejected), and the ones it has (synced) — for 今日订单's state offline.
 */
export async function localReturnsOf(
  db: TerminalDb,
  orderIds: ReadonlySet<string>,
): Promise<OutboxReturn[]> {
  const rows = await db.outbox
    .filter((row) => row.kind === 'return' && orderIds.has(row.orderReturn.orderId))
    .toArray();
  const entries = await openOutboxEntries(db.sealer, rows);
  return entries.filter((e): e is OutboxReturn => e.kind === 'return');
}

/** Returns still to send, among `ids`, opened (the drain's). */
export async function pendingReturnsAmong(
  db: TerminalDb,
  ids: readonly string[],
): Promise<OrderReturn[]> {
  const entries = await openOutboxEntries(db.sealer, await db.outbox.bulkGet([...ids]));
  return entries.flatMap((e) =>
    e.status === 'pending' && e.kind === 'return' ? [e.orderReturn] : [],
  );
}
