import type { StoreOrder } from '../../shared/protocol';
import type { OutboxReturn, TerminalDb } from './database';
import { productsBySku } from './catalog';
import { outboxEntry } from './outbox';
import { localReturnsOf } from './returns';

/** A hub answer as the sync engine gives it (ok with the value, or not). */
type HubAnswer<T> = { ok: true; value: T } | { ok: false };

export type AfterSaleLine = {
  lineNo: number;
  sku: string;
  name: string;
  /**
   * the hub's, or (from an older hub, whose order line has none, or offline) this terminal's
   * catalog's; null when neither has one
   */
  colour: string | null;
  size: string | null;
  quantity: number;
  unitPrice: number;
  discount: number;
  /** units returned so far (the hub's count, plus this counter's not yet sent) */
  returned: number;
};

export type AfterSaleOrder = {
  id: string;
  createdAt: string;
  customerId: string | null;
  voided: boolean;
  lines: AfterSaleLine[];
};

const sumByLine = (returns: readonly OutboxReturn[]) => {
  const units = new Map<number, number>();
  for (const r of returns)
    for (const l of r.orderReturn.lines)
      units.set(l.lineNo, (units.get(l.lineNo) ?? 0) + l.quantity);
  return units;
};

/**
 * An order as after-sale sees it: the hub's copy when it answers (any counter's order), else this
 * counter's own from its outbox (offline). Returns queued here and not yet at the hub are added
 * to what the hub counts; refused or given-up ones count for nothing.
 */
export async function loadAfterSaleOrder(
  db: TerminalDb,
  storeOrder: (id: string) => Promise<HubAnswer<StoreOrder>>,
  orderId: string,
): Promise<AfterSaleOrder | null> {
  const [hub, local, returns] = await Promise.all([
    storeOrder(orderId),
    outboxEntry(db, orderId),
    localReturnsOf(db, new Set([orderId])),
  ]);
  if (hub.ok) {
    const o = hub.value;
    const cached = await productsBySku(
      db,
      o.lines.map((l) => l.sku),
    );
    const pending = returns.filter((r) => r.status === 'pending');
    const added = sumByLine(pending);
    return {
      id: o.id,
      createdAt: o.createdAt,
      customerId: o.customerId,
      voided: (o.afterSale?.voided ?? false) || pending.some((r) => r.orderReturn.kind === 'void'),
      lines: o.lines.map((l, i) => ({
        lineNo: i + 1,
        sku: l.sku,
        name: l.name,
        colour: l.colour !== undefined ? l.colour : (cached.get(l.sku)?.colour ?? null),
        size: l.size,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        discount: l.discount,
        returned: (o.afterSale?.returnedByLine[i] ?? 0) + (added.get(i + 1) ?? 0),
      })),
    };
  }
  if (local?.kind !== 'order') return null;
  const counted = returns.filter((r) => r.status === 'pending' || r.status === 'synced');
  const returned = sumByLine(counted);
  const bySku = await productsBySku(
    db,
    local.order.lines.map((l) => l.sku),
  );
  return {
    id: local.order.id,
    createdAt: new Date(local.order.createdAt).toISOString(),
    customerId: local.order.customerId ?? null,
    voided: counted.some((r) => r.orderReturn.kind === 'void'),
    lines: local.order.lines.map((l, i) => ({
      lineNo: i + 1,
      sku: l.sku,
      name: bySku.get(l.sku)?.name ?? l.sku,
      colour: bySku.get(l.sku)?.colour ?? null,
      size: bySku.get(l.sku)?.size ?? null,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discount: l.discount,
      returned: returned.get(i + 1) ?? 0,
    })),
  };
}
