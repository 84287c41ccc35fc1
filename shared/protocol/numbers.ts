import { z } from 'zod';
import {
  MAX_COUNT,
  MAX_DWELL_SECONDS,
  MAX_FOOTFALL_COUNT,
  MAX_ORDER_TOTAL_FEN,
  MAX_POINTS,
  MAX_QUANTITY_PER_LINE,
  MAX_SPEND_FEN,
  MAX_STOCK_UNITS,
  MAX_UNIT_PRICE_FEN,
} from '../domain/limits';

/*
 * Numeric wire types bounded by the business limits of shared/domain/limits.ts. Each message names
 * the limit, so a 400's `details` say which field is over what (zod adds the field's path).
 */

const wholeUpTo = (max: number, what: string) =>
  z
    .number()
    .int()
    .nonnegative()
    .max(max, `${what} must be at most ${max.toLocaleString('en')}`);

/** Units on one order line: 1 to 999. */
export const lineQuantity = z
  .number()
  .int()
  .positive()
  .max(
    MAX_QUANTITY_PER_LINE,
    `quantity must be at most ${MAX_QUANTITY_PER_LINE.toLocaleString('en')} a line`,
  );
/** A unit price (order lines, catalog upserts): at most ¥1,000,000. */
export const unitPriceFen = wholeUpTo(MAX_UNIT_PRICE_FEN, 'a unit price in fen');
/** One order's total (a purchase summary, an online order's amount). */
export const orderTotalFen = wholeUpTo(MAX_ORDER_TOTAL_FEN, 'an order total in fen');
/** A derived spend (in store, online, lifetime): the hub saturates at this ceiling. */
export const spendFen = wholeUpTo(MAX_SPEND_FEN, 'a spend in fen');
/** A derived count (orders, visits): the hub saturates at this ceiling. */
export const aggregateCount = wholeUpTo(MAX_COUNT, 'a count');
/** Loyalty points, as input and as the (saturating) stored value. */
export const points = wholeUpTo(MAX_POINTS, 'points');
/** Stock of one product in one store (negative: sold ahead of a delivery). */
export const stockUnits = z
  .number()
  .int()
  .min(-MAX_STOCK_UNITS, `stock must be at least -${MAX_STOCK_UNITS.toLocaleString('en')}`)
  .max(MAX_STOCK_UNITS, `stock must be at most ${MAX_STOCK_UNITS.toLocaleString('en')}`);
/** People one footfall counter reports for one interval. */
export const footfallCount = wholeUpTo(MAX_FOOTFALL_COUNT, 'a footfall count');
/** Seconds a product page was looked at. */
export const dwellSeconds = wholeUpTo(MAX_DWELL_SECONDS, 'dwell seconds');
