import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDIT_RULES, type CreditRules } from '../../shared/protocol';
import { attribute, visitWindowEnd, type ClaimedVisit, type CustomerEvidence } from './attribution';
import type { BindingEvent } from './binding-trail';

const STORE_SH = '0190b000-0000-7000-8000-0000000000a1';
const STORE_BER = '0190b000-0000-7000-8000-0000000000a2';
const HOME = '0190b000-0000-7000-8000-0000000000a3';
const GUIDE_A = '0190b000-0000-7000-8000-0000000000b1';
const GUIDE_B = '0190b000-0000-7000-8000-0000000000b2';
const at = (iso: string) => new Date(iso);

const visit = (over: Partial<ClaimedVisit> = {}): ClaimedVisit => ({
  visitId: '0190b000-0000-7000-8000-0000000000c1',
  alertId: '0190b000-0000-7000-8000-0000000000d1',
  storeId: STORE_SH,
  timezone: 'Asia/Shanghai',
  guideId: GUIDE_A,
  // Tuesday 2026-03-03 15:00 in Shanghai
  startedAt: at('2026-03-03T07:00:00Z'),
  claimedAt: at('2026-03-03T07:02:00Z'),
  ...over,
});
const evidence = (over: Partial<CustomerEvidence> = {}): CustomerEvidence => ({
  visits: [],
  trail: [],
  homeStoreId: null,
  ...over,
});
const hours: CreditRules = {
  chain: [
    { rule: 'claimed_visit', windowDays: 7, measure: 'hours' },
    { rule: 'bound_guide' },
    { rule: 'home_store' },
  ],
};

describe('the claimed-visit window', () => {
  it('store_days (default): through the end of the 7th local day after the visit day', () => {
    // Visit on 03-03 15:00 Shanghai: the window closes at 03-11 00:00 Shanghai = 03-10 16:00Z.
    const v = visit();
    expect(visitWindowEnd(v, DEFAULT_CREDIT_RULES.chain[0] as never).toISOString()).toBe(
      '2026-03-10T16:00:00.000Z',
    );
    const inside = attribute(
      DEFAULT_CREDIT_RULES,
      at('2026-03-10T15:59:59.999Z'),
      evidence({ visits: [v] }),
    );
    expect(inside).toMatchObject({ rule: 'claimed_visit', storeId: STORE_SH, guideId: GUIDE_A });
    expect(inside.evidence).toMatchObject({ visitId: v.visitId, alertId: v.alertId });
    const outside = attribute(
      DEFAULT_CREDIT_RULES,
      at('2026-03-10T16:00:00Z'),
      evidence({ visits: [v], homeStoreId: HOME }),
    );
    expect(outside).toMatchObject({ rule: 'home_store', storeId: HOME, guideId: null });
  });

  it('hours: exactly 7 × 24 h from the visit start', () => {
    const v = visit();
    expect(attribute(hours, at('2026-03-10T06:59:59.999Z'), evidence({ visits: [v] })).rule).toBe(
      'claimed_visit',
    );
    expect(attribute(hours, at('2026-03-10T07:00:00Z'), evidence({ visits: [v] })).rule).toBe(
      'none',
    );
  });

  it('store_days across the spring DST change in Berlin is an hour shorter; hours is not', () => {
    // Visit Monday 2026-03-23 10:00 CET (09:00Z). Clocks go forward on 03-29.
    // store_days: ends 2026-03-31 00:00 CEST = 03-30 22:00Z (7 d 13 h − 1 h after the start).
    const v = visit({
      storeId: STORE_BER,
      timezone: 'Europe/Berlin',
      startedAt: at('2026-03-23T09:00:00Z'),
      claimedAt: at('2026-03-23T09:01:00Z'),
    });
    expect(visitWindowEnd(v, DEFAULT_CREDIT_RULES.chain[0] as never).toISOString()).toBe(
      '2026-03-30T22:00:00.000Z',
    );
    expect(
      attribute(DEFAULT_CREDIT_RULES, at('2026-03-30T21:59:59Z'), evidence({ visits: [v] })).rule,
    ).toBe('claimed_visit');
    expect(
      attribute(DEFAULT_CREDIT_RULES, at('2026-03-30T22:00:00Z'), evidence({ visits: [v] })).rule,
    ).toBe('none');
    // hours: 03-30 09:00Z, which is 11:00 CEST local (the wall clock moved an hour).
    expect(visitWindowEnd(v, hours.chain[0] as never).toISOString()).toBe(
      '2026-03-30T09:00:00.000Z',
    );
  });

  it('needs the claim before the order, and credits the latest qualifying visit', () => {
    const early = visit({ visitId: '0190b000-0000-7000-8000-0000000000c1', guideId: GUIDE_A });
    const later = visit({
      visitId: '0190b000-0000-7000-8000-0000000000c2',
      guideId: GUIDE_B,
      storeId: STORE_BER,
      timezone: 'Europe/Berlin',
      startedAt: at('2026-03-05T10:00:00Z'),
      claimedAt: at('2026-03-05T10:05:00Z'),
    });
    const ev = evidence({ visits: [later, early] });
    // Before the second visit's claim: the first visit still credits.
    expect(attribute(DEFAULT_CREDIT_RULES, at('2026-03-05T10:04:00Z'), ev)).toMatchObject({
      guideId: GUIDE_A,
    });
    expect(attribute(DEFAULT_CREDIT_RULES, at('2026-03-05T10:05:00Z'), ev)).toMatchObject({
      guideId: GUIDE_B,
      storeId: STORE_BER,
    });
    // An order before the visit started is not credited to it.
    expect(attribute(DEFAULT_CREDIT_RULES, at('2026-03-03T06:59:59Z'), ev).rule).toBe('none');
  });
});

