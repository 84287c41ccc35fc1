import type { StateCreator } from 'zustand';
import type { PaymentMethod, ProductItem } from '../../shared/protocol';
import type { Fen } from '../../shared/domain/money';

/** One line of the order being built; prices in fen, copied from the catalog when added. */
export type DraftLine = {
  sku: string;
  name: string;
  /** shown with the size so the guide reads the variant, not the SKU code */
  colour: string | null;
  size: string | null;
  unitPrice: Fen;
  quantity: number;
  /** whole-line discount in fen */
  discount: Fen;
};

/** The order on the counter before it is confirmed. */
export type OrderDraft = {
  customerId: string | null;
  alertId: string | null;
  lines: DraftLine[];
  paymentMethod: PaymentMethod;
  /** the id the order will be sent under when fixed in advance: an exchange's new order (#16) */
  orderId?: string;
};

export const EMPTY_DRAFT: OrderDraft = {
  customerId: null,
  alertId: null,
  lines: [],
  paymentMethod: 'wechat',
};

export const MAX_QUANTITY = 999;

/**
 * The draft order lives in the app store (not in the screen's state) so a guide can look a
 * customer up, open a profile or register someone mid-order and come back to the same basket.
 */
export type OrderSlice = {
  orderDraft: OrderDraft;
  /** adds one unit of a product (a second scan of the same SKU increases its quantity) */
  addProductToDraft(product: ProductItem): void;
  setDraftQuantity(sku: string, quantity: number): void;
  setDraftDiscount(sku: string, discount: Fen): void;
  removeDraftLine(sku: string): void;
  setDraftPayment(method: PaymentMethod): void;
  /** attaches a customer (and the arrival alert the sale came from, when there is one) */
  attachDraftCustomer(customerId: string | null, alertId?: string | null): void;
  clearOrderDraft(): void;
  /** starts the new order of an exchange: its id is the one the exchange's return names */
  startExchangeDraft(orderId: string, customerId: string | null): void;
};

const clampDiscount = (line: DraftLine): DraftLine => ({
  ...line,
  discount: Math.min(line.discount, line.quantity * line.unitPrice),
});

export const createOrderSlice: StateCreator<OrderSlice, [], [], OrderSlice> = (set) => ({
  orderDraft: EMPTY_DRAFT,
  startExchangeDraft: (orderId, customerId) =>
    set({ orderDraft: { ...EMPTY_DRAFT, orderId, customerId } }),
  addProductToDraft: (product) =>
    set(({ orderDraft }) => {
      const existing = orderDraft.lines.find((l) => l.sku === product.sku);
      const lines = existing
        ? orderDraft.lines.map((l) =>
            l.sku === product.sku ? { ...l, quantity: Math.min(l.quantity + 1, MAX_QUANTITY) } : l,
          )
        : [
            ...orderDraft.lines,
            {
              sku: product.sku,
              name: product.name,
              colour: product.colour,
              size: product.size,
              unitPrice: product.price,
              quantity: 1,
              discount: 0,
            },
          ];
      return { orderDraft: { ...orderDraft, lines } };
    }),
  setDraftQuantity: (sku, quantity) =>
    set(({ orderDraft }) => {
      const q = Math.max(0, Math.min(Math.trunc(quantity), MAX_QUANTITY));
      const lines =
        q === 0
          ? orderDraft.lines.filter((l) => l.sku !== sku)
          : orderDraft.lines.map((l) => (l.sku === sku ? clampDiscount({ ...l, quantity: q }) : l));
      return { orderDraft: { ...orderDraft, lines } };
    }),
  setDraftDiscount: (sku, discount) =>
    set(({ orderDraft }) => ({
      orderDraft: {
        ...orderDraft,
        lines: orderDraft.lines.map((l) =>
          l.sku === sku ? clampDiscount({ ...l, discount: Math.max(0, discount) }) : l,
        ),
      },
    })),
  removeDraftLine: (sku) =>
    set(({ orderDraft }) => ({
      orderDraft: { ...orderDraft, lines: orderDraft.lines.filter((l) => l.sku !== sku) },
    })),
  setDraftPayment: (paymentMethod) =>
    set(({ orderDraft }) => ({ orderDraft: { ...orderDraft, paymentMethod } })),
  attachDraftCustomer: (customerId, alertId) =>
    set(({ orderDraft }) => ({
      orderDraft: {
        ...orderDraft,
        customerId,
        // An alert belongs to one customer: changing the customer drops a stale alert.
        alertId:
          alertId !== undefined
            ? alertId
            : customerId === orderDraft.customerId
              ? orderDraft.alertId
              : null,
      },
    })),
  clearOrderDraft: () => set({ orderDraft: EMPTY_DRAFT }),
});
