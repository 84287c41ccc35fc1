import { useCallback } from 'react';
import { newId } from '../../shared/domain/ids';
import { order as orderSchema, type Order, type ProductItem } from '../../shared/protocol';
import { recentAlertFor } from '../data/alerts';
import { findProductByCode, searchCatalog } from '../data/catalog';
import { customerById, getCustomer, type CachedCustomer } from '../data/customers';
import { enqueueOrder, isSyncedRegistration } from '../data/outbox';
import { receiptFor, type ReceiptData } from '../data/receipts';
import { useServices, type AppServices } from '../core/services';
import { useAppStore } from '../core/store';
import { useAsync, useDebounced, useLiveQuery, type AsyncState } from '../core/use-async';
import type { OrderDraft } from '../core/order-slice';

/** Looks a scanned or typed code up in the cached catalog (SKU, then barcode). */
export function useProductByCode(): (code: string) => Promise<ProductItem | undefined> {
  const { db } = useServices();
  return useCallback((code: string) => findProductByCode(db, code), [db]);
}

/** Catalog search as the guide types a product name or SKU prefix. */
export function useCatalogSearch(text: string): {
  query: string;
  state: AsyncState<ProductItem[]>;
} {
  const { db } = useServices();
  const settled = useDebounced(text.trim(), 150);
  const load = useCallback(() => searchCatalog(db, settled), [db, settled]);
  return { query: settled, state: useAsync(load) };
}

/** The arrival alert to credit when an order is started for a customer without one. */
export function useRecentAlertLookup(): (customerId: string) => Promise<string | null> {
  const { db, terminal, now } = useServices();
  return useCallback(
    (customerId: string) =>
      recentAlertFor(db, customerId, now(), terminal.settings.visitWindowMinutes),
    [db, terminal, now],
  );
}

/** The attached customer as cached (live: a provisional customer becomes canonical after sync). */
export function useCachedCustomer(customerId: string | null): AsyncState<CachedCustomer | null> {
  const { db } = useServices();
  const query = useCallback(
    async () => (customerId ? ((await getCustomer(db, customerId)) ?? null) : null),
    [db, customerId],
  );
  return useLiveQuery(query);
}

/** True for a registration made here that the hub answered with another customer's id. */
async function replacedRegistration(db: AppServices['db'], customerId: string | undefined) {
  if (!customerId || (await customerById(db, customerId))) return false;
  return isSyncedRegistration(db, customerId);
}

export type ConfirmError = {
  code: 'no_guide' | 'invalid_input' | 'not_saved' | 'customer_gone';
  message: string;
};
export type ConfirmResult = { ok: true; orderId: string } | { ok: false; error: ConfirmError };

/** Builds the wire order from the draft (guide, store, terminal credited) without saving it. */
export function draftToOrder(
  draft: OrderDraft,
  ids: { storeId: string; terminalId: string; guideId: string },
  now: Date,
): Order {
  return {
    id: draft.orderId ?? newId(),
    ...ids,
    ...(draft.customerId ? { customerId: draft.customerId } : {}),
    ...(draft.alertId ? { alertId: draft.alertId } : {}),
    paymentMethod: draft.paymentMethod,
    createdAt: now.toISOString(),
    lines: draft.lines.map((l) => ({
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discount: l.discount,
    })),
  };
}

/**
 * Confirms the draft: validates it with the shared order schema and writes it to the outbox with
 * strict durability. Resolves with the saved order id; the sync engine sends it when it can.
 */
export function useConfirmOrder(): (draft: OrderDraft) => Promise<ConfirmResult> {
  const { db, terminal, now } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  const { engine } = useServices();
  return useCallback(
    async (draft: OrderDraft): Promise<ConfirmResult> => {
      if (!guideId)
        return { ok: false, error: { code: 'no_guide', message: 'no guide signed in' } };
      const at = now();
      const order = draftToOrder(
        draft,
        { storeId: terminal.store.id, terminalId: terminal.terminalId, guideId },
        at,
      );
      const parsed = orderSchema.safeParse(order);
      if (!parsed.success)
        return {
          ok: false,
          error: { code: 'invalid_input', message: parsed.error.issues[0]?.message ?? '' },
        };
      try {
        // A customer merged into another member, or registered here and mapped by the hub to an
        // existing one, is credited under the id it lives on as.
        const attached = parsed.data.customerId
          ? await getCustomer(db, parsed.data.customerId)
          : undefined;
        if (attached && attached.id !== parsed.data.customerId)
          parsed.data.customerId = attached.id;
        // A provisional customer the hub answered with an existing member (another id) is gone
        // from the cache; the hub would reject an order naming it, so the guide re-attaches.
        // (Only then: an arrival's customer not cached yet is still a real customer to the hub.)
        if (await replacedRegistration(db, parsed.data.customerId))
          return { ok: false, error: { code: 'customer_gone', message: parsed.data.customerId! } };
        const saved = await enqueueOrder(db, parsed.data, at);
        if (!saved.ok)
          return {
            ok: false,
            error: {
              code: saved.error.code === 'invalid_input' ? 'invalid_input' : 'not_saved',
              message: saved.error.message,
            },
          };
      } catch (e) {
        return {
          ok: false,
          error: { code: 'not_saved', message: e instanceof Error ? e.message : String(e) },
        };
      }
      // Saved first, sent second: a failed send leaves it pending, never lost.
      // Offline, the engine drains on reconnect; asking now would only record a network error.
      if (engine.status.get().online) void engine.requestDrain().catch(() => undefined);
      return { ok: true, orderId: order.id };
    },
    [db, terminal, now, guideId, engine],
  );
}

export type { ReceiptData };

/** A confirmed order with what its receipt shows; live, so the sync state updates on screen. */
export function useReceipt(orderId: string): AsyncState<ReceiptData | null> {
  const { db } = useServices();
  const query = useCallback(() => receiptFor(db, orderId), [db, orderId]);
  return useLiveQuery(query);
}