describe('the chain', () => {
  const trail: BindingEvent[] = [
    {
      id: '0190b000-0000-7000-8000-0000000000e1',
      customerId: 'c',
      event: 'bound',
      guideId: GUIDE_A,
      storeId: STORE_SH,
      at: at('2026-01-01T00:00:00Z'),
    },
    {
      id: '0190b000-0000-7000-8000-0000000000e2',
      customerId: 'c',
      event: 'transferred',
      guideId: GUIDE_B,
      storeId: STORE_SH,
      at: at('2026-02-01T00:00:00Z'),
    },
    {
      id: '0190b000-0000-7000-8000-0000000000e3',
      customerId: 'c',
      event: 'released',
      guideId: null,
      storeId: STORE_SH,
      at: at('2026-03-01T00:00:00Z'),
    },
  ];
  it('bound guide at the order time: before, at and after a transfer and a release', () => {
    const ev = evidence({ trail, homeStoreId: HOME });
    expect(attribute(DEFAULT_CREDIT_RULES, at('2025-12-31T23:59:59Z'), ev)).toMatchObject({
      rule: 'home_store',
    });
    expect(attribute(DEFAULT_CREDIT_RULES, at('2026-01-15T00:00:00Z'), ev)).toMatchObject({
      rule: 'bound_guide',
      guideId: GUIDE_A,
    });
    const transferred = attribute(DEFAULT_CREDIT_RULES, at('2026-02-01T00:00:00Z'), ev);
    expect(transferred).toMatchObject({ rule: 'bound_guide', guideId: GUIDE_B, storeId: STORE_SH });
    expect(transferred.evidence).toMatchObject({
      bindingEventId: trail[1]!.id,
      bindingEvent: 'transferred',
    });
    expect(attribute(DEFAULT_CREDIT_RULES, at('2026-03-01T00:00:00Z'), ev)).toMatchObject({
      rule: 'home_store',
      storeId: HOME,
    });
  });
  it('a claimed visit beats the bound guide; a reordered chain puts the binding first', () => {
    const ev = evidence({
      trail,
      visits: [
        visit({
          startedAt: at('2026-01-20T00:00:00Z'),
          claimedAt: at('2026-01-20T00:01:00Z'),
          guideId: GUIDE_B,
        }),
      ],
    });
    expect(attribute(DEFAULT_CREDIT_RULES, at('2026-01-21T00:00:00Z'), ev)).toMatchObject({
      rule: 'claimed_visit',
      guideId: GUIDE_B,
    });
    const bindingFirst: CreditRules = {
      chain: [
        { rule: 'bound_guide' },
        { rule: 'claimed_visit', windowDays: 7, measure: 'store_days' },
      ],
    };
    expect(attribute(bindingFirst, at('2026-01-21T00:00:00Z'), ev)).toMatchObject({
      rule: 'bound_guide',
      guideId: GUIDE_A,
    });
  });
  it('nobody: no visit, no binding, no home store — or an empty chain', () => {
    expect(attribute(DEFAULT_CREDIT_RULES, at('2026-01-21T00:00:00Z'), evidence())).toMatchObject({
      rule: 'none',
      storeId: null,
      guideId: null,
    });
    expect(
      attribute({ chain: [] }, at('2026-01-21T00:00:00Z'), evidence({ homeStoreId: HOME })).rule,
    ).toBe('none');
  });
});
