/**
 * A presence sighting's two statements, shared out under load (issue #17 item 2): the customer
 * lookup (with "is a visit open here?") and the write (`presence_sighting`, migration 024).
 * `recordPresence` (./presence.ts) calls them through `sightingBatches`.
 */
import { phoneHash } from '../../shared/domain/crypto';
import { normalisePhone } from '../../shared/domain/phone';
import type { CustomerCard, CustomerRef, PresenceEvent } from '../../shared/protocol';
import { resolveLiveCustomerId } from '../customers/merge-chain';
import { cachedPhoneHashKey } from '../customers/phone-key';
import { createBatcher, fulfilled, perDatabase, type Batcher } from '../db/batcher';
import { isConnectionError, type Db, type Queryable } from '../db/database';
import { retryOnLockConflict } from '../db/lock-retry';
import { type CardCustomerRow, CARD_COLUMNS } from './card';
import { ALERT_EXPIRY_MINUTES, VISIT_WINDOW_MINUTES } from './windows';

type CustomerRow = CardCustomerRow & { merged_into: string | null; deleted: boolean };
const CUSTOMER_COLUMNS = `${CARD_COLUMNS}, merged_into, deleted`;
const CUSTOMER_SELECT = `select ${CUSTOMER_COLUMNS} from customers`;

/** Where a sighting happened: with it, a customer lookup also tells whether she has a visit open. */
type SightedAt = { storeId: string; at: string };
/** `open`: she has a visit at `SightedAt`'s store within the window (undefined: not asked). */
export type SightedCustomer = CustomerRow & { open?: boolean };

/**
 * Finds the live customer a sighting refers to, following merges; null when unknown. With
 * `sighted`, a lookup by member code or customer id also answers `open` in the same statement (one
 * round trip fewer per sighting); a lookup by phone or through a merge leaves it undefined.
 */
export async function resolveCustomer(
  db: Queryable,
  ref: CustomerRef,
  sighted?: SightedAt,
): Promise<SightedCustomer | null> {
  let rows: SightedCustomer[];
  const byKey = (where: string, key: string) =>
    sighted
      ? db.query<SightedCustomer>(
          `select ${CUSTOMER_COLUMNS}, exists (select 1 from visits
             where ${recentVisit('$2', 'customers.id', '$3')}) as open
             from customers where ${where} = $1`,
          [key, sighted.storeId, sighted.at],
        )
      : db.query<SightedCustomer>(`${CUSTOMER_SELECT} where ${where} = $1`, [key]);
  if ('memberCode' in ref) {
    rows = await byKey('member_code', ref.memberCode);
  } else if ('customerId' in ref) {
    rows = await byKey('id', ref.customerId);
  } else {
    const phone = normalisePhone(ref.phone);
    if (!phone) return null;
    const hash = await phoneHash(await cachedPhoneHashKey(db), phone.e164);
    // Two separately indexed lookups (an OR across them would scan the table). Merged
    // duplicates share the number: prefer the live record, else follow the merge below.
    rows = await db.query<CustomerRow>(
      `select * from (
         select ${CUSTOMER_COLUMNS}, created_at from customers where phone_hash = $1
         union all
         select ${CUSTOMER_COLUMNS}, created_at from customers
          where phone_e164 = $2 and merged_into is null and not deleted
       ) found
       order by (merged_into is null and not deleted) desc, created_at limit 1`,
      [hash, phone.e164],
    );
  }
  let customer = rows[0] ?? null;
  // A sighting by an old member code or a merged-away number: the customer it was merged into.
  if (customer?.merged_into) {
    const live = await resolveLiveCustomerId(db, customer.id);
    customer = live
      ? ((await db.query<CustomerRow>(`${CUSTOMER_SELECT} where id = $1`, [live]))[0] ?? null)
      : null;
  }
  if (!customer || customer.merged_into || customer.deleted) return null;
  return customer;
}

