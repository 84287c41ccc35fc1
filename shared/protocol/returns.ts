import { z } from 'zod';
import { MAX_LINES_PER_ORDER } from '../domain/limits';
import { isoInstant, text, uuid } from './common';
import { lineQuantity, orderTotalFen } from './numbers';

/**
 * After-sale (issue #16 item 1). `void`: the whole order taken back on its own store-local day
 * (a sale rung up by mistake); `return`: some or all units back, refunded; `exchange`: a return
 * whose goods were swapped — the replacement is an ordinary new order (`exchangeOrderId`), sent
 * through the outbox beside it, so stock, figures and credit follow each half by the same rules.
 */
export const returnKind = z.enum(['return', 'void', 'exchange']);
export type ReturnKind = z.infer<typeof returnKind>;

/** Why goods came back: a fixed choice for the figures, a note for the rest. */
export const returnReason = z.enum([
  'size',
  'quality',
  'not_as_expected',
  'changed_mind',
  'wrong_item',
  'entry_mistake',
  'other',
]);
export type ReturnReason = z.infer<typeof returnReason>;

export const returnLine = z.object({
  /** the original order's line, 1-based as on the receipt */
  lineNo: z.number().int().min(1).max(MAX_LINES_PER_ORDER),
  quantity: lineQuantity,
});
export type ReturnLine = z.infer<typeof returnLine>;

/**
 * A return, void or exchange as the terminal queues it. `id` is born on the terminal, so a resend
 * is the same return (answered `duplicate`); another return under an id already used is refused
 * (`return_id_conflict`). The refund is the hub's to compute from the original lines
 * (shared/domain/returns.ts), never the terminal's to state. `managerId`: the store manager who
 * approved it with their PIN on the terminal (needed above the hub's threshold; audited).
 */
export const orderReturn = z
  .object({
    id: uuid,
    orderId: uuid,
    storeId: uuid,
    terminalId: uuid,
    /** the guide who took the goods back */
    guideId: uuid,
    kind: returnKind,
    reason: returnReason,
    note: text.trim().max(200).optional(),
    managerId: uuid.optional(),
    exchangeOrderId: uuid.optional(),
    createdAt: isoInstant,
    lines: z.array(returnLine).min(1).max(MAX_LINES_PER_ORDER),
  })
  .refine((r) => new Set(r.lines.map((l) => l.lineNo)).size === r.lines.length, {
    message: 'each original line at most once',
    path: ['lines'],
  })
  .refine((r) => (r.kind === 'exchange') === (r.exchangeOrderId !== undefined), {
    message: 'an exchange names its new order, and only an exchange does',
    path: ['exchangeOrderId'],
  })
  .refine((r) => r.reason !== 'other' || (r.note ?? '').length > 0, {
    message: 'reason "other" needs a note',
    path: ['note'],
  });
export type OrderReturn = z.infer<typeof orderReturn>;

export const MAX_RETURNS_PER_CALL = 500;
export const returnsRequest = z.object({
  returns: z.array(orderReturn).min(1).max(MAX_RETURNS_PER_CALL),
});
export type ReturnsRequest = z.infer<typeof returnsRequest>;

/**
 * The chain's after-sale settings: a return refunding more than `managerApprovalAboveFen` needs
 * the store manager's PIN (null: never). Kept at the hub; terminals get it with their settings.
 */
export const returnSettings = z.object({
  managerApprovalAboveFen: orderTotalFen.nullable(),
});
export type ReturnSettings = z.infer<typeof returnSettings>;
export const DEFAULT_RETURN_SETTINGS: ReturnSettings = { managerApprovalAboveFen: 50_000 };

/** What an order read back says about its after-sale (`GET /orders`, `/orders/:id`). */
export const orderAfterSale = z.object({
  refunded: orderTotalFen,
  returnedUnits: z.number().int().nonnegative(),
  voided: z.boolean(),
  /** units returned so far, per original line (same order as `lines`) */
  returnedByLine: z.array(z.number().int().nonnegative()),
});
export type OrderAfterSale = z.infer<typeof orderAfterSale>;
