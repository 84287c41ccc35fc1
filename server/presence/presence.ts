import { phoneHash } from '../../shared/domain/crypto';
import { newId } from '../../shared/domain/ids';
import { normalisePhone } from '../../shared/domain/phone';
import type {
  AlertUpdate,
  ArrivalAlert,
  CustomerCard,
  CustomerRef,
  FootfallEvent,
  PresenceEvent,
} from '../../shared/protocol';
import { resolveLiveCustomerId } from '../customers/merge-chain';
import { cachedPhoneHashKey } from '../customers/phone-key';
import type { Db, Queryable } from '../db/database';
import type { HubContext } from '../context';
import { badRequest, HubError, notFound } from '../http/errors';
import { ALERT_EXPIRY_MINUTES, VISIT_WINDOW_MINUTES } from './windows';
import { ALERT_SELECT, toAlertUpdate, type AlertRow } from './alerts';
import { buildCustomerCard, CARD_COLUMNS, type CardCustomerRow } from './card';
import { nearestStoreContaining } from './geo';
import { storeGeofences } from './store-geofences';
import { retryOnLockConflict } from '../db/lock-retry';

/** Merges can chain (A → B → C); follow a few hops, never loop forever on bad data. */

type CustomerRow = CardCustomerRow & { merged_into: string | null; deleted: boolean };
const CUSTOMER_COLUMNS = `${CARD_COLUMNS}, merged_into, deleted`;
const CUSTOMER_SELECT = `select ${CUSTOMER_COLUMNS} from customers`;

/** Where a sighting happened: with it, a customer lookup also tells whether she has a visit open. */
type SightedAt = { storeId: string; at: string };
/** `open`: she has a visit at `SightedAt`'s store within the window (undefined: not asked). */
type SightedCustomer = CustomerRow & { open?: boolean };

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

async function resolveStore(db: Queryable, event: PresenceEvent): Promise<string> {
  if (event.storeId) {
    const stores = await storeGeofences(db, event.storeId);
    if (!stores.byId.has(event.storeId)) throw notFound(`store ${event.storeId} not found`);
    return event.storeId;
  }
  const store = nearestStoreContaining(
    { lat: event.lat!, lng: event.lng! },
    (await storeGeofences(db)).all,
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
  /** her visit's alert, when this sighting moved its last sighting into a later minute */
  seen: AlertUpdate | null;
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
  // The store first (from memory, almost always), so the customer lookup can also tell whether
  // she has a visit open there.
  const storeId = await resolveStore(db, event);
  const customer = await resolveCustomer(db, event.customer, { storeId, at });

  if (!customer) {
    // Nobody to recognise: count the sighting, alert no one.
    const visitId = newId();
    await db.query(
      `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at)
       values ($1, $2, null, $3, $4::timestamptz, $4::timestamptz)`,
      [visitId, storeId, event.source, at],
    );
    return { visitId, alertId: null, alert: null, seen: null };
  }

  // Only a new visit needs the card (a stock query): repeat sightings (most Wi-Fi pings) skip it.
  // Both reads run outside any transaction; the write below decides atomically and, should a
  // visit have appeared in between, extends it and drops the card.
  const open =
    customer.open ??
    (
      await db.query(`select 1 from visits where ${recentVisit('$1', '$2', '$3')} limit 1`, [
        storeId,
        customer.id,
        at,
      ])
    ).length > 0;
  let card = open ? null : await buildCustomerCard(db, storeId, customer);
  for (;;) {
    const written = await writeSighting(db, { storeId, customer, at, source: event.source, card });
    if (written) return written;
    // The visit seen a moment ago is gone (erased meanwhile): open one, with a card.
    card = await buildCustomerCard(db, storeId, customer);
  }
}

/** The customer's visit to a store within the visit window of an instant (SQL expressions). */
const recentVisit = (store: string, customer: string, at: string) => `store_id = ${store}
  and customer_id = ${customer}
  and last_seen_at >= ${at}::timestamptz - interval '${VISIT_WINDOW_MINUTES} minutes'
  and started_at <= ${at}::timestamptz + interval '${VISIT_WINDOW_MINUTES} minutes'`;

type Sighting = {
  storeId: string;
  customer: CardCustomerRow;
  at: string;
  source: PresenceEvent['source'];
  /** the arrival card when a new visit may open; null: only extend (null result if none) */
  card: CustomerCard | null;
};

/**
 * Extends the customer's visit seen within the window (and learns whether its last sighting moved
 * into a later minute) or, when there is none and a card is given, opens a visit with its arrival
 * alert — one statement (`presence_sighting`, migration 024), so on the embedded database (one
 * session) no transaction holds the session across round trips to the hub's thread (it was the
 * alert tail's queue at 200 arrivals/s: docs/benchmarks.md, "Presence in one statement"), and on
 * PostgreSQL the store × customer lock, taken inside it, needs no BEGIN / lock / COMMIT round
 * trips of its own: concurrent sightings of one customer in one store (Wi-Fi and beacon often fire
 * together) still extend one visit instead of opening two and alerting twice.
 */
async function writeSighting(db: Db, s: Sighting): Promise<PresenceResult | null> {
  const visitId = newId();
  const alertId = newId();
  const expiresAt = new Date(Date.parse(s.at) + ALERT_EXPIRY_MINUTES * 60_000).toISOString();
  // A deadlock victim is run again (it wrote nothing): the statement's triggers lock the member's
  // store-scope row, which orders and scope settles lock too (seen once in 8,269 bench:chain
  // sightings as a 500).
  const [row] = await retryOnLockConflict(() =>
    db.query<{ opened: boolean; visit_id: string; alert_id: string | null; new_minute: boolean }>(
      `select opened, visit_id::text as visit_id, alert_id::text as alert_id, new_minute
         from presence_sighting($1, $2, $3::timestamptz, $4, $5, $6, $7, $8::timestamptz, $9::jsonb)`,
      [
        s.storeId,
        s.customer.id,
        s.at,
        VISIT_WINDOW_MINUTES,
        visitId,
        s.source,
        alertId,
        expiresAt,
        s.card ? JSON.stringify(s.card) : null,
      ],
    ),
  );
  if (!row) return null;
  if (!row.opened) {
    // Time in store (#16 item 6): terminals hear of her again at most once a minute, and only
    // while her alert can still be acted on.
    const seen = row.new_minute && row.alert_id ? await seenUpdate(db, row.alert_id) : null;
    return { visitId: row.visit_id, alertId: row.alert_id, alert: null, seen };
  }
  const alert: ArrivalAlert = {
    alertId,
    visitId,
    storeId: s.storeId,
    at: s.at,
    source: s.source,
    status: 'open',
    claimedBy: null,
    claimedAt: null,
    expiresAt,
    convertedAt: null,
    card: s.card!,
    lastSeenAt: s.at,
  };
  return { visitId, alertId, alert, seen: null };
}

/** `alert:updated` for a visit seen again, while its alert is open or claimed (else null). */
async function seenUpdate(tx: Queryable, alertId: string): Promise<AlertUpdate | null> {
  const [row] = await tx.query<AlertRow>(
    `${ALERT_SELECT} where a.id = $1 and a.status in ('open', 'claimed')`,
    [alertId],
  );
  return row ? toAlertUpdate(row) : null;
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