/** The customer's visit to a store within the visit window of an instant (SQL expressions). */
export const recentVisit = (store: string, customer: string, at: string) => `store_id = ${store}
  and customer_id = ${customer}
  and last_seen_at >= ${at}::timestamptz - interval '${VISIT_WINDOW_MINUTES} minutes'
  and started_at <= ${at}::timestamptz + interval '${VISIT_WINDOW_MINUTES} minutes'`;

export type Sighting = {
  storeId: string;
  customer: CardCustomerRow;
  at: string;
  source: PresenceEvent['source'];
  /** the arrival card when a new visit may open; null: only extend (null result if none) */
  card: CustomerCard | null;
  /** the ids a new visit and its alert get (UUIDv7, made by this hub: see `alertsChangedWithin`) */
  visitId: string;
  alertId: string;
};

/** What `presence_sighting` answered for one sighting; none: no visit to extend and no card. */
export type SightingRow = {
  opened: boolean;
  visit_id: string;
  alert_id: string | null;
  new_minute: boolean;
  /** the alert brought her into the store's scope (migration 030): her alert carries her profile */
  entering: boolean;
  /** with `entering`: her stored feed JSON, when current (else null: map her row) */
  profile: string | null;
};

/** A sighting's lookup by member code or customer id (by phone goes alone: `resolveCustomer`). */
type SightingLookup = {
  ref: Exclude<CustomerRef, { phone: string }>;
  storeId: string;
  at: string;
};

/**
 * Sightings looked up and written together (issue #17 item 2, "fewer round trips per presence"):
 * during a burst each node's presence requests share statements — one lookup and one write per
 * batch instead of one of each per arrival — so a statement's round trip, parse and commit, on
 * the hub's thread and in the database, is paid once per batch. On a quiet node a sighting runs at
 * once, alone, as before (server/db/batcher.ts: no timer). Batches stay small: a write batch holds
 * its sightings' store × customer locks (and the store-scope rows their triggers touch) until its
 * statement commits.
 */
const SIGHTING_BATCH = 100;
/** Lookup and write statements a node runs at once (each); the pool keeps the rest. */
const SIGHTING_IN_FLIGHT = 2;

type SightingBatches = {
  lookup: Batcher<SightingLookup, SightedCustomer | null>;
  write: Batcher<Sighting, SightingRow | null>;
};
/** The database's sighting batches (one pair per open database, i.e. per hub). */
export const sightingBatches = perDatabase((db: Db): SightingBatches => {
  const options = {
    maxBatch: SIGHTING_BATCH,
    inFlight: SIGHTING_IN_FLIGHT,
    failsWaiting: isConnectionError,
  };
  return {
    lookup: createBatcher((lookups) => lookUpSighted(db, lookups), options),
    write: createBatcher((sightings) => writeSightings(db, sightings), options),
  };
});

/**
 * `resolveCustomer` with `sighted`, for many sightings in one statement: each lookup's customer by
 * member code or id and whether she has a visit open at its store (`recentVisit`). A customer
 * found merged away or erased is resolved on her own (merges are rare: followed hop by hop).
 */
async function lookUpSighted(
  db: Queryable,
  lookups: readonly SightingLookup[],
): Promise<PromiseSettledResult<SightedCustomer | null>[]> {
  const rows = await db.query<SightedCustomer & { i: number }>(
    `select (q.i - 1)::int as i, c.*,
            exists (select 1 from visits
               where ${recentVisit("(q.r->>'store')::uuid", 'c.id', "(q.r->>'at')")}) as open
       from jsonb_array_elements($1::jsonb) with ordinality as q(r, i)
       cross join lateral (
         select ${CUSTOMER_COLUMNS} from customers where member_code = q.r->>'code'
         union all
         select ${CUSTOMER_COLUMNS} from customers where id = (q.r->>'id')::uuid) c`,
    [
      JSON.stringify(
        lookups.map(({ ref, storeId, at }) => ({
          ...('memberCode' in ref ? { code: ref.memberCode } : { id: ref.customerId }),
          store: storeId,
          at,
        })),
      ),
    ],
  );
  const found = new Map(rows.map(({ i, ...row }) => [i, row]));
  return Promise.allSettled(
    lookups.map(async (lookup, i) => {
      const row = found.get(i);
      if (!row) return null;
      if (row.merged_into || row.deleted)
        return resolveCustomer(db, lookup.ref, { storeId: lookup.storeId, at: lookup.at });
      return row;
    }),
  );
}

