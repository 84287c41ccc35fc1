import { useCallback } from 'react';
import { newId } from '../../shared/domain/ids';
import type { ReturnKind, ReturnReason } from '../../shared/protocol';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { useAsync, type AsyncState } from '../core/use-async';
import { loadAfterSaleOrder, type AfterSaleOrder } from '../data/after-sale';
import { enqueueReturn } from '../data/returns';

export type { AfterSaleLine, AfterSaleOrder } from '../data/after-sale';

export function useAfterSaleOrder(orderId: string): AsyncState<AfterSaleOrder | null> {
  const { db, engine } = useServices();
  const load = useCallback(
    () => loadAfterSaleOrder(db, (id) => engine.storeOrder(id), orderId),
    [db, engine, orderId],
  );
  return useAsync(load);
}

export type ReturnDraft = {
  kind: ReturnKind;
  reason: ReturnReason;
  note: string;
  lines: { lineNo: number; quantity: number }[];
  managerId: string | null;
};

/**
 * Queues a return of `order` (outbox, strict durability; the drain sends it once). An exchange
 * reserves its new order's id and starts that order's draft for the same customer.
 */
export function useQueueReturn(order: AfterSaleOrder | null) {
  const { db, terminal, now, engine } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  const startExchangeDraft = useAppStore((s) => s.startExchangeDraft);
  return useCallback(
    async (draft: ReturnDraft) => {
      if (!order || !guideId) return { ok: false as const, message: 'no guide signed in' };
      const exchangeOrderId = draft.kind === 'exchange' ? newId() : undefined;
      const note = draft.note.trim();
      const saved = await enqueueReturn(
        db,
        {
          id: newId(),
          orderId: order.id,
          storeId: terminal.store.id,
          terminalId: terminal.terminalId,
          guideId,
          kind: draft.kind,
          reason: draft.reason,
          ...(note ? { note } : {}),
          ...(draft.managerId ? { managerId: draft.managerId } : {}),
          ...(exchangeOrderId ? { exchangeOrderId } : {}),
          createdAt: now().toISOString(),
          lines: draft.lines.filter((l) => l.quantity > 0),
        },
        (lineNo) => order.lines.find((l) => l.lineNo === lineNo)?.sku,
        now(),
      );
      if (!saved.ok) return { ok: false as const, message: saved.error.message };
      if (exchangeOrderId) startExchangeDraft(exchangeOrderId, order.customerId);
      if (engine.status.get().online) void engine.requestDrain().catch(() => undefined);
      return { ok: true as const, exchange: exchangeOrderId !== undefined };
    },
    [db, terminal, now, engine, guideId, order, startExchangeDraft],
  );
}
