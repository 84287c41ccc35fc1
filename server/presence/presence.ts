import { phoneHash } from '../../shared/domain/crypto';
import { newId } from '../../shared/domain/ids';
import { normalisePhone } from '../../shared/domain/phone';
import type {
  AlertUpdate,
  ArrivalAlert,
  CustomerRef,
  FootfallEvent,
  PresenceEvent,
} from '../../shared/protocol';
import { resolveLiveCustomerId } from '../customers/merge-chain';
import { cachedPhoneHashKey } from '../customers/phone-key';
import type { Queryable } from '../db/database';
import type { HubContext } from '../context';
import { badRequest, HubError, notFound } from '../http/errors';
import { ALERT_EXPIRY_MINUTES, VISIT_WINDOW_MINUTES } from './windows';
import { ALERT_SELECT, toAlertUpdate, type AlertRow } from './alerts';
import { buildCustomerCard, CARD_COLUMNS, type CardCustomerRow } from './card';
import { nearestStoreContaining } from './geo';
import { storeGeofences } from './store-geofences';
import { ADVISORY_LOCK_SPACES } from '../db/advisory-locks';

/** Second key space for `pg_advisory_xact_lock(int, int)`: one lock per store × customer. */
const VISIT_LOCK_SPACE = ADVISORY_LOCK_SPACES.visit;
/** Merges can chain (A → B → C); follow a few hops, never loop forever on bad data. */

type CustomerRow = CardCustomerRow & { merged_into: string | null; deleted: boolean };
const CUSTOMER_COLUMNS = `${CARD_COLUMNS}, merged_into, deleted`;
const CUSTOMER_SELECT = `select ${CUSTOMER_COLUMNS} from customers`;

/** Finds the live customer a sighting refers to, following merges; null when unknown. */
export async function resolveCustomer(
  db: Queryable,
  ref: CustomerRef,
): Promise<CustomerRow | null> {
  let rows: CustomerRow[];
  if ('memberCode' in ref) {
    rows = await db.query<CustomerRow>(`${CUSTOMER_SELECT} where member_code = $1`, [
      ref.memberCode,
    ]);
  } else if ('customerId' in ref) {
    rows = await db.query<CustomerRow>(`${CUSTOMER_SELECT} where id = $1`, [ref.customerId]);
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
  const [storeId, customer] = await Promise.all([
    resolveStore(db, event),
    resolveCustomer(db, event.customer),
  ]);

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

  return db.transaction(async (tx) => {
    // Serialises concurrent sightings of one customer in one store (Wi-Fi and beacon often fire
    // together), so they extend one visit instead of opening two and alerting twice. PGlite runs
    // transactions one at a time already, so only PostgreSQL needs the lock.
    if (db.kind === 'postgres') {
      await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [
        VISIT_LOCK_SPACE,
        `${storeId}:${customer.id}`,
      ]);
    }
    // Extend the visit seen within the window, if any (one statement: find and bump), and learn
    // whether its last sighting moved into a later minute.
    const [recent] = await tx.query<{ id: string; alert_id: string | null; new_minute: boolean }>(
      `with prev as (
         select id, last_seen_at from visits
          where store_id = $1 and customer_id = $2
            and last_seen_at >= $3::timestamptz - interval '${VISIT_WINDOW_MINUTES} minutes'
            and started_at <= $3::timestamptz + interval '${VISIT_WINDOW_MINUTES} minutes'
          order by last_seen_at desc limit 1)
       update visits v set sightings = v.sightings + 1,
              last_seen_at = greatest(v.last_seen_at, $3::timestamptz)
         from prev where v.id = prev.id
       returning v.id, v.alert_id,
         date_trunc('minute', v.last_seen_at) > date_trunc('minute', prev.last_seen_at) as new_minute`,
      [storeId, customer.id, at],
    );
    if (recent) {
      // Time in store (#16 item 6): terminals hear of her again at most once a minute, and only
      // while her alert can still be acted on.
      const seen =
        recent.new_minute && recent.alert_id ? await seenUpdate(tx, recent.alert_id) : null;
      return { visitId: recent.id, alertId: recent.alert_id, alert: null, seen };
    }

    // Only a new visit needs the card: repeat sightings (most Wi-Fi pings) skip the stock query.
    const card = await buildCustomerCard(tx, storeId, customer);
    const visitId = newId();
    const alertId = newId();
    const expiresAt = new Date(Date.parse(at) + ALERT_EXPIRY_MINUTES * 60_000).toISOString();
    // Visit and alert in one statement: one round trip fewer on the alert's critical path.
    await tx.query(
      `with visit as (
         insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
         values ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz, $6)
         returning id)
       insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, card)
       select $6, visit.id, $2, $3, $4, $5::timestamptz, $7::timestamptz, $8::jsonb from visit`,
      [visitId, storeId, customer.id, event.source, at, alertId, expiresAt, JSON.stringify(card)],
    );
    const alert: ArrivalAlert = {
      alertId,
      visitId,
      storeId,
      at,
      source: event.source,
      status: 'open',
      claimedBy: null,
      claimedAt: null,
      expiresAt,
      convertedAt: null,
      card,
      lastSeenAt: at,
    };
    return { visitId, alertId, alert, seen: null };
  });
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
