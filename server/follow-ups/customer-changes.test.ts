import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { eraseCustomer } from '../customers/erase';
import { mergeCustomers } from '../customers/merge';
import type { Db } from '../db/database';
import { migrate } from '../db/migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import { followUpFeedPage } from './feed';

/**
 * An erasure and a merge reach the follow-ups (#15 items 3, 5) and the binding (item 1): the
 * guides' notes about an erased customer are wiped and their open tasks leave the terminals; a
 * duplicate's tasks, visit outcomes and binding go to the surviving customer. Real (embedded)
 * database, rows written directly.
 */
const STORE = newId();
const GUIDE = newId();
const GUIDE_B = newId();
const TERMINAL = newId();

describe('erasure and merge reach follow-ups and bindings (PGlite)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestPglite({ migrated: true });
    await migrate(db);
    await db.query(
      `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 0, 0)`,
      [STORE],
    );
    for (const id of [GUIDE, GUIDE_B])
      await db.query(
        `insert into guides(id, store_id, name, role, pin_hash) values ($1, $2, 'G', 'guide', 'x')`,
        [id, STORE],
      );
    await db.query(
      `insert into terminals(id, store_id, name, token_hash) values ($1, $2, 'T', 'a')`,
      [TERMINAL, STORE],
    );
  }, 60_000);
  afterAll(() => db.close());

  const customer = async () => {
    const id = newId();
    await db.query(
      `insert into customers(id, seq, name, member_code, home_store_id)
       values ($1, nextval('change_seq'), '王芳', $2, $3)`,
      [id, `M${id.slice(-12)}`, STORE],
    );
    return id;
  };
  const bind = (customerId: string, guideId: string, lastContact: string) =>
    db.query(
      `insert into customer_bindings(customer_id, guide_id, store_id, rule, bound_at, last_contact_at)
       values ($1, $2, $3, 'registeredBy', '2026-01-01Z', $4)`,
      [customerId, guideId, STORE, lastContact],
    );
  /** A claimed visit with a no-purchase outcome (note) and its follow-up task (open or done). */
  const history = async (customerId: string, status: 'open' | 'done', source = newId()) => {
    const [visitId, alertId, taskId] = [newId(), newId(), newId()];
    await db.query(
      `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
       values ($1, $2, $3, 'wifi', '2026-06-01Z', '2026-06-01Z', $4)`,
      [visitId, STORE, customerId, alertId],
    );
    await db.query(
      `insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, status,
                          claimed_by, claimed_at, card)
       values ($1, $2, $3, $4, 'wifi', '2026-06-01Z', '2026-06-01T00:30Z', 'claimed', $5,
               '2026-06-01Z', '{}')`,
      [alertId, visitId, STORE, customerId, GUIDE],
    );
    await db.query(
      `insert into visit_outcomes(id, visit_id, alert_id, store_id, customer_id, guide_id,
                                  terminal_id, reason, note, at)
       values ($1, $2, $3, $4, $5, $6, $7, 'other', '她下周出差回来再看', '2026-06-01T00:20Z')`,
      [newId(), visitId, alertId, STORE, customerId, GUIDE, TERMINAL],
    );
    await db.query(
      `insert into follow_up_tasks(id, seq, store_id, customer_id, guide_id, kind, source, due_at,
                                   status, created_at, note, outcome, done_at)
       values ($1, nextval('follow_up_seq'), $2, $3, $4, 'visit_no_purchase', $5, '2026-06-02Z',
               $6, '2026-06-01Z', $7, $8, $9)`,
      [
        taskId,
        STORE,
        customerId,
        GUIDE,
        source,
        status,
        status === 'done' ? '电话说不需要了' : null,
        status === 'done' ? 'not_interested' : null,
        status === 'done' ? '2026-06-02T03:00Z' : null,
      ],
    );
    return { taskId, source };
  };
  /** The store's follow-up feed after `cursor` ('0': a fresh terminal's first pull, open only). */
  const feed = (cursor = '0') =>
    followUpFeedPage(db, STORE, { after: cursor, limit: 1000, withTotal: false });

  it('an erasure wipes the notes, cancels open tasks on the feed and releases the binding', async () => {
    const c = await customer();
    await bind(c, GUIDE, '2026-06-01Z');
    const open = await history(c, 'open');
    const done = await history(c, 'done');
    const before = await feed();
    expect(before.items.find((i) => i.id === open.taskId)?.status).toBe('open');

    const erased = await eraseCustomer(db, { customerId: c, reason: 'asked' }, 'admin_cli');
    expect(erased.status).toBe('erased');
    expect([...erased.followUpStores]).toEqual([STORE]);

    const notes = await db.query<{ note: string | null }>(
      `select note from visit_outcomes where customer_id = $1
       union all select note from follow_up_tasks where customer_id = $1`,
      [c],
    );
    expect(notes).toHaveLength(4);
    expect(notes.every((n) => n.note === null)).toBe(true);
    // Both tasks come through the feed again past a terminal's cursor: the open one cancelled
    // (it leaves the list), the done one with its outcome kept for the store's figures.
    const after = (await feed(before.cursor)).items;
    expect(after.find((i) => i.id === open.taskId)?.status).toBe('cancelled');
    expect(after.find((i) => i.id === done.taskId)).toMatchObject({
      status: 'done',
      outcome: 'not_interested',
    });
    expect(await db.query('select 1 from customer_bindings where customer_id = $1', [c])).toEqual(
      [],
    );
    const [last] = await db.query<{ event: string; guide_id: string | null; note: string }>(
      `select event, guide_id::text as guide_id, note from customer_binding_events
        where customer_id = $1 order by at desc, ordinal desc limit 1`,
      [c],
    );
    expect(last).toEqual({ event: 'released', guide_id: null, note: `erased; guide ${GUIDE}` });

    // A resend changes nothing more.
    const again = await eraseCustomer(db, { customerId: c, reason: 'asked' }, 'admin_cli');
    expect(again.status).toBe('already_erased');
    expect(again.followUpStores.size).toBe(0);
  });

  it('a merge moves tasks, outcomes and the binding to the survivor; a task both had is asked once', async () => {
    const [source, target] = [await customer(), await customer()];
    await bind(source, GUIDE_B, '2026-06-03T08:00Z');
    const own = await history(source, 'open');
    const shared = await history(source, 'open');
    // The survivor already has a task from the same source (one visit, seen under both ids).
    const survivors = await history(target, 'open', shared.source);

    const { cursor } = await feed();
    const merged = await mergeCustomers(db, { sourceId: source, targetId: target });
    expect(merged.status).toBe('merged');
    expect([...merged.followUpStores]).toEqual([STORE]);

    const rows = await db.query<{ id: string; customer_id: string; status: string }>(
      `select id::text as id, customer_id::text as customer_id, status from follow_up_tasks
        where id = any($1::uuid[]) order by id`,
      [[own.taskId, shared.taskId, survivors.taskId]],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(own.taskId)).toMatchObject({ customer_id: target, status: 'open' });
    expect(byId.get(shared.taskId)).toMatchObject({ customer_id: source, status: 'cancelled' });
    expect(byId.get(survivors.taskId)).toMatchObject({ customer_id: target, status: 'open' });
    const items = (await feed(cursor)).items;
    expect(items.find((i) => i.id === own.taskId)?.customerId).toBe(target);
    expect(items.find((i) => i.id === shared.taskId)?.status).toBe('cancelled');

    const outcomes = await db.query<{ n: number }>(
      'select count(*)::int as n from visit_outcomes where customer_id = $1',
      [target],
    );
    expect(outcomes[0]?.n).toBe(3);
    // The binding moved with its last contact (so its expiry is unchanged).
    const [binding] = await db.query<{ guide_id: string; last: string }>(
      `select guide_id::text as guide_id, last_contact_at as last from customer_bindings
        where customer_id = $1`,
      [target],
    );
    expect(binding?.guide_id).toBe(GUIDE_B);
    expect(new Date(binding!.last).toISOString()).toBe('2026-06-03T08:00:00.000Z');
    expect(
      await db.query('select 1 from customer_bindings where customer_id = $1', [source]),
    ).toEqual([]);
    const trail = await db.query<{ customer_id: string; event: string }>(
      `select customer_id::text as customer_id, event from customer_binding_events
        where customer_id = any($1::uuid[]) order by ordinal`,
      [[source, target]],
    );
    expect(trail).toEqual([
      { customer_id: source, event: 'released' },
      { customer_id: target, event: 'bound' },
    ]);
  });

  it('a merge into a bound customer keeps the survivor’s guide and releases the duplicate’s', async () => {
    const [source, target] = [await customer(), await customer()];
    await bind(source, GUIDE_B, '2026-06-03Z');
    await bind(target, GUIDE, '2026-05-01Z');
    await mergeCustomers(db, { sourceId: source, targetId: target });
    const rows = await db.query<{ customer_id: string; guide_id: string }>(
      `select customer_id::text as customer_id, guide_id::text as guide_id from customer_bindings
        where customer_id = any($1::uuid[])`,
      [[source, target]],
    );
    expect(rows).toEqual([{ customer_id: target, guide_id: GUIDE }]);
  });
});
