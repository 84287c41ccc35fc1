import { z } from 'zod';
import { MAX_LINES_PER_ORDER, MAX_ORDER_TOTAL_FEN, MAX_QUANTITY_PER_LINE } from '../domain/limits';
import { isoDate, isoInstant, nonEmpty, sku, uuid } from './common';
import { onlineEvent } from './customers';
import { unitPriceFen } from './numbers';

/*
 * Credit for online sales (issue #15 item 2) and head office's benefit-sharing statement (item 6).
 * Head office posts online orders and refunds through the integration API; the hub credits each
 * to a store and guide by the rule chain below and records the rule and its evidence. How the
 * rules read and why: docs/online-credit.md.
 */

/** Where an online sale was made. */
export const onlineSalesChannel = z.enum([
  'app',
  'wechat_mini',
  'wechat',
  'web',
  'marketplace',
  'other',
]);
export type OnlineSalesChannel = z.infer<typeof onlineSalesChannel>;

/** Head office's order id: its own text key (not a UUID), as online events use. */
export const onlineOrderId = nonEmpty(64);

/**
 * One line of an online order. Refund lines carry a negative quantity (units returned); the unit
 * price stays positive.
 */
export const onlineOrderLine = z.object({
  sku,
  quantity: z
    .number()
    .int()
    .min(-MAX_QUANTITY_PER_LINE, `quantity must be at least -${MAX_QUANTITY_PER_LINE}`)
    .max(MAX_QUANTITY_PER_LINE, `quantity must be at most ${MAX_QUANTITY_PER_LINE}`)
    .refine((q) => q !== 0, 'quantity must not be 0'),
  unitPrice: unitPriceFen,
});
export type OnlineOrderLine = z.infer<typeof onlineOrderLine>;

/**
 * An online order or a refund. Idempotent by `id`: the same body again is a `duplicate` with the
 * same credit; a different body under a stored id is refused with 409 `conflict`.
 * - `order`: `amount` ≥ 0 (what the customer paid, fen; this is what is credited), lines > 0.
 * - `refund`: its own `id`, `refundOf` the original order's id, `amount` < 0, lines < 0.
 */
export const onlineOrder = z
  .object({
    id: onlineOrderId,
    type: z.enum(['order', 'refund']).default('order'),
    refundOf: onlineOrderId.optional(),
    /** as online events accept it: the hub's id, the CRM id, the member code or the phone */
    customer: onlineEvent.shape.customer,
    channel: onlineSalesChannel,
    at: isoInstant,
    amount: z
      .number()
      .int()
      .min(-MAX_ORDER_TOTAL_FEN, 'an amount in fen must be at least -(the largest order total)')
      .max(MAX_ORDER_TOTAL_FEN, 'an amount in fen must be at most the largest order total'),
    lines: z
      .array(onlineOrderLine)
      .min(1)
      .max(MAX_LINES_PER_ORDER, `an order has at most ${MAX_LINES_PER_ORDER} lines`),
  })
  .superRefine((o, ctx) => {
    const refund = o.type === 'refund';
    if (refund && o.refundOf === undefined)
      ctx.addIssue({ code: 'custom', path: ['refundOf'], message: 'a refund names its order' });
    if (!refund && o.refundOf !== undefined)
      ctx.addIssue({ code: 'custom', path: ['refundOf'], message: 'only a refund has refundOf' });
    if (refund && o.refundOf === o.id)
      ctx.addIssue({ code: 'custom', path: ['refundOf'], message: 'a refund has its own id' });
    if (refund ? o.amount >= 0 : o.amount < 0)
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: refund ? 'a refund amount is negative' : 'an order amount is not negative',
      });
    o.lines.forEach((line, i) => {
      if (refund ? line.quantity > 0 : line.quantity < 0)
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'quantity'],
          message: refund ? 'refund lines are negative' : 'order lines are positive',
        });
    });
  });
export type OnlineOrder = z.infer<typeof onlineOrder>;

export const MAX_ONLINE_ORDERS_PER_CALL = 500;
export const onlineOrdersRequest = z.object({
  orders: z.array(onlineOrder).min(1).max(MAX_ONLINE_ORDERS_PER_CALL),
});
export type OnlineOrdersRequest = z.infer<typeof onlineOrdersRequest>;

/** The rules of the chain, in the order head office puts them. */
export const creditRuleName = z.enum(['claimed_visit', 'bound_guide', 'home_store']);
export type CreditRuleName = z.infer<typeof creditRuleName>;
/** The rule a credit row records: one of the chain, or `none` (nobody credited). */
export const creditRuleFired = z.enum([...creditRuleName.options, 'none']);
export type CreditRuleFired = z.infer<typeof creditRuleFired>;

/**
 * How "within N days after the visit" is measured:
 * - `store_days`: from the visit's start to the end of the N-th calendar day after the visit's
 *   day, in the visit store's time zone (visit on the 3rd at 15:00, N = 7: until the 10th, 24:00
 *   local). What a store means by "a week"; a DST change inside it makes it an hour shorter or
 *   longer.
 * - `hours`: from the visit's start for exactly N × 24 hours.
 * Both include the start and exclude the end.
 */
export const creditWindowMeasure = z.enum(['store_days', 'hours']);
export type CreditWindowMeasure = z.infer<typeof creditWindowMeasure>;

export const MAX_CREDIT_WINDOW_DAYS = 90;
export const creditRule = z.discriminatedUnion('rule', [
  z.strictObject({
    rule: z.literal('claimed_visit'),
    windowDays: z.number().int().min(1).max(MAX_CREDIT_WINDOW_DAYS).default(7),
    measure: creditWindowMeasure.default('store_days'),
  }),
  z.strictObject({ rule: z.literal('bound_guide') }),
  z.strictObject({ rule: z.literal('home_store') }),
]);
export type CreditRule = z.infer<typeof creditRule>;

