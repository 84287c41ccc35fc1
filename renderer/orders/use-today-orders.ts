import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';
import { useCallback, useEffect, useState } from 'react';
import { orderTotals } from '../../shared/domain/money';
import type { PaymentMethod, StoreOrder } from '../../shared/protocol';
import { useServices } from '../core/services';
import { activeGuides } from '../data/staff';
import { localOrdersBetween } from '../data/local-orders';
import type { OutboxOrder } from '../data/outbox';
import { localReturnsOf } from '../data/returns';

/** What after-sale did to an order so far (#16): nothing, some units back, all back, voided. */
export type AfterSaleState = 'none' | 'partial' | 'returned' | 'voided';

export type TodayScope = 'terminal' | 'store';
/** `hub`: at head office (read from the hub); the others are this counter's outbox states. */
export type TodayStatus = 'hub' | 'synced' | 'pending' | 'rejected' | 'discarded';

export type TodayOrder = {
  id: string;
  createdAt: string;
  terminalName: string;
  /** taken on this counter: it has a receipt screen here (reprint, sync state) */
  mine: boolean;
  guideId: string;
  guideName: string;
  paymentMethod: PaymentMethod;
  total: number;
  units: number;
  status: TodayStatus;
  afterSale: AfterSaleState;
  /** the hub's copy (other counters' orders open from it) */
  remote: StoreOrder | null;
};

export type TodayView = {
  state: 'loading' | 'ready';
  orders: TodayOrder[];
  /** the hub could not be asked: only this counter's orders are shown */
  offline: boolean;
};

/** `[local midnight, next local midnight)` of the store's today. */
export function storeToday(now: Date, timezone: string): { from: Date; to: Date; date: string } {
  const local = new TZDate(now.getTime(), timezone);
  const midnight = new TZDate(local.getFullYear(), local.getMonth(), local.getDate(), timezone);
  return {
    from: new Date(midnight.getTime()),
    to: new Date(addDays(midnight, 1).getTime()),
    date: format(midnight, 'yyyy-MM-dd'),
  };
}

/**
 * Today's orders (store-local day): this counter's from its outbox (offline too, with their sync
 * state), the store's from the hub when it answers; an order the hub has is listed once, with the
 * counter's state when it is still in flight here.
 */
export function useTodayOrders(scope: TodayScope, guideId: string | null) {
  const { db, engine, terminal, now } = useServices();
  const [view, setView] = useState<TodayView>({ state: 'loading', orders: [], offline: false });
  const [reload, setReload] = useState(0);
  const refresh = useCallback(() => setReload((n) => n + 1), []);

  useEffect(() => {
    let live = true;
    void (async () => {
      const { from, to, date } = storeToday(now(), terminal.store.timezone);
      const [local, guides, hub] = await Promise.all([
        localOrdersBetween(db, from, to),
        activeGuides(db),
        // The day asked for is this counter's idea of today, like the local half of the list.
        engine.storeOrders({
          date,
          ...(scope === 'terminal' ? { terminalId: terminal.terminalId } : {}),
          ...(guideId ? { guideId } : {}),
        }),
      ]);
      const names = new Map(guides.map((g) => [g.id, g.name]));
      const byId = new Map<string, TodayOrder>();
      if (hub.ok)
        for (const o of hub.value.orders)
          byId.set(o.id, {
            id: o.id,
            createdAt: o.createdAt,
            terminalName: o.terminal.name,
            mine: o.terminal.id === terminal.terminalId,
            guideId: o.guide.id,
            guideName: o.guide.name,
            paymentMethod: o.paymentMethod,
            total: o.total,
            units: o.units,
            status: 'hub',
            afterSale: !o.afterSale
              ? 'none'
              : o.afterSale.voided
                ? 'voided'
                : o.afterSale.returnedUnits >= o.units
                  ? 'returned'
                  : o.afterSale.returnedUnits > 0
                    ? 'partial'
                    : 'none',
            remote: o,
          });
      for (const entry of local.filter((e) => !guideId || e.order.guideId === guideId))
        byId.set(entry.id, fromOutbox(entry, names, terminal.name, byId.get(entry.id)));
      // Returns queued here count at once (offline too); the hub's figure covers the sent ones.
      const back = new Map<string, { units: number; voided: boolean }>();
      for (const r of await localReturnsOf(db, new Set(byId.keys()))) {
        const o = byId.get(r.orderReturn.orderId);
        if (!o || r.status === 'rejected' || r.status === 'discarded') continue;
        if (r.status === 'synced' && o.remote) continue;
        const sum = back.get(o.id) ?? {
          units: o.remote?.afterSale?.returnedUnits ?? 0,
          voided: o.afterSale === 'voided',
        };
        sum.units += r.orderReturn.lines.reduce((n, l) => n + l.quantity, 0);
        sum.voided ||= r.orderReturn.kind === 'void';
        back.set(o.id, sum);
      }
      for (const [id, sum] of back) {
        const o = byId.get(id)!;
        o.afterSale = sum.voided ? 'voided' : sum.units >= o.units ? 'returned' : 'partial';
      }
      const orders = [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      if (live) setView({ state: 'ready', orders, offline: !hub.ok });
    })();
    return () => {
      live = false;
    };
  }, [db, engine, terminal, now, scope, guideId, reload]);

  return { view, refresh };
}

function fromOutbox(
  entry: OutboxOrder,
  names: Map<string, string>,
  terminalName: string,
  remote: TodayOrder | undefined,
): TodayOrder {
  const { total, units } = orderTotals(entry.order.lines);
  return {
    id: entry.id,
    createdAt: new Date(entry.order.createdAt).toISOString(),
    terminalName,
    mine: true,
    guideId: entry.order.guideId,
    guideName: names.get(entry.order.guideId) ?? remote?.guideName ?? '—',
    paymentMethod: entry.order.paymentMethod,
    total,
    units,
    status: entry.status,
    afterSale: remote?.afterSale ?? 'none',
    remote: remote?.remote ?? null,
  };
}
