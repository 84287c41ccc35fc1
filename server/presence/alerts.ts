import {
  customerCard,
  presenceSource,
  alertStatus,
  type AlertUpdate,
  type ArrivalAlert,
  type ClaimAck,
} from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { recordContact } from '../bindings/service';
import type { HubContext } from '../context';
import { ALERT_EXPIRY_MINUTES } from './windows';

/**
 * How far back a terminal's alert catch-up reaches (`alertCatchUpMinutes` in the renderer's sync
 * engine): an alert's claimable half hour plus the few minutes a presence source's clock may run
 * ahead of the hub's.
 */
export const ALERT_CATCH_UP_REACH_MINUTES = ALERT_EXPIRY_MINUTES + 5;

/** Both drivers hand timestamptz back as Date; the wire wants ISO-8601 UTC. */
export const toIso = (value: unknown): string => new Date(value as string | Date).toISOString();
const toIsoOrNull = (value: unknown): string | null => (value == null ? null : toIso(value));

/** An alert row joined with the claiming guide's name (see `ALERT_SELECT`). */
export type AlertRow = {
  id: string;
  visit_id: string;
  store_id: string;
  source: string;
  raised_at: unknown;
  expires_at: unknown;
  status: string;
  claimed_by: string | null;
  claimed_by_name: string | null;
  claimed_at: unknown;
  converted_at: unknown;
  converted_order_id: string | null;
  card: unknown;
  /** the visit's latest sighting (from `ALERT_SELECT`'s join) */
  last_seen_at?: unknown;
};

/** Select list + join for `AlertRow`; callers add `where` / `order by` after it. */
export const ALERT_SELECT = `
  select a.id, a.visit_id, a.store_id, a.source, a.raised_at, a.expires_at, a.status,
         a.claimed_by, g.name as claimed_by_name, a.claimed_at, a.converted_at,
         a.converted_order_id, a.card, v.last_seen_at
    from alerts a left join guides g on g.id = a.claimed_by
         left join visits v on v.id = a.visit_id`;

export function toArrivalAlert(row: AlertRow): ArrivalAlert {
  return {
    alertId: row.id,
    visitId: row.visit_id,
    storeId: row.store_id,
    at: toIso(row.raised_at),
    source: presenceSource.parse(row.source),
    status: alertStatus.parse(row.status),
    claimedBy:
      row.claimed_by === null ? null : { guideId: row.claimed_by, name: row.claimed_by_name ?? '' },
    claimedAt: toIsoOrNull(row.claimed_at),
    expiresAt: toIso(row.expires_at),
    convertedAt: toIsoOrNull(row.converted_at),
    card: customerCard.parse(row.card),
    ...(row.last_seen_at == null ? {} : { lastSeenAt: toIso(row.last_seen_at) }),
  };
}

export function toAlertUpdate(row: Omit<AlertRow, 'card'>): AlertUpdate {
  return {
    alertId: row.id,
    storeId: row.store_id,
    status: alertStatus.parse(row.status),
    claimedBy:
      row.claimed_by === null ? null : { guideId: row.claimed_by, name: row.claimed_by_name ?? '' },
    claimedAt: toIsoOrNull(row.claimed_at),
    convertedAt: toIsoOrNull(row.converted_at),
    orderId: row.converted_order_id,
    ...(row.last_seen_at == null ? {} : { lastSeenAt: toIso(row.last_seen_at) }),
  };
}

/** Most alerts a catch-up returns; 12 h of one store stays far below this. */
const CATCH_UP_LIMIT = 1000;

/** A store's alerts raised since `since`, newest first, with their current status and claim. */
export async function listAlerts(
  db: Queryable,
  storeId: string,
  since: string,
): Promise<ArrivalAlert[]> {
  const rows = await db.query<AlertRow>(
    `${ALERT_SELECT}
      where a.store_id = $1 and a.raised_at >= $2::timestamptz
        -- an erased customer's alerts are not served again (their cards are emptied anyway)
        and not exists (select 1 from customer_erasures e where e.customer_id = a.customer_id)
      order by a.raised_at desc, a.id desc
      limit ${CATCH_UP_LIMIT}`,
    [storeId, since],
  );
  return rows.map(toArrivalAlert);
}

