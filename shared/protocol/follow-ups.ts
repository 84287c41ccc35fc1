import { z } from 'zod';
import { isoInstant, sku, text, uuid } from './common';

/**
 * Issue #15 items 3 and 5: why a claimed customer left without buying (visit outcome), and the
 * follow-up tasks (跟进) the hub generates for the bound guide or the store pool.
 */

/** 尺码缺货 · 价格 · 随便看看 · 会再来 · 其他 (with a note) */
export const noPurchaseReason = z.enum([
  'size_missing',
  'price',
  'just_browsing',
  'will_return',
  'other',
]);
export type NoPurchaseReason = z.infer<typeof noPurchaseReason>;
export const NO_PURCHASE_REASONS = noPurchaseReason.options;

/** Longest note a guide types on a visit outcome or a task outcome. */
export const MAX_OUTCOME_NOTE = 500;
const note = text.trim().max(MAX_OUTCOME_NOTE);

/**
 * A claimed customer left without buying. `id` is generated on the terminal (the outbox entry's
 * id), so a resend is answered `duplicate`; one outcome per visit (a second one is a duplicate).
 */
export const visitOutcome = z
  .object({
    id: uuid,
    alertId: uuid,
    guideId: uuid,
    reason: noPurchaseReason,
    note: note.optional(),
    at: isoInstant,
  })
  .refine((o) => o.reason !== 'other' || (o.note ?? '').length > 0, {
    message: 'reason "other" needs a note',
    path: ['note'],
  });
export type VisitOutcome = z.infer<typeof visitOutcome>;

export const MAX_OUTCOMES_PER_CALL = 500;
export const visitOutcomesRequest = z.object({
  outcomes: z.array(visitOutcome).min(1).max(MAX_OUTCOMES_PER_CALL),
});

/** What generated a task; the hub's unique key is kind + customer + source. */
export const followUpKind = z.enum(['visit_no_purchase', 'birthday', 'wishlist', 'after_purchase']);
export type FollowUpKind = z.infer<typeof followUpKind>;

/** 已联系 · 已到店 · 已购买 · 无意向 · 联系不上 */
export const followUpOutcomeCode = z.enum([
  'contacted',
  'came_back',
  'bought',
  'not_interested',
  'unreachable',
]);
export type FollowUpOutcomeCode = z.infer<typeof followUpOutcomeCode>;
export const FOLLOW_UP_OUTCOMES = followUpOutcomeCode.options;

/** A guide recorded how a task ended; `id` is the terminal's, so a resend is a duplicate. */
export const followUpOutcome = z.object({
  id: uuid,
  taskId: uuid,
  guideId: uuid,
  outcome: followUpOutcomeCode,
  note: note.optional(),
  at: isoInstant,
});
export type FollowUpOutcome = z.infer<typeof followUpOutcome>;
export const followUpOutcomesRequest = z.object({
  outcomes: z.array(followUpOutcome).min(1).max(MAX_OUTCOMES_PER_CALL),
});

/** Why the task exists, enough for the list's "why" line (no personal data beyond the ids). */
export const followUpDetail = z.object({
  /** visit_no_purchase: the reason the guide recorded, when one was */
  reason: noPurchaseReason.optional(),
  /** wishlist: the item back in stock here, or cheaper */
  sku: sku.optional(),
  change: z.enum(['restocked', 'cheaper']).optional(),
  /** wishlist cheaper: old and new price (fen) */
  oldPrice: z.number().int().nonnegative().optional(),
  newPrice: z.number().int().nonnegative().optional(),
  /** after_purchase: days since the purchase */
  days: z.number().int().positive().optional(),
});
export type FollowUpDetail = z.infer<typeof followUpDetail>;

/**
 * A row of the per-store follow-up feed (`GET /sync/follow-ups`). A task that is done (or
 * cancelled) comes through the feed again with its status, so it leaves every terminal's list.
 */
export const followUpItem = z.object({
  id: uuid,
  storeId: uuid,
  customerId: uuid,
  /** the bound guide; null = the store pool */
  guideId: uuid.nullable(),
  kind: followUpKind,
  dueAt: isoInstant,
  detail: followUpDetail,
  status: z.enum(['open', 'done', 'cancelled']),
  outcome: followUpOutcomeCode.nullable(),
  doneAt: isoInstant.nullable(),
});
export type FollowUpItem = z.infer<typeof followUpItem>;

/** No-purchase reasons counted for a period (the manager's dashboard). */
export const noPurchaseCounts = z.object({
  size_missing: z.number().int().nonnegative(),
  price: z.number().int().nonnegative(),
  just_browsing: z.number().int().nonnegative(),
  will_return: z.number().int().nonnegative(),
  other: z.number().int().nonnegative(),
});
export type NoPurchaseCounts = z.infer<typeof noPurchaseCounts>;
export const emptyNoPurchaseCounts = (): NoPurchaseCounts => ({
  size_missing: 0,
  price: 0,
  just_browsing: 0,
  will_return: 0,
  other: 0,
});
