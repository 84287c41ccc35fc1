import type { OutboxOrder, TerminalDb } from './database';
import { openOutboxEntries } from './outbox-rows';

/**
 * This terminal's orders taken in `[from, to)`, newest first, whatever their sync state: the
 * outbox keeps every order until the hub has had it for 30 days (retention.ts), so a day's own
 * orders are readable offline. A scan of the outbox: a month of one counter's orders at most.
 */
export async function localOrdersBetween(
  db: TerminalDb,
  from: Date,
  to: Date,
): Promise<OutboxOrder[]> {
  const rows = await db.outbox.filter((row) => row.kind === 'order').toArray();
  const entries = await openOutboxEntries(db.sealer, rows);
  const at = (e: OutboxOrder) => Date.parse(e.order.createdAt);
  return entries
    .filter(
      (e): e is OutboxOrder =>
        e.kind === 'order' && at(e) >= from.getTime() && at(e) < to.getTime(),
    )
    .sort((a, b) => at(b) - at(a));
}
