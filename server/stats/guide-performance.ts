import {
  emptyNoPurchaseCounts,
  type GuidePerformance,
  type NoPurchaseCounts,
  type StorePerformance,
} from '../../shared/protocol';
import type { KpiCounts } from '../../shared/domain/kpi';
import { clampTo, MAX_SPEND_FEN } from '../../shared/domain/limits';
import type { Queryable } from '../db/database';
import { localDate, storeDay } from './store-day';

/** A signed amount within the spend ceiling the other figures saturate at. */
const signedClamp = (fen: number): number => Math.sign(fen) * clampTo(Math.abs(fen), MAX_SPEND_FEN);

/**
 * 导购业绩 (#15 item 6) for one store and one period `[from, to)` of store-local days: five
 * queries whatever the period's length. `inStore` are the guides' counter figures the stats have
 * already summed for the same period (converted visits, revenue), so both views agree.
 *
 * Overdue is read "as of" the period's end, or now for a period still running: a task is overdue
 * then when it was due before that store-local day began and was not done by that instant (a task
 * done later was still open then; a cancelled one is not counted: it has no time).
 */
export async function storePerformanceFor(
  db: Queryable,
  input: {
    storeId: string;
    timezone: string;
    from: Date;
    to: Date;
    now: Date;
    guides: readonly { id: string; name: string; active: boolean }[];
    inStore: ReadonlyMap<string, KpiCounts>;
  },
): Promise<StorePerformance> {
  const { storeId, timezone, from, to } = input;
  const asOf = new Date(Math.min(input.now.getTime(), to.getTime()));
  // The store-local day `asOf` falls in; at the period's exact end that is the day after it.
  const overdueBefore = storeDay(localDate(asOf, timezone), timezone).from;
  const window = [storeId, from.toISOString(), to.toISOString()];

  const [bound, done, overdue, credits, reasons] = await Promise.all([
    db.query<{ guide_id: string; n: number }>(
      `select guide_id::text as guide_id, count(*)::int as n from customer_bindings
        where store_id = $1 group by guide_id`,
      [storeId],
    ),
    db.query<{ guide_id: string; n: number }>(
      `select outcome_guide_id::text as guide_id, count(*)::int as n from follow_up_tasks
        where store_id = $1 and status = 'done' and done_at >= $2 and done_at < $3
          and outcome_guide_id is not null
        group by outcome_guide_id`,
      window,
    ),
    db.query<{ guide_id: string; n: number }>(
      `select guide_id::text as guide_id, count(*)::int as n from follow_up_tasks
        where store_id = $1 and guide_id is not null and due_at < $2
          and (status = 'open' or (status = 'done' and done_at > $3))
        group by guide_id`,
      [storeId, overdueBefore.toISOString(), asOf.toISOString()],
    ),
    db.query<{ guide_id: string | null; amount: string }>(
      `select guide_id::text as guide_id, sum(amount)::text as amount from online_credits
        where store_id = $1 and at >= $2 and at < $3
        group by guide_id`,
      window,
    ),
    // Counted on the day the visit began, like the store's no-purchase reasons.
    db.query<{ guide_id: string; reason: keyof NoPurchaseCounts; n: number }>(
      `select vo.guide_id::text as guide_id, vo.reason, count(*)::int as n
         from visit_outcomes vo join visits v on v.id = vo.visit_id
        where vo.store_id = $1 and v.started_at >= $2 and v.started_at < $3
        group by vo.guide_id, vo.reason`,
      window,
    ),
  ]);

  const byGuide = (rows: readonly { guide_id: string | null; n: number }[]) =>
    new Map(rows.map((r) => [r.guide_id, r.n]));
  const boundBy = byGuide(bound);
  const doneBy = byGuide(done);
  const overdueBy = byGuide(overdue);
  const creditBy = new Map(credits.map((r) => [r.guide_id, Number(r.amount)]));
  const reasonsBy = new Map<string, NoPurchaseCounts>();
  for (const r of reasons) {
    const counts = reasonsBy.get(r.guide_id) ?? emptyNoPurchaseCounts();
    if (r.reason in counts) counts[r.reason] += r.n;
    reasonsBy.set(r.guide_id, counts);
  }

  const guides: GuidePerformance[] = input.guides.map((g) => {
    const floor = input.inStore.get(g.id);
    const inStoreRevenue = signedClamp(floor?.revenue ?? 0);
    const creditedOnline = signedClamp(creditBy.get(g.id) ?? 0);
    return {
      guideId: g.id,
      name: g.name,
      boundCustomers: boundBy.get(g.id) ?? 0,
      followUpsDone: doneBy.get(g.id) ?? 0,
      followUpsOverdue: overdueBy.get(g.id) ?? 0,
      convertedVisits: floor?.convertedVisits ?? 0,
      inStoreRevenue,
      creditedOnline,
      creditedRevenue: signedClamp(inStoreRevenue + creditedOnline),
      noPurchaseReasons: reasonsBy.get(g.id) ?? emptyNoPurchaseCounts(),
    };
  });
  const idle = (p: GuidePerformance) =>
    p.boundCustomers + p.followUpsDone + p.followUpsOverdue + p.convertedVisits === 0 &&
    p.inStoreRevenue === 0 &&
    p.creditedOnline === 0 &&
    Object.values(p.noPurchaseReasons).every((n) => n === 0);
  const active = new Set(input.guides.filter((g) => g.active).map((g) => g.id));
  let creditedOnline = 0;
  for (const amount of creditBy.values()) creditedOnline += amount;
  return {
    creditedOnline: signedClamp(creditedOnline),
    creditedOnlinePool: signedClamp(creditBy.get(null) ?? 0),
    // Every active guide (a guide with nothing shows as zero), and a deactivated one only when the
    // period has something of theirs; best credited revenue first.
    guides: guides
      .filter((p) => active.has(p.guideId) || !idle(p))
      .sort((a, b) => b.creditedRevenue - a.creditedRevenue),
  };
}
