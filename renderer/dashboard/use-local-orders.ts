import { liveQuery } from 'dexie';
import { useEffect, useState } from 'react';
import { orderTotals } from '../../shared/domain/money';
import { useServices } from '../app/services';
import type { TerminalDb } from '../data/database';
import { openOutboxEntries } from '../data/outbox-rows';

export type LocalOrders = { count: number; total: number; units: number };

/**
 * This terminal's orders still in the outbox. The hub's figures cannot include them yet, so the
 * dashboard shows them beside the figures, never added in (the hub would count them again once
 * they sync).
 */
export async function pendingLocalOrders(db: TerminalDb): Promise<LocalOrders> {
  const pending = await openOutboxEntries(
    db.sealer,
    await db.outbox.where('status').equals('pending').toArray(),
  );
  let count = 0;
  let total = 0;
  let units = 0;
  for (const entry of pending) {
    if (entry.kind !== 'order') continue;
    const t = orderTotals(entry.order.lines);
    count += 1;
    total += t.total;
    units += t.units;
  }
  return { count, total, units };
}

export function useLocalOrders(): LocalOrders | null {
  const { db } = useServices();
  const [orders, setOrders] = useState<LocalOrders | null>(null);
  useEffect(() => {
    // liveQuery re-runs when the outbox changes (an order confirmed, a batch synced).
    const subscription = liveQuery(() => pendingLocalOrders(db)).subscribe({
      next: setOrders,
      error: () => setOrders(null),
    });
    return () => subscription.unsubscribe();
  }, [db]);
  return orders;
}
