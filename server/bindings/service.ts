import { newId } from '../../shared/domain/ids';
import type { BindingRule, BindingRules } from '../../shared/protocol';
import { isoSql } from '../customers/profile';
import type { Queryable } from '../db/database';
import { loadBindingRules } from './rules';

/*
 * The guide's own customers (专属导购, issue #15 item 1). `customer_bindings` holds the current
 * binding (one row per customer: one guide at a time); `customer_binding_events` the append-only
 * trail. Every change here writes its event and moves the customer to the head of the change feed
 * (the feed's profile carries the binding), so callers must hold `lockChangeFeed` in the same
 * transaction. Contact only moves `last_contact_at`: not an event, not a feed change.
 *
 * Released and expired events name no guide (`guide_id` null: the store pool); their note says
 * whose binding it was (`guide <id>`), ids only.
 *
 * Times: an event's `at` is when it happened (the order's time, the expiry instant), but never
 * before the customer's previous event, so the trail reads in order; same-instant events keep the
 * order they were written in (`ordinal`). A day is 24 hours: "N days without contact" lapses
 * exactly N × 24 h after the last contact, whatever the store's clocks did meanwhile.
 */

const DAY_MS = 86_400_000;

/** Who wrote an event: the hub applying a rule or a terminal's request, the sweep, IT. */
export type BindingSource = 'hub' | 'terminal' | 'sweep' | 'admin_cli' | 'admin_rest';

/** When a binding whose last contact was at `lastContact` lapses under `rules` (null: never). */
export function lapsesAt(lastContact: Date, rules: Pick<BindingRules, 'expiryDays'>): Date | null {
  return rules.expiryDays === null
    ? null
    : new Date(lastContact.getTime() + rules.expiryDays * DAY_MS);
}

type BindingRowRaw = {
  customer_id: string;
  guide_id: string;
  guide_name: string;
  store_id: string;
  rule: BindingRule;
  bound_at: string;
  last_contact_at: string;
};

/** A customer's current binding, as the credit and follow-up features read it. */
export type CurrentBinding = {
  customerId: string;
  guideId: string;
  guideName: string;
  storeId: string;
  rule: BindingRule;
  boundAt: string;
  lastContactAt: string;
  /** when it lapses without further contact; null when bindings never lapse */
  expiresAt: string | null;
};

const BINDING_SELECT = `select b.customer_id::text as customer_id, b.guide_id::text as guide_id,
    g.name as guide_name, b.store_id::text as store_id, b.rule,
    ${isoSql('b.bound_at')} as bound_at, ${isoSql('b.last_contact_at')} as last_contact_at
  from customer_bindings b join guides g on g.id = b.guide_id`;

function toCurrent(row: BindingRowRaw, rules: BindingRules): CurrentBinding {
  const expires = lapsesAt(new Date(row.last_contact_at), rules);
  return {
    customerId: row.customer_id,
    guideId: row.guide_id,
    guideName: row.guide_name,
    storeId: row.store_id,
    rule: row.rule,
    boundAt: row.bound_at,
    lastContactAt: row.last_contact_at,
    expiresAt: expires?.toISOString() ?? null,
  };
}

/**
 * The customer's binding now (or at `now`), null when they are in the store pool. A binding that
 * has lapsed but that the sweep has not released yet counts as none.
 */
export async function currentBinding(
  db: Queryable,
  customerId: string,
  now: Date = new Date(),
): Promise<CurrentBinding | null> {
  const [row] = await db.query<BindingRowRaw>(`${BINDING_SELECT} where b.customer_id = $1`, [
    customerId,
  ]);
  if (!row) return null;
  const binding = toCurrent(row, await loadBindingRules(db));
  if (binding.expiresAt !== null && Date.parse(binding.expiresAt) <= now.getTime()) return null;
  return binding;
}

/**
 * The guide the customer was bound to at instant `at`, read from the trail (null: in the store
 * pool, or not bound yet). The latest event at or before `at` decides; a binding that had lapsed
 * by `at` and was not released yet counts as released (its last contact is known, and no contact
 * after `at` can have kept it alive before `at`).
 */
export async function boundGuideAt(
  db: Queryable,
  customerId: string,
  at: Date,
): Promise<string | null> {
  const [event] = await db.query<{ guide_id: string | null; event: string }>(
    `select guide_id::text as guide_id, event from customer_binding_events
      where customer_id = $1 and at <= $2
      order by at desc, ordinal desc limit 1`,
    [customerId, at.toISOString()],
  );
  if (!event || event.guide_id === null) return null;
  if (event.event !== 'bound' && event.event !== 'transferred') return null;
  const [row] = await db.query<{ guide_id: string; last_contact_at: string }>(
    `select guide_id::text as guide_id, ${isoSql('last_contact_at')} as last_contact_at
       from customer_bindings where customer_id = $1`,
    [customerId],
  );
  if (row && row.guide_id === event.guide_id) {
    const lapses = lapsesAt(new Date(row.last_contact_at), await loadBindingRules(db));
    if (lapses !== null && lapses.getTime() <= at.getTime()) return null;
  }
  return event.guide_id;
}

