import { phoneHash } from '../../shared/domain/crypto';
import { newId } from '../../shared/domain/ids';
import { normalisePhone } from '../../shared/domain/phone';
import type {
  ArrivalAlert,
  CustomerRef,
  FootfallEvent,
  PresenceEvent,
} from '../../shared/protocol';
import { phoneHashKey } from '../admin/service';
import type { Queryable } from '../db/database';
import type { HubContext } from '../context';
import { badRequest, HubError, notFound } from '../http/errors';
import { ALERT_EXPIRY_MINUTES, VISIT_WINDOW_MINUTES } from '../terminal/routes';
import {
  CARD_COLUMNS,
  cardFromRow,
  parseTrailStock,
  trailStockColumn,
  type CardCustomerRow,
} from './card';
import { nearestStoreContaining, type Geofence } from './geo';

/** Second key space for `pg_advisory_xact_lock(int, int)`: one lock per store × customer. */
const VISIT_LOCK_SPACE = 4601;
/** Merges can chain (A → B → C); follow a few hops, never loop forever on bad data. */
const MAX_MERGE_HOPS = 8;

type CustomerRow = CardCustomerRow & {
  merged_into: string | null;
  deleted: boolean;
  /** The visit this sighting extends, as seen when the customer was read. */
  recent_visit: string | null;
  trail_stock: unknown;
};
const CUSTOMER_COLUMNS = `${CARD_COLUMNS}, merged_into, deleted`;

// The phone-hash key is created once at first start and never changes afterwards.
const hashKeys = new WeakMap<Queryable, Promise<string>>();
function cachedPhoneHashKey(db: Queryable): Promise<string> {
  let key = hashKeys.get(db);
  if (!key) {
    key = phoneHashKey(db);
    key.catch(() => hashKeys.delete(db));
    hashKeys.set(db, key);
  }
  return key;
}

type Sighting = { storeId: string; source: PresenceEvent['source']; at: string };

/** How to find the customer a sighting names: a query yielding at most one customers row. */
type CustomerLookup = { sql: string; params: unknown[] };

/**
 * Turns a customer reference into its lookup; null when it cannot match anyone (an unparseable
 * phone). Done before any transaction: the phone hash needs the cached key of the root `db`.
 */
async function customerLookup(db: Queryable, ref: CustomerRef): Promise<CustomerLookup | null> {
  if ('memberCode' in ref)
    return {
      sql: `select ${CUSTOMER_COLUMNS} from customers where member_code = $1`,
      params: [ref.memberCode],
    };
  if ('customerId' in ref)
    return {
      sql: `select ${CUSTOMER_COLUMNS} from customers where id = $1`,
      params: [ref.customerId],
    };
  const phone = normalisePhone(ref.phone);
  if (!phone) return null;
  const hash = await phoneHash(await cachedPhoneHashKey(db), phone.e164);
  // Two separately indexed lookups (an OR across them would scan the table). Merged
  // duplicates share the number: prefer the live record, else follow the merge below.
  return {
    sql: `select ${CUSTOMER_COLUMNS} from (
            select ${CUSTOMER_COLUMNS}, created_at from customers where phone_hash = $1
            union all
            select ${CUSTOMER_COLUMNS}, created_at from customers
             where phone_e164 = $2 and merged_into is null and not deleted
          ) found
          order by (merged_into is null and not deleted) desc, created_at limit 1`,
    params: [hash, phone.e164],
  };
}

/** The visit-window test for a sighting at `$at` (shared by the look-ahead and the write). */
const inVisitWindow = (visit: string, at: string) =>
  `${visit}.last_seen_at >= ${at}::timestamptz - interval '${VISIT_WINDOW_MINUTES} minutes'
   and ${visit}.started_at <= ${at}::timestamptz + interval '${VISIT_WINDOW_MINUTES} minutes'`;

/**
 * Runs a lookup and reads, in the same round trip, the customer's visit in this store within the
 * window (if any) and, only when there is none, this store's stock of the online trail for the
 * card (a CASE evaluates its subquery only when taken, so repeat sightings skip the stock). With
 * `lockVisits` it also takes the per store × customer visit lock (see `recordPresence`) on the
 * row it returns, so the lock costs no round trip of its own.
 */