/** The rule chain head office configures: the first rule that finds someone credits the sale. */
export const creditRules = z.strictObject({
  chain: z
    .array(creditRule)
    .max(3)
    .refine(
      (chain) => new Set(chain.map((r) => r.rule)).size === chain.length,
      'each rule at most once',
    ),
});
export type CreditRules = z.infer<typeof creditRules>;

/** What the hub applies until head office sets its own (docs/online-credit.md). */
export const DEFAULT_CREDIT_RULES: CreditRules = {
  chain: [
    { rule: 'claimed_visit', windowDays: 7, measure: 'store_days' },
    { rule: 'bound_guide' },
    { rule: 'home_store' },
  ],
};

export const creditRulesResponse = z.object({
  rules: creditRules,
  /** true while head office has not set its own */
  isDefault: z.boolean(),
});
export type CreditRulesResponse = z.infer<typeof creditRulesResponse>;

/** Who a sale or refund was credited to (store null: nobody — `none`). */
export const creditTo = z.object({
  rule: creditRuleFired,
  storeId: uuid.nullable(),
  guideId: uuid.nullable(),
  /** fen credited by this order (positive) or refund (negative, capped at what is left) */
  amount: z.number().int(),
});
export type CreditTo = z.infer<typeof creditTo>;

/**
 * Per order: `accepted` (credited now), `duplicate` (the same body again: the credit it got),
 * `parked` (a refund whose order has not arrived: credited when it does), `rejected` (reason).
 */
export const onlineOrderResult = z.object({
  id: z.string(),
  status: z.enum(['accepted', 'duplicate', 'parked', 'rejected']),
  reason: z.string().optional(),
  credit: creditTo.optional(),
});
export type OnlineOrderResult = z.infer<typeof onlineOrderResult>;
export const onlineOrdersResponse = z.object({ results: z.array(onlineOrderResult) });
export type OnlineOrdersResponse = z.infer<typeof onlineOrdersResponse>;

/** `GET /admin/credit/orders?orderId=`: why an order (or refund) was credited as it was. */
export const creditExplainQuery = z.object({ orderId: onlineOrderId });
export const creditRow = z.object({
  id: uuid,
  /** the order or refund that produced this row */
  lineId: z.string(),
  kind: z.enum(['sale', 'refund']),
  rule: creditRuleFired,
  storeId: uuid.nullable(),
  storeName: z.string().nullable(),
  guideId: uuid.nullable(),
  guideName: z.string().nullable(),
  amount: z.number().int(),
  at: isoInstant,
  /** what made the rule fire: visit and alert ids, the binding event, the home store, the chain */
  evidence: z.record(z.string(), z.unknown()),
});
export type CreditRow = z.infer<typeof creditRow>;
export const creditExplanation = z.object({
  order: z.object({
    id: z.string(),
    type: z.enum(['order', 'refund']),
    refundOf: z.string().nullable(),
    customerId: uuid,
    channel: onlineSalesChannel,
    at: isoInstant,
    amount: z.number().int(),
    /** `parked`: a refund waiting for its order */
    state: z.enum(['credited', 'parked']),
  }),
  credits: z.array(creditRow),
  /** refunds naming this order, credited or parked */
  refunds: z.array(
    z.object({
      id: z.string(),
      at: isoInstant,
      amount: z.number().int(),
      state: z.enum(['credited', 'parked']),
    }),
  ),
  /** what stays credited for this order (sale less refunds), fen */
  net: z.number().int(),
});
export type CreditExplanation = z.infer<typeof creditExplanation>;

/** Longest statement period in one call: a year. */
export const MAX_STATEMENT_DAYS = 366;
const DAY_MS = 86_400_000;
/** `?from=&to=`: calendar days, both inclusive, each read in every store's own time zone. */
export const statementQuery = z
  .object({ from: isoDate, to: isoDate })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS < MAX_STATEMENT_DAYS, {
    message: `at most ${MAX_STATEMENT_DAYS} days`,
    path: ['to'],
  });
export type StatementQuery = z.infer<typeof statementQuery>;

const statementFigures = {
  /** sales credited in the period (count, fen) */
  sales: z.number().int().nonnegative(),
  salesAmount: z.number().int().nonnegative(),
  /** refunds reversed in the period (count; fen, negative or 0) */
  refunds: z.number().int().nonnegative(),
  refundsAmount: z.number().int().nonpositive(),
  /** salesAmount + refundsAmount */
  net: z.number().int(),
  /** net by the rule that credited it */
  byRule: z.object({
    claimed_visit: z.number().int(),
    bound_guide: z.number().int(),
    home_store: z.number().int(),
  }),
};
export const statementLine = z.object({
  /** null: the store pool (home-store credit, or a binding's store without a guide) */
  guideId: uuid.nullable(),
  guideName: z.string().nullable(),
  ...statementFigures,
});
export type StatementLine = z.infer<typeof statementLine>;
export const statementStore = z.object({
  storeId: uuid,
  storeName: z.string(),
  timezone: z.string(),
  /** the period as instants in this store's zone: [from, to) */
  periodStart: isoInstant,
  periodEnd: isoInstant,
  lines: z.array(statementLine),
  total: z.object(statementFigures),
});
export type StatementStore = z.infer<typeof statementStore>;
export const creditStatement = z.object({
  from: isoDate,
  to: isoDate,
  stores: z.array(statementStore),
  total: z.object(statementFigures),
});
export type CreditStatement = z.infer<typeof creditStatement>;