/** The instant an event at `at` is written with: never before the customer's previous event. */
export async function eventInstant(tx: Queryable, customerId: string, at: Date): Promise<Date> {
  const [row] = await tx.query<{ at: string | null }>(
    `select ${isoSql('max(at)')} as at from customer_binding_events where customer_id = $1`,
    [customerId],
  );
  const latest = row?.at ? Date.parse(row.at) : Number.NEGATIVE_INFINITY;
  return new Date(Math.max(at.getTime(), latest));
}

export type BindingEvent = {
  id?: string;
  customerId: string;
  guideId: string | null;
  storeId: string | null;
  event: 'bound' | 'transferred' | 'released' | 'expired';
  rule: BindingRule | null;
  at: Date;
  actorGuideId?: string | null;
  source: BindingSource;
  note?: string | null;
};

/** Appends one event to the trail. */
export async function writeBindingEvent(tx: Queryable, e: BindingEvent): Promise<void> {
  await tx.query(
    `insert into customer_binding_events(id, customer_id, guide_id, store_id, event, rule, at,
       actor_guide_id, source, note)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      e.id ?? newId(),
      e.customerId,
      e.guideId,
      e.storeId,
      e.event,
      e.rule,
      e.at.toISOString(),
      e.actorGuideId ?? null,
      e.source,
      e.note ?? null,
    ],
  );
}

/**
 * Moves customers to the head of the change feed (their profile's binding changed). Needs
 * `lockChangeFeed`; returns the highest sequence drawn, or null.
 */
export async function touchCustomers(
  tx: Queryable,
  ids: readonly string[],
): Promise<string | null> {
  if (ids.length === 0) return null;
  const rows = await tx.query<{ seq: string }>(
    `update customers set seq = nextval('change_seq'), updated_at = now()
      where id = any($1::uuid[]) returning seq::text as seq`,
    [[...new Set(ids)]],
  );
  let max: bigint | null = null;
  for (const r of rows) if (max === null || BigInt(r.seq) > max) max = BigInt(r.seq);
  return max === null ? null : max.toString();
}

/**
 * Releases the customer's binding if it had lapsed by `at` (an `expired` event at the instant it
 * lapsed), so an event at `at` finds the customer in the pool. Returns the feed sequence drawn;
 * with `touch` false it draws none and the caller moves the customer on the feed (see
 * `bindIfUnbound`).
 */
async function lapseIfDue(
  tx: Queryable,
  customerId: string,
  at: Date,
  rules: BindingRules,
  touch: boolean,
): Promise<{ lapsed: boolean; cursor: string | null }> {
  if (rules.expiryDays === null) return { lapsed: false, cursor: null };
  const cutoff = new Date(at.getTime() - rules.expiryDays * DAY_MS);
  const [gone] = await tx.query<{ guide_id: string; store_id: string; last_contact_at: string }>(
    `delete from customer_bindings where customer_id = $1 and last_contact_at <= $2
      returning guide_id::text as guide_id, store_id::text as store_id,
                ${isoSql('last_contact_at')} as last_contact_at`,
    [customerId, cutoff.toISOString()],
  );
  if (!gone) return { lapsed: false, cursor: null };
  await writeBindingEvent(tx, {
    customerId,
    guideId: null,
    storeId: gone.store_id,
    event: 'expired',
    rule: null,
    at: await eventInstant(tx, customerId, lapsesAt(new Date(gone.last_contact_at), rules)!),
    source: 'hub',
    note: `guide ${gone.guide_id}`,
  });
  return { lapsed: true, cursor: touch ? await touchCustomers(tx, [customerId]) : null };
}

/**
 * Binds the customer to `guideId` (an active guide of `storeId`) if they are in the pool — after
 * releasing a binding that had lapsed by `at`. A bound customer stays with their guide. Writes a
 * `bound` event; needs `lockChangeFeed`. Returns whether it bound and the feed sequence drawn.
 * `touch: false` (the orders path): draws no feed number and needs no lock; the caller must move
 * the customer to the head of the feed later in the same transaction, under the lock, whenever
 * `changed` is true (a binding made or lapsed).
 */
export async function bindIfUnbound(
  tx: Queryable,
  input: {
    customerId: string;
    guideId: string;
    storeId: string;
    rule: BindingRule;
    at: Date;
    source: BindingSource;
    rules: BindingRules;
    touch?: boolean;
  },
): Promise<{ bound: boolean; changed: boolean; cursor: string | null }> {
  const touch = input.touch ?? true;
  const lapsed = await lapseIfDue(tx, input.customerId, input.at, input.rules, touch);
  const at = await eventInstant(tx, input.customerId, input.at);
  const inserted = await tx.query(
    `insert into customer_bindings(customer_id, guide_id, store_id, rule, bound_at, last_contact_at)
     select $1, g.id, g.store_id, $3, $4, $4 from guides g
      where g.id = $2 and g.store_id = $5 and g.active
     on conflict (customer_id) do nothing
     returning customer_id`,
    [input.customerId, input.guideId, input.rule, at.toISOString(), input.storeId],
  );
  if (inserted.length === 0) return { bound: false, changed: lapsed.lapsed, cursor: lapsed.cursor };
  await writeBindingEvent(tx, {
    customerId: input.customerId,
    guideId: input.guideId,
    storeId: input.storeId,
    event: 'bound',
    rule: input.rule,
    at,
    source: input.source,
  });
  return {
    bound: true,
    changed: true,
    cursor: touch ? await touchCustomers(tx, [input.customerId]) : null,
  };
}

/**
 * Records a contact between the customer and a guide at `at` (a claim, an in-store order, a
 * follow-up outcome): when that guide is the customer's bound guide and the binding has not lapsed
 * by `at`, the binding's expiry starts again from `at`. Contacts by other guides, and contacts
 * older than the last one, change nothing; calling it twice is calling it once. Not a feed change.
 * Returns whether a binding was kept alive. `rules`: the chain's, when the caller has them.
 */
export async function recordContact(
  db: Queryable,
  customerId: string,
  guideId: string,
  at: Date,
  rules?: BindingRules,
): Promise<boolean> {
  const { expiryDays } = rules ?? (await loadBindingRules(db));
  const cutoff = expiryDays === null ? null : new Date(at.getTime() - expiryDays * DAY_MS);
  const rows = await db.query(
    `update customer_bindings set last_contact_at = greatest(last_contact_at, $3::timestamptz)
      where customer_id = $1 and guide_id = $2
        and ($4::timestamptz is null or last_contact_at > $4::timestamptz)
      returning customer_id`,
    [customerId, guideId, at.toISOString(), cutoff?.toISOString() ?? null],
  );
  return rows.length > 0;
}

/**
 * Releases every binding of `guideId` to the store pool (`released` events): the guide was
 * deactivated. Runs in the deactivation's transaction; needs `lockChangeFeed`. Returns the
 * customers released and the feed sequence drawn.
 */
export async function releaseGuideCustomers(
  tx: Queryable,
  guideId: string,
  at: Date,
  source: BindingSource,
): Promise<{ released: string[]; cursor: string | null }> {
  const gone = await tx.query<{ customer_id: string; store_id: string }>(
    `delete from customer_bindings where guide_id = $1
      returning customer_id::text as customer_id, store_id::text as store_id`,
    [guideId],
  );
  for (const row of gone)
    await writeBindingEvent(tx, {
      customerId: row.customer_id,
      guideId: null,
      storeId: row.store_id,
      event: 'released',
      rule: null,
      at: await eventInstant(tx, row.customer_id, at),
      source,
      note: `guide ${guideId}`,
    });
  const released = gone.map((r) => r.customer_id);
  return { released, cursor: await touchCustomers(tx, released) };
}

/** Bindings released per sweep transaction (bounded, so the change-feed lock is held briefly). */
export const EXPIRY_BATCH = 500;

/**
 * Releases up to `limit` bindings that lapsed by `now` (no contact for `expiryDays`), each with an
 * `expired` event at the instant it lapsed. Needs `lockChangeFeed`. Returns the customers released
 * and the feed sequence drawn.
 */
export async function expireLapsedBindings(
  tx: Queryable,
  now: Date,
  rules: BindingRules,
  limit = EXPIRY_BATCH,
): Promise<{ expired: string[]; cursor: string | null }> {
  if (rules.expiryDays === null) return { expired: [], cursor: null };
  const cutoff = new Date(now.getTime() - rules.expiryDays * DAY_MS);
  const gone = await tx.query<{
    customer_id: string;
    guide_id: string;
    store_id: string;
    last_contact_at: string;
  }>(
    `delete from customer_bindings where customer_id in (
        select customer_id from customer_bindings where last_contact_at <= $1
         order by last_contact_at, customer_id limit $2)
      returning customer_id::text as customer_id, guide_id::text as guide_id,
                store_id::text as store_id, ${isoSql('last_contact_at')} as last_contact_at`,
    [cutoff.toISOString(), limit],
  );
  for (const row of gone)
    await writeBindingEvent(tx, {
      customerId: row.customer_id,
      guideId: null,
      storeId: row.store_id,
      event: 'expired',
      rule: null,
      at: await eventInstant(tx, row.customer_id, lapsesAt(new Date(row.last_contact_at), rules)!),
      source: 'sweep',
      note: `guide ${row.guide_id}`,
    });
  const expired = gone.map((r) => r.customer_id);
  return { expired, cursor: await touchCustomers(tx, expired) };
}
