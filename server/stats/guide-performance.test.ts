import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { emptyCounts, type KpiCounts } from '../../shared/domain/kpi';
import { emptyNoPurchaseCounts } from '../../shared/protocol';
import type { Db } from '../db/database';
import { migrate } from '../db/migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import { storePerformanceFor } from './guide-performance';
import { storeDayWithPerformance, storeRangeStats } from './service';

/**
 * 导购业绩 (#15 item 6) against a real (embedded) database, rows written directly. The day is
 * 2026-03-10 in Shanghai (UTC+8): [2026-03-09T16:00Z, 2026-03-10T16:00Z). Expected figures are
 * worked out by hand next to each fixture row.
 */
const STORE = newId();
const [A, B, C, D] = [newId(), newId(), newId(), newId()];
const TERMINAL = newId();
const DAY = { from: new Date('2026-03-09T16:00:00Z'), to: new Date('2026-03-10T16:00:00Z') };

describe('guide performance (导购业绩) for a store-local period (PGlite)', () => {
  let db: Db;
  const customer = async () => {
    const id = newId();
    await db.query(
      `insert into customers(id, seq, name, member_code, home_store_id)
       values ($1, nextval('change_seq'), 'C', $2, $3)`,
      [id, `M${id.slice(-12)}`, STORE],
    );
    return id;
  };
  const task = (guide: string, due: string, status: 'open' | 'done', doneAt: string | null) =>
    customer().then((c) =>
      db.query(
        `insert into follow_up_tasks(id, seq, store_id, customer_id, guide_id, kind, source,
                                     due_at, status, created_at, outcome, outcome_guide_id, done_at)
         values ($1, nextval('follow_up_seq'), $2, $3, $4, 'birthday', $5, $6, $7, $6, $8, $9, $10)`,
        [
          newId(),
          STORE,
          c,
          guide,
          newId(),
          due,
          status,
          status === 'done' ? 'contacted' : null,
          status === 'done' ? guide : null,
          doneAt,
        ],
      ),
    );
  const credit = async (guide: string | null, amount: number, at: string) => {
    const [c, orderId] = [await customer(), `W${newId()}`];
    await db.query(
      `insert into online_orders(id, kind, customer_id, channel, at, amount, lines, body_hash, state)
       values ($1, 'order', $2, 'app', $3, $4, '[]', 'h', 'credited')`,
      [orderId, c, at, Math.abs(amount)],
    );
    await db.query(
      `insert into online_credits(id, order_id, line_id, kind, rule, store_id, guide_id, amount, at,
                                  evidence)
       values ($1, $2, $2, 'sale', $3, $4, $5, $6, $7, '{}')`,
      [newId(), orderId, guide ? 'bound_guide' : 'home_store', STORE, guide, amount, at],
    );
  };
  const outcome = async (guide: string, reason: string, startedAt: string) => {
    const [c, visitId, alertId] = [await customer(), newId(), newId()];
    await db.query(
      `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
       values ($1, $2, $3, 'wifi', $4, $4, $5)`,
      [visitId, STORE, c, startedAt, alertId],
    );
    await db.query(
      `insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at,
                          status, claimed_by, claimed_at, card)
       values ($1, $2, $3, $4, 'wifi', $5, $5, 'claimed', $6, $5, '{}')`,
      [alertId, visitId, STORE, c, startedAt, guide],
    );
    await db.query(
      `insert into visit_outcomes(id, visit_id, alert_id, store_id, customer_id, guide_id,
                                  terminal_id, reason, at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [newId(), visitId, alertId, STORE, c, guide, TERMINAL, reason, startedAt],
    );
  };

  beforeAll(async () => {
    db = await openTestPglite({ migrated: true });
    await migrate(db);
    await db.query(
      `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 0, 0)`,
      [STORE],
    );
    for (const [id, name, active] of [
      [A, '李娜', true],
      [B, '王芳', true],
      [C, '张伟', false],
      [D, '刘洋', false],
    ] as const)
      await db.query(
        `insert into guides(id, store_id, name, role, pin_hash, active)
         values ($1, $2, $3, 'guide', 'x', $4)`,
        [id, STORE, name, active],
      );
    await db.query(
      `insert into terminals(id, store_id, name, token_hash) values ($1, $2, 'T', 'a')`,
      [TERMINAL, STORE],
    );
    // Bindings now: A 2, B 1.
    for (const guide of [A, A, B])
      await db.query(
        `insert into customer_bindings(customer_id, guide_id, store_id, rule, bound_at,
                                       last_contact_at)
         values ($1, $2, $3, 'registeredBy', '2026-03-01Z', '2026-03-01Z')`,
        [await customer(), guide, STORE],
      );
    // Follow-ups, all due at the day's local midnight (2026-03-09T16:00Z):
    await task(A, '2026-03-09T16:00:00Z', 'done', '2026-03-10T02:00:00Z'); // A: done in the day
    await task(A, '2026-03-09T16:00:00Z', 'open', null); // A: still open
    await task(B, '2026-03-09T16:00:00Z', 'done', '2026-03-11T03:00:00Z'); // B: done the day after
    // Online credit: A 50,000 − 20,000 refund = 30,000; the pool 30,000; D 10,000 (deactivated
    // since); A's 99,999 the next local day (2026-03-10T16:00Z is 00:00 on the 11th) is outside.
    await credit(A, 50_000, '2026-03-10T04:00:00Z');
    await credit(A, -20_000, '2026-03-10T06:00:00Z');
    await credit(null, 30_000, '2026-03-09T16:00:00Z');
    await credit(D, 10_000, '2026-03-10T15:59:59Z');
    await credit(A, 99_999, '2026-03-10T16:00:00Z');
    // No-purchase reasons by the visit's start: A price (in the day), B size_missing (in the
    // day), A just_browsing the day before (2026-03-09T15:59Z is 23:59 on the 9th: outside).
    await outcome(A, 'price', '2026-03-10T01:00:00Z');
    await outcome(B, 'size_missing', '2026-03-09T16:00:00Z');
    await outcome(A, 'just_browsing', '2026-03-09T15:59:00Z');
  }, 60_000);
  afterAll(() => db.close());

  const guides = [
    { id: A, name: '李娜', active: true },
    { id: B, name: '王芳', active: true },
    { id: C, name: '张伟', active: false },
    { id: D, name: '刘洋', active: false },
  ];
  const floor = (convertedVisits: number, revenue: number): KpiCounts => ({
    ...emptyCounts(),
    convertedVisits,
    revenue,
  });
  const inStore = new Map([
    [A, floor(2, 120_000)],
    [B, floor(1, 45_000)],
  ]);
  const reasons = (fields: Partial<ReturnType<typeof emptyNoPurchaseCounts>>) => ({
    ...emptyNoPurchaseCounts(),
    ...fields,
  });

  it('a finished day: figures per guide, overdue as at the day’s end, best credited first', async () => {
    const perf = await storePerformanceFor(db, {
      storeId: STORE,
      timezone: 'Asia/Shanghai',
      ...DAY,
      now: new Date('2026-03-12T00:00:00Z'),
      guides,
      inStore,
    });
    expect(perf.creditedOnline).toBe(70_000);
    expect(perf.creditedOnlinePool).toBe(30_000);
    // C (deactivated, nothing in the day) is left out; D (deactivated, credited) stays.
    expect(perf.guides).toEqual([
      {
        guideId: A,
        name: '李娜',
        boundCustomers: 2,
        followUpsDone: 1,
        // at the day's end the open task was due before that local day began (the 11th)
        followUpsOverdue: 1,
        convertedVisits: 2,
        inStoreRevenue: 120_000,
        creditedOnline: 30_000,
        creditedRevenue: 150_000,
        noPurchaseReasons: reasons({ price: 1 }),
      },
      {
        guideId: B,
        name: '王芳',
        boundCustomers: 1,
        followUpsDone: 0,
        // done on the 11th: still open when the 10th ended
        followUpsOverdue: 1,
        convertedVisits: 1,
        inStoreRevenue: 45_000,
        creditedOnline: 0,
        creditedRevenue: 45_000,
        noPurchaseReasons: reasons({ size_missing: 1 }),
      },
      {
        guideId: D,
        name: '刘洋',
        boundCustomers: 0,
        followUpsDone: 0,
        followUpsOverdue: 0,
        convertedVisits: 0,
        inStoreRevenue: 0,
        creditedOnline: 10_000,
        creditedRevenue: 10_000,
        noPurchaseReasons: reasons({}),
      },
    ]);
  });

  it('while the day runs, a task due at today’s local midnight is due, not overdue', async () => {
    const perf = await storePerformanceFor(db, {
      storeId: STORE,
      timezone: 'Asia/Shanghai',
      ...DAY,
      now: new Date('2026-03-10T05:00:00Z'),
      guides,
      inStore,
    });
    expect(perf.guides.map((g) => [g.name, g.followUpsOverdue])).toEqual([
      ['李娜', 0],
      ['王芳', 0],
      ['刘洋', 0],
    ]);
  });

  it('the day and range answers carry it; a two-day range counts the next day’s sale', async () => {
    const now = new Date('2026-03-12T00:00:00Z');
    const day = await storeDayWithPerformance(db, STORE, '2026-03-10', now);
    expect(day.performance?.creditedOnline).toBe(70_000);
    // no orders were written: the counter figures are zero here
    expect(day.performance?.guides.find((g) => g.guideId === A)).toMatchObject({
      inStoreRevenue: 0,
      creditedRevenue: 30_000,
    });
    const range = await storeRangeStats(db, STORE, '2026-03-10', '2026-03-11', now);
    const a = range.total.performance?.guides.find((g) => g.guideId === A);
    expect(a).toMatchObject({ creditedOnline: 129_999, followUpsDone: 1 });
    // B's task was done on the 11th: in the range, and no longer overdue at its end
    expect(range.total.performance?.guides.find((g) => g.guideId === B)).toMatchObject({
      followUpsDone: 1,
      followUpsOverdue: 0,
    });
  });
});