async function fetchCustomer(
  db: Queryable,
  lookup: CustomerLookup,
  sighting: Sighting,
  lockVisits: boolean,
): Promise<CustomerRow | null> {
  const store = `$${lookup.params.length + 1}::uuid`;
  const at = `$${lookup.params.length + 2}`;
  const lock = lockVisits
    ? `, pg_advisory_xact_lock(${VISIT_LOCK_SPACE}, hashtext(${store}::text || ':' || c.id::text))::text
         as visit_lock`
    : '';
  const [row] = await db.query<CustomerRow>(
    `with c as (${lookup.sql})
     select c.*, recent.id::text as recent_visit,
            case when recent.id is null then ${trailStockColumn('c', store)} end as trail_stock
            ${lock}
       from c left join lateral (
         select v.id from visits v
          where v.store_id = ${store} and v.customer_id = c.id and ${inVisitWindow('v', at)}
          order by v.last_seen_at desc limit 1) recent on true`,
    [...lookup.params, sighting.storeId, sighting.at],
  );
  return row ?? null;
}

/** Finds the live customer a sighting refers to, following merges; null when unknown. */
async function resolveCustomer(
  db: Queryable,
  lookup: CustomerLookup,
  sighting: Sighting,
  lockVisits: boolean,
): Promise<CustomerRow | null> {
  let customer = await fetchCustomer(db, lookup, sighting, lockVisits);
  for (let hop = 0; customer?.merged_into && hop < MAX_MERGE_HOPS; hop++) {
    customer = await fetchCustomer(
      db,
      {
        sql: `select ${CUSTOMER_COLUMNS} from customers where id = $1`,
        params: [customer.merged_into],
      },
      sighting,
      lockVisits,
    );
  }
  if (!customer || customer.merged_into || customer.deleted) return null;
  return customer;
}

type StoreRow = { id: string; lat: number; lng: number; geofence_radius_m: number };

/**
 * Stores change a few times a year but every sighting needs them: keep the geofences in memory
 * for a few seconds. An id not in the cache reloads it at once, so a new store works right away.
 */
const STORE_CACHE_MS = 10_000;
const storeCaches = new WeakMap<Queryable, { loadedAt: number; stores: Geofence[] }>();

async function loadStores(db: Queryable): Promise<Geofence[]> {
  const rows = await db.query<StoreRow>('select id, lat, lng, geofence_radius_m from stores');
  const stores = rows.map((s) => ({
    id: s.id,
    lat: Number(s.lat),
    lng: Number(s.lng),
    radiusM: Number(s.geofence_radius_m),
  }));
  storeCaches.set(db, { loadedAt: Date.now(), stores });
  return stores;
}

async function currentStores(db: Queryable, mustInclude?: string): Promise<Geofence[]> {
  const cached = storeCaches.get(db);
  if (
    cached &&
    Date.now() - cached.loadedAt < STORE_CACHE_MS &&
    (!mustInclude || cached.stores.some((s) => s.id === mustInclude))
  )
    return cached.stores;
  return loadStores(db);
}

async function resolveStore(db: Queryable, event: PresenceEvent): Promise<string> {
  if (event.storeId) {
    const stores = await currentStores(db, event.storeId);
    if (!stores.some((s) => s.id === event.storeId))
      throw notFound(`store ${event.storeId} not found`);
    return event.storeId;
  }
  const store = nearestStoreContaining(
    { lat: event.lat!, lng: event.lng! },
    await currentStores(db),
  );
  if (!store) {
    throw new HubError(422, 'no_store_nearby', 'no store geofence contains this location', {
      lat: event.lat,
      lng: event.lng,
    });
  }
  return store.id;
}

export type PresenceResult = {
  visitId: string;
  alertId: string | null;
  alert: ArrivalAlert | null;
};

/**
 * Records a sighting: extends the customer's visit when they were seen in this store within the
 * visit window, otherwise opens a visit and (for a known customer) raises an arrival alert. The
 * caller broadcasts `alert` after this returns, i.e. after the transaction committed.
 */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export async function recordPresence(
  ctx: Pick<HubContext, 'db'>,
  event: PresenceEvent,
): Promise<PresenceResult> {
  const { db } = ctx;
  const at = event.at ? new Date(event.at).toISOString() : new Date().toISOString();
  // A sighting from the future would raise an alert that outlives its 30 minutes; clocks of
  // presence sources drift a little, so allow a few minutes of skew and refuse the rest.
  if (Date.parse(at) > Date.now() + MAX_CLOCK_SKEW_MS) {
    throw badRequest('`at` is in the future', [
      { path: 'at', message: 'more than 5 minutes ahead of the hub clock' },
    ]);
  }
  // Stores come from a cache (no round trip); the lookup needs the store for the trail's stock.
  const storeId = await resolveStore(db, event);
  const lookup = await customerLookup(db, event.customer);
  const sighting = { storeId, source: event.source, at };

  // PGlite runs one statement at a time on one connection, so the single statement in
  // `recordSighting` is atomic on its own: two round trips, no transaction. On PostgreSQL,
  // concurrent sightings of one customer in one store (Wi-Fi and beacon often fire together)
  // must extend one visit rather than open two and alert twice: the resolve takes a per
  // store × customer lock in the transaction, and the sighting statement, started after the lock
  // was granted, sees the visit the previous holder committed (read committed takes a fresh
  // snapshot per statement). BEGIN, resolve + lock, sighting, COMMIT: four round trips.
  if (db.kind === 'pglite') {
    const customer = lookup ? await resolveCustomer(db, lookup, sighting, false) : null;
    return recordSighting(db, sighting, customer);
  }
  return db.transaction(async (tx) => {
    const customer = lookup ? await resolveCustomer(tx, lookup, sighting, true) : null;
    return recordSighting(tx, sighting, customer);
  });
}

