/** Why a customer's tombstone removed her for good: erased, or merged into another. */
export type GoneAs = 'erased' | 'merged';

/**
 * How many of the latest erased or merged-away ids a window remembers: far more than the live
 * queue can hold behind a feed pull (a few alerts, a few seconds), and a bounded cost after a
 * chain-wide de-duplication (≈ 100 bytes each).
 */
const GONE_KEPT = 20_000;

/**
 * Customers whose erasure or merge tombstone this window applied, oldest first (at most
 * GONE_KEPT). An arrival alert received before the tombstone but handled after it (alerts queue
 * one at a time; feed pulls run beside them) carries a profile that must not bring her back
 * (`cacheArrivalProfile`, issue #17), nor, erased, her card. Memory only: the live queue does not
 * outlive the window either.
 */
export class GoneCustomers {
  private readonly ids = new Map<string, GoneAs>();

  /** Remembers customers removed for good; an id marked again counts as the newest. */
  mark(ids: Iterable<readonly [id: string, as: GoneAs]>): void {
    for (const [id, as] of ids) {
      this.ids.delete(id);
      this.ids.set(id, as);
    }
    for (const id of this.ids.keys()) {
      if (this.ids.size <= GONE_KEPT) break;
      this.ids.delete(id);
    }
  }

  /** Whether a tombstone this window applied removed the customer for good, and why. */
  as(id: string): GoneAs | undefined {
    return this.ids.get(id);
  }
}