/**
 * The smallest UUIDv7 of millisecond `ms`: every v7 id made at or after `ms` sorts at or above it
 * (PostgreSQL compares uuids byte by byte, and v7 starts with the big-endian unix milliseconds).
 */
export function uuidV7Floor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

/** Stores per `alertsChangedWithin` query: one `any($1)` list stays a short index probe each. */
const CHANGED_STORES_PER_QUERY = 500;

/**
 * Alerts of `storeIds` raised or changed within the last `windowMs` — what a hub node that died
 * silently may have emitted to its own sockets and never published (issue #17, `peer_lost`). The
 * survivors re-send these to their own terminals instead of having every terminal ask for 35
 * minutes of its store's alerts.
 *
 * Each column is compared with the clock that wrote it: `raised_at`, `claimed_at`, `expires_at`
 * and the visit's `last_seen_at` come from the hubs' (or the presence source's) clock, so they are
 * compared with this hub's `now`, never the database server's (docs/reliability.md, "Two clocks in
 * one comparison"); a conversion is dated by the order's own, possibly offline, time, so it counts
 * by the order's `received_at`, which the database stamps, against the database's `now()`.
 *
 * An alert is new in the window when its *id* says so: ids are UUIDv7 made by the hub that raised
 * it (`newId()` in `writeSighting`), so their leading 48 bits are that hub's clock at the raise.
 * `raised_at` is the sighting's own time, which may lag (a buffered door counter, a source whose
 * clock is behind): an alert raised a moment before the death from a sighting 2 minutes old is
 * still re-sent — the terminal was told `alerts: false` and will not ask for it. An expiry is sent
 * by the sweep, up to `expirySweepMs` after `expires_at`, so expiries count back that much further.
 *
 * Only alerts raised within a catch-up's reach (`ALERT_CATCH_UP_REACH_MINUTES` before the window)
 * are looked at: older ones are not claimable any more, and the terminal's own catch-up does not
 * reach them either. That bound is what lets the per-store index (`alerts_store_time`) serve the
 * query — no chain-wide time index is needed. Stores go in batches; the same shape as `listAlerts`,
 * oldest first (the order they were raised in).
 */
export async function alertsChangedWithin(
  db: Queryable,
  storeIds: readonly string[],
  windowMs: number,
  now: Date = new Date(),
  expirySweepMs = 15_000,
): Promise<ArrivalAlert[]> {
  const since = new Date(now.getTime() - windowMs).toISOString();
  const sweptSince = new Date(now.getTime() - windowMs - expirySweepMs).toISOString();
  const idSince = uuidV7Floor(now.getTime() - windowMs);
  const reach = new Date(
    now.getTime() - windowMs - ALERT_CATCH_UP_REACH_MINUTES * 60_000,
  ).toISOString();
  const alerts: ArrivalAlert[] = [];
  for (let i = 0; i < storeIds.length; i += CHANGED_STORES_PER_QUERY) {
    const rows = await db.query<AlertRow>(
      `${ALERT_SELECT}
        where a.store_id = any($1::uuid[]) and a.raised_at >= $2::timestamptz
          and (a.raised_at >= $3::timestamptz or a.id >= $5::uuid
               or a.claimed_at >= $3::timestamptz or v.last_seen_at >= $3::timestamptz
               or (a.status = 'expired' and a.expires_at >= $6::timestamptz)
               or (a.converted_order_id is not null and exists (
                     select 1 from orders o where o.id = a.converted_order_id
                        and o.received_at >= now() - make_interval(secs => $4::double precision / 1000))))
          and not exists (select 1 from customer_erasures e where e.customer_id = a.customer_id)
        order by a.raised_at, a.id`,
      [
        storeIds.slice(i, i + CHANGED_STORES_PER_QUERY),
        reach,
        since,
        windowMs,
        idSince,
        sweptSince,
      ],
    );
    for (const row of rows) alerts.push(toArrivalAlert(row));
  }
  return alerts;
}