/**
 * Extends each sighting's visit seen within the window (and learns whether its last sighting moved
 * into a later minute) or, when there is none and a card is given, opens a visit with its arrival
 * alert — `presence_sighting` (migration 024) per sighting, the batch in one statement, so on the
 * embedded database (one session) no transaction holds the session across round trips to the
 * hub's thread (it was the alert tail's queue at 200 arrivals/s: docs/benchmarks.md, "Presence in
 * one statement"), and on PostgreSQL the store × customer lock, taken inside it, needs no BEGIN /
 * lock / COMMIT round trips of its own: concurrent sightings of one customer in one store (Wi-Fi
 * and beacon often fire together) still extend one visit instead of opening two and alerting
 * twice — also within one batch, whose later calls see the earlier ones' writes.
 *
 * The batch takes its locks in the order of their keys, so two batches sharing sightings of the
 * same members wait for each other instead of deadlocking; the sightings of one member keep their
 * arrival order. A deadlock victim is run again (it wrote nothing): the statement's triggers lock
 * the members' store-scope rows, which orders and scope settles lock too (seen once in 8,269
 * bench:chain sightings as a 500, one sighting a statement). A batch failing for any other reason
 * than the database being unreachable is run again one sighting at a time, so one bad sighting
 * fails alone.
 */
async function writeSightings(
  db: Queryable,
  sightings: readonly Sighting[],
): Promise<PromiseSettledResult<SightingRow | null>[]> {
  const order = sightings
    .map((s, i) => ({ s, i, key: `${s.storeId}:${s.customer.id}` }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  /** Each sighting's row, in `batch`'s order (null: no visit to extend and no card). */
  const run = async (batch: readonly { s: Sighting }[]): Promise<(SightingRow | null)[]> => {
    const rows = await retryOnLockConflict(() =>
      db.query<SightingRow & { i: number }>(
        `select (q.i - 1)::int as i, s.opened, s.visit_id::text as visit_id,
                s.alert_id::text as alert_id, s.new_minute, s.entering, s.profile
           from jsonb_array_elements($1::jsonb) with ordinality as q(r, i)
           cross join lateral presence_sighting(
             (q.r->>'store')::uuid, (q.r->>'customer')::uuid, (q.r->>'at')::timestamptz, $2,
             (q.r->>'visit')::uuid, q.r->>'source', (q.r->>'alert')::uuid,
             (q.r->>'expires')::timestamptz, q.r->'card') s
          order by q.i`,
        [
          JSON.stringify(
            batch.map(({ s }) => ({
              store: s.storeId,
              customer: s.customer.id,
              at: s.at,
              visit: s.visitId,
              source: s.source,
              alert: s.alertId,
              expires: expiresAt(s.at),
              // no key at all without a card: `->` then gives SQL null, not JSON null
              ...(s.card ? { card: s.card } : {}),
            })),
          ),
          VISIT_WINDOW_MINUTES,
        ],
      ),
    );
    const byPosition = new Map(rows.map(({ i, ...row }) => [i, row]));
    return batch.map((_, k) => byPosition.get(k) ?? null);
  };
  // In `order`'s order.
  let outcomes: PromiseSettledResult<SightingRow | null>[];
  try {
    outcomes = fulfilled(await run(order));
  } catch (error) {
    if (sightings.length === 1 || isConnectionError(error)) throw error;
    outcomes = await Promise.allSettled(order.map(async (one) => (await run([one]))[0]!));
  }
  const results: PromiseSettledResult<SightingRow | null>[] = new Array(sightings.length);
  order.forEach(({ i }, k) => (results[i] = outcomes[k]!));
  return results;
}

export const expiresAt = (at: string) =>
  new Date(Date.parse(at) + ALERT_EXPIRY_MINUTES * 60_000).toISOString();
