import type { CreditRuleFired, CreditRules, CreditRule } from '../../shared/protocol';
import { localDate, storeDay } from '../stats/store-day';
import { boundGuideAt, type BindingEvent } from './binding-trail';

/*
 * The rule chain, as a pure function of what the hub knew about the customer at the order's time
 * (loaded by evidence.ts). The first rule that finds someone credits the sale; if none does, the
 * sale is recorded as credited to nobody (`none`). The rules: docs/online-credit.md.
 */

/** A visit of the customer to a store whose arrival alert a guide claimed. */
export type ClaimedVisit = {
  visitId: string;
  alertId: string;
  storeId: string;
  timezone: string;
  guideId: string;
  startedAt: Date;
  claimedAt: Date;
};

export type CustomerEvidence = {
  visits: readonly ClaimedVisit[];
  trail: readonly BindingEvent[];
  homeStoreId: string | null;
};

export type Attribution = {
  rule: CreditRuleFired;
  storeId: string | null;
  guideId: string | null;
  evidence: Record<string, unknown>;
};

type VisitRule = Extract<CreditRule, { rule: 'claimed_visit' }>;

const DAY_MS = 86_400_000;

/** The day `days` after an ISO calendar day (UTC arithmetic is exact for whole days). */
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * When a claimed visit stops crediting orders (exclusive): `hours` — N × 24 h after the visit
 * started; `store_days` — the end of the N-th calendar day after the visit's day, in the visit
 * store's time zone (so a DST change inside the window makes it 1 h shorter or longer).
 */
export function visitWindowEnd(
  visit: Pick<ClaimedVisit, 'startedAt' | 'timezone'>,
  rule: VisitRule,
): Date {
  if (rule.measure === 'hours')
    return new Date(visit.startedAt.getTime() + rule.windowDays * DAY_MS);
  const lastDay = addDays(localDate(visit.startedAt, visit.timezone), rule.windowDays);
  return storeDay(lastDay, visit.timezone).to;
}

/**
 * The claimed visit that credits an order at `at`: the latest (by start) whose window holds `at`
 * (start ≤ at < end) and whose alert was claimed no later than `at` — a guide who claimed the
 * customer after the order did not win it.
 */
export function creditingVisit(
  visits: readonly ClaimedVisit[],
  at: Date,
  rule: VisitRule,
): ClaimedVisit | null {
  let best: ClaimedVisit | null = null;
  for (const v of visits) {
    if (v.startedAt.getTime() > at.getTime() || v.claimedAt.getTime() > at.getTime()) continue;
    if (at.getTime() >= visitWindowEnd(v, rule).getTime()) continue;
    if (
      !best ||
      v.startedAt.getTime() > best.startedAt.getTime() ||
      (v.startedAt.getTime() === best.startedAt.getTime() && v.visitId > best.visitId)
    )
      best = v;
  }
  return best;
}

/** Applies the chain to an order of the customer at `at`. */
export function attribute(rules: CreditRules, at: Date, evidence: CustomerEvidence): Attribution {
  const chain = rules.chain;
  for (const rule of chain) {
    if (rule.rule === 'claimed_visit') {
      const visit = creditingVisit(evidence.visits, at, rule);
      if (visit)
        return {
          rule: 'claimed_visit',
          storeId: visit.storeId,
          guideId: visit.guideId,
          evidence: {
            visitId: visit.visitId,
            alertId: visit.alertId,
            visitStartedAt: visit.startedAt.toISOString(),
            claimedAt: visit.claimedAt.toISOString(),
            windowEndsAt: visitWindowEnd(visit, rule).toISOString(),
            timezone: visit.timezone,
            chain,
          },
        };
    } else if (rule.rule === 'bound_guide') {
      const bound = boundGuideAt(evidence.trail, at);
      if (bound)
        return {
          rule: 'bound_guide',
          storeId: bound.storeId,
          guideId: bound.guideId,
          evidence: {
            bindingEventId: bound.event.id,
            bindingEvent: bound.event.event,
            boundAt: bound.event.at.toISOString(),
            chain,
          },
        };
    } else if (evidence.homeStoreId) {
      return {
        rule: 'home_store',
        storeId: evidence.homeStoreId,
        guideId: null,
        evidence: { homeStoreId: evidence.homeStoreId, chain },
      };
    }
  }
  return { rule: 'none', storeId: null, guideId: null, evidence: { chain } };
}
