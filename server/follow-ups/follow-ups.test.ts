import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { TerminalPrincipal } from '../auth/guards';
import type { Db } from '../db/database';
import { migrate } from '../db/migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import { storeDayStats, storeRangeStats } from '../stats/service';
import { followUpFeedPage } from './feed';
import { generateFollowUps } from './generate';
import { ingestFollowUpOutcomes, ingestVisitOutcomes } from './outcomes';

/**
 * Follow-up generation and outcomes against a real (embedded) database with an injected clock.
 * Every expected instant is computed by hand in the comments.
 */
const BERLIN = { id: newId(), tz: 'Europe/Berlin' };
const SHANGHAI = { id: newId(), tz: 'Asia/Shanghai' };
const ids = {
  guideA: newId(),
  guideB: newId(),
  manager: newId(),
  shanghaiGuide: newId(),
  terminal: newId(),
  shanghaiTerminal: newId(),
};
const berlinTerminal: TerminalPrincipal = {
  terminalId: ids.terminal,
  storeId: BERLIN.id,
  name: 'T',
};
const shanghaiTerminal: TerminalPrincipal = {
  terminalId: ids.shanghaiTerminal,
  storeId: SHANGHAI.id,
  name: 'T2',
};
const OPTIONS = { afterPurchaseDays: 7 };

