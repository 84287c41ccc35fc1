/**
 * The business limits every number on the wire lives within — the one place they are defined.
 *
 * Two kinds of number cross the protocol. Inputs (an order line, an online event's amount, a CRM
 * customer's points, a stock level, a footfall count) are refused beyond these limits at ingest,
 * with the field named. Aggregates the hub derives from inputs (lifetime spend, order counts,
 * points after a merge) are sums with no natural end, so they SATURATE at a ceiling instead: the
 * hub clamps them with `saturatingAdd` / `clampTo`, and the feed schemas terminals validate use
 * the very same ceilings as their maximum. No sequence of valid inputs can then produce a feed
 * row a terminal refuses (issue #12: one order of 10,000 × 1e11 fen used to stop every store's
 * customer sync, because the sum left the schema's range).
 *
 * All ceilings are safe integers with room to add two of them exactly (2 × 1e15 < 2^53).
 */

/** Units of one product on one order line (a shop counter, not a warehouse). */
export const MAX_QUANTITY_PER_LINE = 999;
/** Unit price of one product: ¥1,000,000 in fen. */
export const MAX_UNIT_PRICE_FEN = 100_000_000;
/** Lines on one in-store order. */
export const MAX_LINES_PER_ORDER = 200;
/**
 * The largest total one valid order can have: every line at the maximum quantity and unit price
 * (¥199.8 billion). Derived, so any combination of valid lines fits without a further check; an
 * online order's `amount` is bounded by it too.
 */
export const MAX_ORDER_TOTAL_FEN = MAX_LINES_PER_ORDER * MAX_QUANTITY_PER_LINE * MAX_UNIT_PRICE_FEN;
/** Units of one valid order (200 lines × 999). */
export const MAX_ORDER_UNITS = MAX_LINES_PER_ORDER * MAX_QUANTITY_PER_LINE;

/**
 * Ceiling of every derived spend (in-store, online, lifetime): ¥10 trillion. A customer who
 * reaches it stays there (saturates) rather than breaking the feed.
 */
export const MAX_SPEND_FEN = 1_000_000_000_000_000;
/** Ceiling of derived counts (orders in store, orders online, visits, units in a report). */
export const MAX_COUNT = 2_000_000_000;
/**
 * Loyalty points, as input from the CRM and as a saturating sum after a merge. The database column
 * is a 32-bit integer (2,147,483,647), so this also keeps every stored value storable.
 */
export const MAX_POINTS = 2_000_000_000;

/** Stock of one product in one store, either way (negative: sold ahead of a delivery). */
export const MAX_STOCK_UNITS = 1_000_000;
/** People one footfall counter reports for one interval. */
export const MAX_FOOTFALL_COUNT = 100_000;
/** Seconds a product page can have been looked at (a day). */
export const MAX_DWELL_SECONDS = 86_400;

/** `a + b`, never above `max` (and never below 0): how the hub adds to a derived aggregate. */
export function saturatingAdd(a: number, b: number, max: number): number {
  return clampTo(a + b, max);
}

/**
 * `value` as a whole number in [0, max]; anything not a finite number (a corrupt stored value)
 * counts as 0. Used on read too, so a row written before the limits existed still fits the feed.
 */
export function clampTo(value: unknown, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n <= 0) return 0;
  return n >= max ? max : Math.trunc(n);
}