/**
 * First claim wins: the `status = 'open'` guard in one UPDATE makes the race atomic on every
 * database and every hub node. Returns the ack for the terminal and the update to broadcast.
 */
export async function claimAlert(
  ctx: HubContext,
  storeId: string,
  alertId: string,
  guideId: string,
): Promise<{ ack: ClaimAck; update: AlertUpdate | null }> {
  const { db } = ctx;
  const [guide] = await db.query<{ name: string }>(
    'select name from guides where id = $1 and store_id = $2 and active',
    [guideId, storeId],
  );
  if (!guide) {
    return {
      ack: {
        ok: false,
        error: { code: 'forbidden', message: 'guide is not active in this store' },
      },
      update: null,
    };
  }
  const now = new Date();
  const [claimed] = await db.query<
    Omit<AlertRow, 'card' | 'claimed_by_name'> & { customer_id: string }
  >(
    `update alerts set status = 'claimed', claimed_by = $2, claimed_at = $4
      where id = $1 and store_id = $3 and status = 'open' and expires_at > $4
      returning id, visit_id, store_id, source, raised_at, expires_at, status, claimed_by,
                claimed_at, converted_at, converted_order_id, customer_id::text as customer_id`,
    [alertId, guideId, storeId, now.toISOString()],
  );
  if (claimed) {
    // A claim is contact: the customer's own guide keeps them (server/bindings/). Idempotent.
    await recordContact(db, claimed.customer_id, guideId, now);
    return {
      ack: { ok: true },
      update: toAlertUpdate({ ...claimed, claimed_by_name: guide.name }),
    };
  }

  // Lost the race, or the alert is not claimable: say why.
  const [current] = await db.query<AlertRow>(
    `${ALERT_SELECT} where a.id = $1 and a.store_id = $2`,
    [alertId, storeId],
  );
  // Another store's alert answers like a missing one, so ids cannot be probed across stores.
  if (!current) {
    return {
      ack: { ok: false, error: { code: 'not_found', message: 'no such alert' } },
      update: null,
    };
  }
  if (current.claimed_by !== null) {
    return {
      ack: {
        ok: false,
        error: {
          code: 'already_claimed',
          message: 'another guide claimed this customer first',
          claimedBy: { guideId: current.claimed_by, name: current.claimed_by_name ?? '' },
        },
      },
      update: null,
    };
  }
  if (current.status === 'converted') {
    return {
      ack: {
        ok: false,
        error: { code: 'already_claimed', message: 'this visit already converted' },
      },
      update: null,
    };
  }
  // Open but past its expiry (the sweep has not run yet): expire it now so every terminal agrees.
  const expired = await expireAlerts(db, alertId);
  return {
    ack: { ok: false, error: { code: 'expired', message: 'this alert has expired' } },
    update: expired[0] ?? null,
  };
}

/**
 * Expires open alerts past their time (all of them, or just `alertId`). `update … returning`
 * hands each alert to exactly one caller, so with several hub nodes each expiry is sent once.
 *
 * The time is the hub's, like the `raised_at` the expiry was computed from: comparing it with the
 * database server's `now()` mixed two clocks, and a database on another host with its clock off
 * (seen when the hub ran a year ahead against the machine's PostgreSQL) never expired anything.
 */
export async function expireAlerts(
  db: Queryable,
  alertId?: string,
  now: Date = new Date(),
): Promise<AlertUpdate[]> {
  const rows = await db.query<Omit<AlertRow, 'card' | 'claimed_by_name'>>(
    `update alerts set status = 'expired'
      where status = 'open' and expires_at <= $1 ${alertId ? 'and id = $2' : ''}
      returning id, visit_id, store_id, source, raised_at, expires_at, status, claimed_by,
                claimed_at, converted_at, converted_order_id`,
    alertId ? [now.toISOString(), alertId] : [now.toISOString()],
  );
  return rows.map((r) => toAlertUpdate({ ...r, claimed_by_name: null }));
}