describe('follow-ups on the hub (injected clock, PGlite)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestPglite({ migrated: true });
    await migrate(db);
    for (const s of [BERLIN, SHANGHAI])
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', $2, 0, 0)`,
        [s.id, s.tz],
      );
    for (const [id, store, role] of [
      [ids.guideA, BERLIN.id, 'guide'],
      [ids.guideB, BERLIN.id, 'guide'],
      [ids.manager, BERLIN.id, 'manager'],
      [ids.shanghaiGuide, SHANGHAI.id, 'guide'],
    ] as const)
      await db.query(
        `insert into guides(id, store_id, name, role, pin_hash) values ($1, $2, 'G', $3, 'x')`,
        [id, store, role],
      );
    await db.query(
      `insert into terminals(id, store_id, name, token_hash) values ($1, $2, 'T', 'a'), ($3, $4, 'T2', 'b')`,
      [ids.terminal, BERLIN.id, ids.shanghaiTerminal, SHANGHAI.id],
    );
  }, 60_000);
  afterAll(() => db.close());

  const customer = async (fields: { home?: string; birthday?: string; wish?: string[] } = {}) => {
    const id = newId();
    await db.query(
      `insert into customers(id, seq, name, member_code, home_store_id, birthday, online)
       values ($1, nextval('change_seq'), 'C', $2, $3, $4, $5::jsonb)`,
      [
        id,
        `M${id.slice(-12)}`,
        fields.home ?? null,
        fields.birthday ?? null,
        JSON.stringify({
          viewed: [],
          carted: [],
          wishlisted: (fields.wish ?? []).map((sku) => ({ sku, at: '2026-01-01T00:00:00Z' })),
          onlineOrders: 0,
          onlineSpend: 0,
          lastOnlineAt: null,
          channel: null,
        }),
      ],
    );
    return id;
  };
  /** A visit with its alert, claimed by `claimedBy` (or open). */
  const visit = async (
    storeId: string,
    customerId: string,
    startedAt: string,
    claimedBy: string | null,
  ) => {
    const [visitId, alertId] = [newId(), newId()];
    await db.query(
      `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
       values ($1, $2, $3, 'wifi', $4, $4, $5)`,
      [visitId, storeId, customerId, startedAt, alertId],
    );
    await db.query(
      `insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, status,
                          claimed_by, claimed_at, card)
       values ($1, $2, $3, $4, 'wifi', $5, $5::timestamptz + interval '30 minutes', $6, $7, $5, '{}')`,
      [alertId, visitId, storeId, customerId, startedAt, claimedBy ? 'claimed' : 'open', claimedBy],
    );
    return { visitId, alertId };
  };
  const tasks = async (customerId: string) =>
    db.query<{
      id: string;
      kind: string;
      source: string;
      due_at: Date;
      guide_id: string | null;
      status: string;
      detail: Record<string, unknown>;
    }>(
      `select id::text as id, kind, source, due_at, guide_id::text as guide_id, status, detail
         from follow_up_tasks where customer_id = $1 order by kind, source`,
      [customerId],
    );

  it('a visit outcome is stored once, checked against store and claim, and makes a task due the next local day (DST)', async () => {
    const c = await customer({ home: BERLIN.id });
    // Sun 29 Mar 2026, 10:00 CEST (08:00Z), the day clocks go forward; claimed by guide A.
    const { alertId } = await visit(BERLIN.id, c, '2026-03-29T08:00:00Z', ids.guideA);
    const now = new Date('2026-03-29T08:20:00Z');
    const outcome = {
      id: newId(),
      alertId,
      guideId: ids.guideA,
      reason: 'size_missing' as const,
      at: '2026-03-29T08:15:00Z',
    };
    // Another store's terminal, and a guide who did not claim the customer, are refused.
    const wrongStore = await ingestVisitOutcomes(
      db,
      shanghaiTerminal,
      [{ ...outcome, guideId: ids.shanghaiGuide }],
      { now, ...OPTIONS },
    );
    expect(wrongStore.results[0]).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('not an alert of this store'),
    });
    const notClaimer = await ingestVisitOutcomes(
      db,
      berlinTerminal,
      [{ ...outcome, guideId: ids.guideB }],
      { now, ...OPTIONS },
    );
    expect(notClaimer.results[0]?.status).toBe('rejected');

    const first = await ingestVisitOutcomes(db, berlinTerminal, [outcome, outcome], {
      now,
      ...OPTIONS,
    });
    expect(first.results.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
    expect(first.storesChanged).toEqual(new Set([BERLIN.id]));
    // Resent after a lost answer, and a second outcome for the same visit by the manager.
    const again = await ingestVisitOutcomes(
      db,
      berlinTerminal,
      [outcome, { ...outcome, id: newId(), guideId: ids.manager, reason: 'price' }],
      { now, ...OPTIONS },
    );
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    const stored = await db.query<{ reason: string; n: number }>(
      `select reason, count(*) over ()::int as n from visit_outcomes where alert_id = $1`,
      [alertId],
    );
    expect(stored).toEqual([{ reason: 'size_missing', n: 1 }]);

    // Due Mon 30 Mar 00:00 CEST = 29 Mar 22:00Z; the customer is unbound, so the store pool.
    const [task] = await tasks(c);
    expect(task).toMatchObject({
      kind: 'visit_no_purchase',
      guide_id: null,
      status: 'open',
      detail: { reason: 'size_missing' },
    });
    expect(new Date(task!.due_at).toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('generation run twice gives the same tasks; a claimed visit without outcome counts once it is over', async () => {
    const c = await customer({ home: BERLIN.id });
    // Bound to guide B at Berlin: the task is B's.
    await db.query(
      `insert into customer_bindings(customer_id, guide_id, store_id, rule, bound_at, last_contact_at)
       values ($1, $2, $3, 'test', '2026-01-01Z', '2026-01-01Z')`,
      [c, ids.guideB, BERLIN.id],
    );
    // Sun 25 Oct 2026 12:00 CET (11:00Z), the day clocks go back.
    await visit(BERLIN.id, c, '2026-10-25T11:00:00Z', ids.guideB);
    // 29 minutes later the visit may still go on: no task.
    await generateFollowUps(db, { now: new Date('2026-10-25T11:29:00Z'), ...OPTIONS });
    expect(await tasks(c)).toEqual([]);
    await generateFollowUps(db, { now: new Date('2026-10-25T11:31:00Z'), ...OPTIONS });
    const once = await tasks(c);
    await generateFollowUps(db, { now: new Date('2026-10-25T11:45:00Z'), ...OPTIONS });
    expect(await tasks(c)).toEqual(once);
    expect(once).toHaveLength(1);
    // Mon 26 Oct 00:00 CET = 25 Oct 23:00Z.
    expect(once[0]).toMatchObject({ kind: 'visit_no_purchase', guide_id: ids.guideB });
    expect(new Date(once[0]!.due_at).toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('two visits without purchase make one open follow-up, for the later visit', async () => {
    const c = await customer({ home: BERLIN.id });
    await visit(BERLIN.id, c, '2026-09-01T09:00:00Z', ids.guideA);
    const later = await visit(BERLIN.id, c, '2026-09-02T09:00:00Z', ids.guideA);
    await generateFollowUps(db, { now: new Date('2026-09-02T12:00:00Z'), ...OPTIONS });
    await generateFollowUps(db, { now: new Date('2026-09-02T13:00:00Z'), ...OPTIONS });
    const list = await tasks(c);
    expect(list.map((t) => t.source)).toEqual([later.visitId]);
    // Thu 3 Sep 00:00 CEST = 2 Sep 22:00Z.
    expect(new Date(list[0]!.due_at).toISOString()).toBe('2026-09-02T22:00:00.000Z');
  });

  it('a visit the customer bought in makes no task', async () => {
    const c = await customer({ home: BERLIN.id });
    await visit(BERLIN.id, c, '2026-05-04T09:00:00Z', ids.guideA);
    await db.query(
      `insert into orders(id, store_id, terminal_id, guide_id, customer_id, payment_method, created_at, total, units)
       values ($1, $2, $3, $4, $5, 'cash', '2026-05-04T09:10:00Z', 100, 1)`,
      [newId(), BERLIN.id, ids.terminal, ids.guideA, c],
    );
    await generateFollowUps(db, { now: new Date('2026-05-04T10:00:00Z'), ...OPTIONS });
    expect((await tasks(c)).filter((t) => t.kind === 'visit_no_purchase')).toEqual([]);
  });

  it('N days after an in-store purchase: due at that local midnight, not before', async () => {
    const c = await customer({ home: BERLIN.id });
    const orderId = newId();
    // Wed 25 Mar 2026 13:00 CET; +7 days = Wed 1 Apr 00:00 CEST = 31 Mar 22:00Z.
    await db.query(
      `insert into orders(id, store_id, terminal_id, guide_id, customer_id, payment_method, created_at, total, units)
       values ($1, $2, $3, $4, $5, 'cash', '2026-03-25T12:00:00Z', 100, 1)`,
      [orderId, BERLIN.id, ids.terminal, ids.guideA, c],
    );
    await generateFollowUps(db, { now: new Date('2026-03-31T21:59:00Z'), ...OPTIONS });
    expect(await tasks(c)).toEqual([]);
    await generateFollowUps(db, { now: new Date('2026-03-31T22:00:00Z'), ...OPTIONS });
    await generateFollowUps(db, { now: new Date('2026-04-01T08:00:00Z'), ...OPTIONS });
    const list = await tasks(c);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ kind: 'after_purchase', source: orderId, detail: { days: 7 } });
    expect(new Date(list[0]!.due_at).toISOString()).toBe('2026-03-31T22:00:00.000Z');
  });

  it('a birthday week across New Year makes one task for next year’s birthday', async () => {
    const c = await customer({ home: SHANGHAI.id, birthday: '1990-01-01' });
    // Wed 30 Dec 2026 in Shanghai: the week Mon 28 Dec – Sun 3 Jan holds 1 Jan 2027.
    await generateFollowUps(db, { now: new Date('2026-12-30T04:00:00Z'), ...OPTIONS });
    await generateFollowUps(db, { now: new Date('2027-01-03T15:59:00Z'), ...OPTIONS });
    const list = await tasks(c);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ kind: 'birthday', source: '2027' });
    // Mon 28 Dec 00:00 +08 = 27 Dec 16:00Z.
    expect(new Date(list[0]!.due_at).toISOString()).toBe('2026-12-27T16:00:00.000Z');
    // The week after: nothing new.
    await generateFollowUps(db, { now: new Date('2027-01-05T04:00:00Z'), ...OPTIONS });
    expect(await tasks(c)).toHaveLength(1);
  });

  it('a wish-listed item back in stock here, then cheaper, makes one task each', async () => {
    const [productId, sku] = [newId(), `SKU-${newId().slice(-8)}`];
    await db.query(
      `insert into products(id, sku, name, category, price) values ($1, $2, 'Coat', 'coats', 129900)`,
      [productId, sku],
    );
    await db.query(
      `insert into store_products(store_id, product_id, stock, seq) values ($1, $2, 0, nextval('change_seq'))`,
      [SHANGHAI.id, productId],
    );
    const c = await customer({ home: SHANGHAI.id, wish: [sku] });
    const now = new Date('2026-07-01T02:00:00Z');
    // The first sweep only sets the marks.
    await generateFollowUps(db, { now, ...OPTIONS });
    expect(await tasks(c)).toEqual([]);
    await db.query('update store_products set stock = 3 where product_id = $1', [productId]);
    await generateFollowUps(db, { now, ...OPTIONS });
    await generateFollowUps(db, { now, ...OPTIONS });
    let list = await tasks(c);
    expect(list.map((t) => t.detail)).toEqual([{ sku, change: 'restocked' }]);
    expect(new Date(list[0]!.due_at).toISOString()).toBe(now.toISOString());
    await db.query('update products set price = 99900 where id = $1', [productId]);
    await generateFollowUps(db, { now, ...OPTIONS });
    list = await tasks(c);
    expect(list.map((t) => t.detail.change).sort()).toEqual(['cheaper', 'restocked']);
    expect(list.find((t) => t.detail.change === 'cheaper')?.detail).toMatchObject({
      oldPrice: 129900,
      newPrice: 99900,
    });
  });

  it('a task outcome closes the task once, counts as contact, and moves the task on the feed', async () => {
    const c = await customer({ home: BERLIN.id });
    await db.query(
      `insert into customer_bindings(customer_id, guide_id, store_id, rule, bound_at, last_contact_at)
       values ($1, $2, $3, 'test', '2026-01-01Z', '2026-01-01Z')`,
      [c, ids.guideA, BERLIN.id],
    );
    const { alertId } = await visit(BERLIN.id, c, '2026-06-01T09:00:00Z', ids.guideA);
    await ingestVisitOutcomes(
      db,
      berlinTerminal,
      [
        {
          id: newId(),
          alertId,
          guideId: ids.guideA,
          reason: 'will_return',
          at: '2026-06-01T09:20:00Z',
        },
      ],
      { now: new Date('2026-06-01T09:21:00Z'), ...OPTIONS },
    );
    const [task] = await tasks(c);
    expect(task?.guide_id).toBe(ids.guideA);
    const before = await followUpFeedPage(db, BERLIN.id, {
      after: '0',
      limit: 1000,
      withTotal: true,
    });
    expect(before.items.find((i) => i.id === task!.id)?.status).toBe('open');

    const outcome = {
      id: newId(),
      taskId: task!.id,
      guideId: ids.guideA,
      outcome: 'came_back' as const,
      note: '周末来试穿',
      at: '2026-06-02T10:00:00Z',
    };
    // Another store's terminal, and a guide it is not assigned to, are refused.
    expect(
      (
        await ingestFollowUpOutcomes(db, shanghaiTerminal, [
          { ...outcome, guideId: ids.shanghaiGuide },
        ])
      ).results[0]?.status,
    ).toBe('rejected');
    expect(
      (await ingestFollowUpOutcomes(db, berlinTerminal, [{ ...outcome, guideId: ids.guideB }]))
        .results[0]?.status,
    ).toBe('rejected');
    const done = await ingestFollowUpOutcomes(db, berlinTerminal, [outcome]);
    expect(done.results).toEqual([{ id: outcome.id, status: 'accepted' }]);
    // Resent (lost answer) and a colleague's later outcome: duplicates, the first stands.
    const again = await ingestFollowUpOutcomes(db, berlinTerminal, [
      outcome,
      { ...outcome, id: newId(), guideId: ids.manager, outcome: 'bought' },
    ]);
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    const [row] = await db.query<{ status: string; outcome: string; note: string; n: number }>(
      `select status, outcome, note, (select count(*)::int from follow_up_tasks where outcome_id is not null and customer_id = $2) as n
         from follow_up_tasks where id = $1`,
      [task!.id, c],
    );
    expect(row).toEqual({ status: 'done', outcome: 'came_back', note: '周末来试穿', n: 1 });
    const [binding] = await db.query<{ last_contact_at: Date }>(
      'select last_contact_at from customer_bindings where customer_id = $1',
      [c],
    );
    expect(new Date(binding!.last_contact_at).toISOString()).toBe('2026-06-02T10:00:00.000Z');
    // The feed after the old cursor carries the task again, closed.
    const after = await followUpFeedPage(db, BERLIN.id, {
      after: before.cursor,
      limit: 1000,
      withTotal: false,
    });
    expect(after.items.filter((i) => i.id === task!.id)).toEqual([
      expect.objectContaining({
        status: 'done',
        outcome: 'came_back',
        doneAt: '2026-06-02T10:00:00.000Z',
      }),
    ]);
    // A terminal starting from scratch does not get it.
    const fresh = await followUpFeedPage(db, BERLIN.id, {
      after: '0',
      limit: 1000,
      withTotal: true,
    });
    expect(fresh.items.some((i) => i.id === task!.id)).toBe(false);
  });

  it('the dashboard counts no-purchase reasons by the visit’s local day', async () => {
    const c1 = await customer({ home: SHANGHAI.id });
    const c2 = await customer({ home: SHANGHAI.id });
    const c3 = await customer({ home: SHANGHAI.id });
    // 2026-08-10 local (UTC+8): 01:00Z and 15:59Z are that day; 16:00Z is the 11th.
    const v1 = await visit(SHANGHAI.id, c1, '2026-08-10T01:00:00Z', ids.shanghaiGuide);
    const v2 = await visit(SHANGHAI.id, c2, '2026-08-10T15:59:00Z', ids.shanghaiGuide);
    const v3 = await visit(SHANGHAI.id, c3, '2026-08-10T16:00:00Z', ids.shanghaiGuide);
    const now = new Date('2026-08-10T17:00:00Z');
    await ingestVisitOutcomes(
      db,
      shanghaiTerminal,
      [
        {
          id: newId(),
          alertId: v1.alertId,
          guideId: ids.shanghaiGuide,
          reason: 'price',
          at: '2026-08-10T01:30:00Z',
        },
        {
          id: newId(),
          alertId: v2.alertId,
          guideId: ids.shanghaiGuide,
          reason: 'price',
          at: '2026-08-10T16:10:00Z',
        },
        {
          id: newId(),
          alertId: v3.alertId,
          guideId: ids.shanghaiGuide,
          reason: 'other',
          note: '等朋友',
          at: '2026-08-10T16:20:00Z',
        },
      ],
      { now, ...OPTIONS },
    );
    const { days } = await storeDayStats(db, SHANGHAI.id, ['2026-08-10', '2026-08-11']);
    expect(days[0]?.noPurchaseReasons).toEqual({
      size_missing: 0,
      price: 2,
      just_browsing: 0,
      will_return: 0,
      other: 0,
    });
    expect(days[1]?.noPurchaseReasons).toEqual({
      size_missing: 0,
      price: 0,
      just_browsing: 0,
      will_return: 0,
      other: 1,
    });
    const range = await storeRangeStats(db, SHANGHAI.id, '2026-08-10', '2026-08-11');
    expect(range.total.noPurchaseReasons).toEqual({
      size_missing: 0,
      price: 2,
      just_browsing: 0,
      will_return: 0,
      other: 1,
    });
  });
});