/**
 * One statement: extend the customer's visit seen within the window, or else open a visit and
 * raise its alert. Data-modifying CTEs all run exactly once, so the insert is guarded by
 * `not exists (recent)` rather than by which branch the final select reads.
 */
async function recordSighting(
  db: Queryable,
  { storeId, source, at }: Sighting,
  customer: CustomerRow | null,
): Promise<PresenceResult> {
  const visitId = newId();
  if (!customer) {
    // Nobody to recognise: count the sighting, alert no one.
    await db.query(
      `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at)
       values ($1, $2, null, $3, $4::timestamptz, $4::timestamptz)`,
      [visitId, storeId, source, at],
    );
    return { visitId, alertId: null, alert: null };
  }
  if (customer.recent_visit) {
    // A repeat sighting (most Wi-Fi pings): a small update. Visits only ever grow within the
    // window, and the visit lock (PostgreSQL) or PGlite's one-statement-at-a-time keeps anyone
    // from changing that in between, so the visit seen with the customer is still the one.
    const [bumped] = await db.query<{ id: string; alert_id: string | null }>(
      `update visits set sightings = sightings + 1,
              last_seen_at = greatest(last_seen_at, $2::timestamptz)
        where id = $1
        returning id::text, alert_id::text`,
      [customer.recent_visit, at],
    );
    if (bumped) return { visitId: bumped.id, alertId: bumped.alert_id, alert: null };
  }
  // Built before we know for sure that the visit is new: it costs no query (the stock came with
  // the customer row) and saves a round trip on the alert's critical path.
  const card = cardFromRow(customer, parseTrailStock(customer.trail_stock));
  const alertId = newId();
  const expiresAt = new Date(Date.parse(at) + ALERT_EXPIRY_MINUTES * 60_000).toISOString();
  const [row] = await db.query<{ visit_id: string; alert_id: string | null; opened: boolean }>(
    `with recent as (
       select id from visits v
        where store_id = $2 and customer_id = $3 and ${inVisitWindow('v', '$5')}
        order by last_seen_at desc limit 1),
     bumped as (
       update visits v set sightings = v.sightings + 1,
              last_seen_at = greatest(v.last_seen_at, $5::timestamptz)
         from recent where v.id = recent.id
       returning v.id, v.alert_id),
     opened as (
       insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
       select $1, $2, $3, $4, $5::timestamptz, $5::timestamptz, $6
        where not exists (select 1 from recent)
       returning id),
     raised as (
       insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, card)
       select $6, opened.id, $2, $3, $4, $5::timestamptz, $7::timestamptz, $8::jsonb from opened
       returning id)
     select id::text as visit_id, alert_id::text as alert_id, false as opened from bumped
     union all
     select opened.id::text, raised.id::text, true from opened, raised`,
    [visitId, storeId, customer.id, source, at, alertId, expiresAt, JSON.stringify(card)],
  );
  if (!row) throw new Error('sighting statement returned no row');
  if (!row.opened) return { visitId: row.visit_id, alertId: row.alert_id, alert: null };
  const alert: ArrivalAlert = {
    alertId,
    visitId,
    storeId,
    at,
    source,
    status: 'open',
    claimedBy: null,
    claimedAt: null,
    expiresAt,
    convertedAt: null,
    card,
  };
  return { visitId, alertId, alert };
}

/** Door-counter reading for a store. */
export async function recordFootfall(db: Queryable, event: FootfallEvent): Promise<void> {
  const rows = await db.query(
    `insert into footfall(store_id, at, count)
     select id, $2::timestamptz, $3 from stores where id = $1 returning id::text`,
    [event.storeId, event.at, event.count],
  );
  if (rows.length === 0) throw notFound(`store ${event.storeId} not found`);
}
