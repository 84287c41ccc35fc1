import type { CreditRules } from '../../shared/protocol';
import type { Queryable } from '../db/database';
import type { ClaimedVisit, CustomerEvidence } from './attribution';
import { loadBindingTrails } from './binding-trail';

const DAY_MS = 86_400_000;

/**
 * What the rule chain needs about each customer, for orders up to `until`: the claimed visits that
 * could still credit an order (started within the window plus two days of slack — a store-day
 * window ends at most a calendar day and a DST hour past N × 24 h — before `since`), the binding
 * trail, and the home store. A few queries per batch, however many orders it holds.
 */
export async function loadEvidence(
  db: Queryable,
  rules: CreditRules,
  customerIds: readonly string[],
  since: Date,
  until: Date,
): Promise<Map<string, CustomerEvidence>> {
  const ids = [...new Set(customerIds)];
  const out = new Map<string, CustomerEvidence>(
    ids.map((id) => [id, { visits: [], trail: [], homeStoreId: null }]),
  );
  if (ids.length === 0) return out;
  const uses = new Set(rules.chain.map((r) => r.rule));
  const visitRule = rules.chain.find((r) => r.rule === 'claimed_visit');

  if (visitRule) {
    const from = new Date(since.getTime() - (visitRule.windowDays + 2) * DAY_MS);
    const rows = await db.query<{
      visit_id: string;
      alert_id: string;
      customer_id: string;
      store_id: string;
      timezone: string;
      guide_id: string;
      started_at: string | Date;
      claimed_at: string | Date;
    }>(
      `select v.id as visit_id, a.id as alert_id, v.customer_id, v.store_id, s.timezone,
              a.claimed_by as guide_id, v.started_at, a.claimed_at
         from visits v
         join alerts a on a.visit_id = v.id
         join stores s on s.id = v.store_id
        where v.customer_id = any($1::uuid[]) and a.claimed_by is not null
          and a.claimed_at is not null and v.started_at >= $2 and v.started_at <= $3`,
      [ids, from.toISOString(), until.toISOString()],
    );
    for (const r of rows) {
      const visit: ClaimedVisit = {
        visitId: r.visit_id,
        alertId: r.alert_id,
        storeId: r.store_id,
        timezone: r.timezone,
        guideId: r.guide_id,
        startedAt: new Date(r.started_at),
        claimedAt: new Date(r.claimed_at),
      };
      (out.get(r.customer_id)!.visits as ClaimedVisit[]).push(visit);
    }
  }
  if (uses.has('bound_guide')) {
    const trails = await loadBindingTrails(db, ids, until);
    for (const [customerId, trail] of trails) out.get(customerId)!.trail = trail;
  }
  if (uses.has('home_store')) {
    const rows = await db.query<{ id: string; home_store_id: string | null }>(
      'select id, home_store_id from customers where id = any($1::uuid[])',
      [ids],
    );
    for (const r of rows) out.get(r.id)!.homeStoreId = r.home_store_id;
  }
  return out;
}
