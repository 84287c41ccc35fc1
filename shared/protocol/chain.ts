import { z } from 'zod';
import { isoDate, uuid } from './common';
import { statsRangeQuery } from './stats';

/*
 * Head office's view of the chain (issue #15 item 6): the KPIs of every store and region over a
 * period of store-local days, as the manager's dashboard computes them for one store.
 */

/** `?from=YYYY-MM-DD&to=YYYY-MM-DD`: each store's own local days, both inclusive, ≤ 92 days. */
export const chainStatsQuery = statsRangeQuery;

const fen = z.number().int();
const count = z.number().int().nonnegative();

/** Counts and ratios of a store, a region or the chain over the period. */
const chainFigures = {
  footfall: count,
  recognizedVisits: count,
  alerts: count,
  /** alerts a guide claimed */
  claimedAlerts: count,
  /** recognised visits that ended in an order */
  convertedVisits: count,
  orders: count,
  units: count,
  /** in-store revenue, fen */
  revenue: count,
  /** online sales credited to the store (sales less refunds, fen; docs/online-credit.md) */
  creditedOnline: fen,
  /**
   * fen refunded for goods that came back in the period (on the day they came back, the store
   * dashboard's rule: issue #16)
   */
  refunds: count,
  /** revenue − refunds, fen (negative when a period's refunds exceed its sales) */
  netRevenue: fen,
  /** refunds ÷ revenue of the same period */
  returnsRate: z.number().nullable(),
  /** orders ÷ footfall */
  conversionRate: z.number().nullable(),
  /** revenue ÷ orders, fen */
  atv: z.number().nullable(),
};
export type ChainFigures = z.infer<z.ZodObject<typeof chainFigures>>;

/** One store-local day of a store: what the console's charts draw. */
export const chainDay = z.object({
  date: isoDate,
  footfall: count,
  orders: count,
  revenue: count,
  conversionRate: z.number().nullable(),
});
export type ChainDay = z.infer<typeof chainDay>;

export const chainStore = z.object({
  storeId: uuid,
  name: z.string(),
  region: z.string().nullable(),
  timezone: z.string(),
  ...chainFigures,
  days: z.array(chainDay),
});
export type ChainStore = z.infer<typeof chainStore>;

export const chainRegion = z.object({
  /** null: the stores not placed in a region */
  region: z.string().nullable(),
  stores: count,
  ...chainFigures,
});
export type ChainRegion = z.infer<typeof chainRegion>;

export const chainStats = z.object({
  from: isoDate,
  to: isoDate,
  stores: z.array(chainStore),
  regions: z.array(chainRegion),
  total: z.object({ stores: count, ...chainFigures }),
});
export type ChainStats = z.infer<typeof chainStats>;
