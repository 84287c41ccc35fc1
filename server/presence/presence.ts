import { newId } from '../../shared/domain/ids';
import {
  isTombstone,
  type AlertUpdate,
  type ArrivalAlert,
  type CustomerFeedItem,
  type CustomerProfile,
  type FootfallEvent,
  type PresenceEvent,
} from '../../shared/protocol';
import { loadProfile } from '../customers/profile';
import type { Queryable } from '../db/database';
import type { HubContext } from '../context';
import { badRequest, HubError, notFound } from '../http/errors';
import { ALERT_SELECT, toAlertUpdate, type AlertRow } from './alerts';
import { buildCustomerCard } from './card';
import { nearestStoreContaining } from './geo';
import { storeGeofences } from './store-geofences';
import {
  expiresAt,
  recentVisit,
  resolveCustomer,
  sightingBatches,
  type Sighting,
  type SightingRow,
} from './sightings';

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
  /**
   * With `alert` and `withProfile`, when the alert brought her into the store's scope: her
   * profile as the customer feed sends it; `alert:new` carries it to store-scoped terminals
   * (issue #17, routes.ts). Null for a member already in the scope (its terminals have her).
   */
  profile: CustomerProfile | null;
  /** her visit's alert, when this sighting moved its last sighting into a later minute */
  seen: AlertUpdate | null;
};

/** How far ahead of the hub's clock a sighting's `at` may be (presence sources drift a little). */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Records a sighting: extends the customer's visit when they were seen in this store within the
 * visit window, otherwise opens a visit and (for a known customer) raises an arrival alert. The
 * caller broadcasts `alert` after this returns, i.e. after the transaction committed.
 */
export async function recordPresence(
  ctx: Pick<HubContext, 'db'>,
  event: PresenceEvent,
  { withProfile = false }: { withProfile?: boolean } = {},
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
  const batches = sightingBatches(db);
  const ref = event.customer;
  // By phone: hashed and looked up on its own (two indexes, merged duplicates preferred live).
  const customer =
    'phone' in ref
      ? await resolveCustomer(db, ref, { storeId, at })
      : await batches.lookup({ ref, storeId, at });

  if (!customer) {
    // Nobody to recognise: count the sighting, alert no one.
    const visitId = newId();
    await db.query(
      `insert into visits(id, store_id, customer_id, source, started_at, last_seen_at)
       values ($1, $2, null, $3, $4::timestamptz, $4::timestamptz)`,
      [visitId, storeId, event.source, at],
    );
    return { visitId, alertId: null, alert: null, profile: null, seen: null };
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
    const sighting: Sighting = {
      storeId,
      customer,
      at,
      source: event.source,
      card,
      visitId: newId(),
      alertId: newId(),
    };
    const row = await batches.write(sighting);
    const written = row ? await sightingResult(db, sighting, row) : null;
    if (!written) {
      // The visit seen a moment ago is gone (erased meanwhile): open one, with a card.
      card = await buildCustomerCard(db, storeId, customer);
      continue;
    }
    if (written.alert && withProfile && row?.entering)
      written.profile = await arrivalProfile(db, customer.id, row);
    return written;
  }
}

/**
 * The profile her alert carries when it brought her into the store's scope: the version the
 * sighting recorded on her scope row (migration 030), as stored feed JSON; not stored yet, her
 * row mapped now — a version as new or newer, so if it differs the settle tells the store to
 * pull. Null: she was erased or merged meanwhile (the settle sends her tombstone there).
 */
async function arrivalProfile(
  db: Queryable,
  customerId: string,
  row: SightingRow,
): Promise<CustomerProfile | null> {
  if (row.profile === null) return loadProfile(db, customerId);
  // Written by `feedJsonOf` for this same row version: the feed sends it as it is too.
  const item = JSON.parse(row.profile) as CustomerFeedItem;
  return isTombstone(item) ? null : item;
}

/** What a sighting's write means to its caller: the alert to broadcast, or her visit seen again. */
async function sightingResult(
  db: Queryable,
  s: Sighting,
  row: SightingRow,
): Promise<PresenceResult> {
  if (!row.opened) {
    // Time in store (#16 item 6): terminals hear of her again at most once a minute, and only
    // while her alert can still be acted on.
    const seen = row.new_minute && row.alert_id ? await seenUpdate(db, row.alert_id) : null;
    return { visitId: row.visit_id, alertId: row.alert_id, alert: null, profile: null, seen };
  }
  const alert: ArrivalAlert = {
    alertId: s.alertId,
    visitId: s.visitId,
    storeId: s.storeId,
    at: s.at,
    source: s.source,
    status: 'open',
    claimedBy: null,
    claimedAt: null,
    expiresAt: expiresAt(s.at),
    convertedAt: null,
    card: s.card!,
    lastSeenAt: s.at,
  };
  return { visitId: s.visitId, alertId: s.alertId, alert, profile: null, seen: null };
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
