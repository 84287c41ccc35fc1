import { z } from 'zod';
import { MAX_SPEND_FEN } from '../domain/limits';
import { uuid } from './common';
import { noPurchaseCounts } from './follow-ups';

/**
 * 导购业绩 (#15 item 6): what each guide of a store did for the period of a stats answer — the
 * relationship (bound customers, follow-ups), the floor (claimed visits converted, in-store sales)
 * and the online sales head office credited to them (docs/online-credit.md), net of refunds.
 */
const count = z.number().int().nonnegative();
/**
 * Fen net of refunds in the period (a refund of an earlier sale can make it negative), within the
 * spend ceiling the rest of the figures saturate at (shared/domain/limits.ts).
 */
const signedFen = z.number().int().min(-MAX_SPEND_FEN).max(MAX_SPEND_FEN);

export const guidePerformance = z.object({
  guideId: uuid,
  name: z.string(),
  /** customers bound to the guide now (专属顾客; a binding has no history in a count) */
  boundCustomers: count,
  /** follow-up outcomes the guide recorded in the period */
  followUpsDone: count,
  /**
   * the guide's follow-ups overdue at the period's end (or now, for a period still running): due
   * before that store-local day and not done by then
   */
  followUpsOverdue: count,
  /** claimed visits that converted (in-store conversions) */
  convertedVisits: count,
  /**
   * what the guide sold at the counter, net of the refunds of their sales in the period (a return
   * of an earlier sale can make it negative)
   */
  inStoreRevenue: signedFen,
  /** online sales credited to the guide, net of refunds */
  creditedOnline: signedFen,
  /** in-store sales + credited online sales: what the benefit sharing is computed on */
  creditedRevenue: signedFen,
  /** why the guide's claimed customers left without buying */
  noPurchaseReasons: noPurchaseCounts,
});
export type GuidePerformance = z.infer<typeof guidePerformance>;

/** The store's side: online sales credited to the store in the period (its guides' and the pool's). */
export const storePerformance = z.object({
  creditedOnline: signedFen,
  /** of which credited to the store pool (no guide: the home-store rule) */
  creditedOnlinePool: signedFen,
  guides: z.array(guidePerformance),
});
export type StorePerformance = z.infer<typeof storePerformance>;
