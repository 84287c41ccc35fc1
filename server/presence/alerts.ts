import {
  customerCard,
  presenceSource,
  alertStatus,
  type AlertUpdate,
  type ArrivalAlert,
  type ClaimAck,
} from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { createBatcher, fulfilled } from '../db/batcher';
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

/** One terminal's catch-up: its store's alerts raised since `since`. */
export type CatchUpRequest = { storeId: string; since: string };

/** A store's alerts raised since `since`, newest first, with their current status and claim. */
export async function listAlerts(
  db: Queryable,
  storeId: string,
  since: string,
): Promise<ArrivalAlert[]> {
  return (await listAlertsFor(db, [{ storeId, since }]))[0]!;
}

/**
 * `listAlerts` for several catch-ups in one statement: each request gets exactly what
 * `listAlerts` would give it (its own store and `since`, newest first, at most `CATCH_UP_LIMIT`),
 * each read through the per-store index (`alerts_store_time`) by a lateral join over the
 * requests. Two requests of one store are answered separately (their `since` may differ).
 */
export async function listAlertsFor(
  db: Queryable,
  requests: readonly CatchUpRequest[],
): Promise<ArrivalAlert[][]> {
  if (requests.length === 0) return [];
  const rows = await db.query<AlertRow & { req: number }>(
    `select q.req::int as req, x.*
       from unnest($1::uuid[], $2::timestamptz[]) with ordinality as q(store_id, since, req)
            cross join lateral (
              ${ALERT_SELECT}
               where a.store_id = q.store_id and a.raised_at >= q.since
                 -- an erased customer's alerts are not served again (their cards are emptied)
                 and not exists (select 1 from customer_erasures e where e.customer_id = a.customer_id)
               order by a.raised_at desc, a.id desc
               limit ${CATCH_UP_LIMIT}) x
      order by q.req, x.raised_at desc, x.id desc`,
    [requests.map((r) => r.storeId), requests.map((r) => r.since)],
  );
  const lists = requests.map((): ArrivalAlert[] => []);
  for (const row of rows) lists[row.req - 1]!.push(toArrivalAlert(row));
  return lists;
}

/** Catch-ups one statement answers at most (a failover's burst of them goes in several). */
const CATCH_UP_BATCH = 200;
/** Catch-up statements a node runs at once; the pool keeps its other connections for the rest. */
const CATCH_UP_IN_FLIGHT = 2;

export type AlertCatchUp = {
  /** `listAlerts`, answered together with the catch-ups waiting beside it. */
  list(storeId: string, since: string): Promise<ArrivalAlert[]>;
};

/**
 * A node's alert catch-ups (`GET /alerts`), shared out over a few statements: when a dead peer's
 * terminals reconnect to this node (bench:chain's failover: ~6,000 within seconds), each one's
 * catch-up used to be a statement of its own, queued for the pool behind the others and the
 * presence burst. Now at most `CATCH_UP_IN_FLIGHT` run at a time and the requests that arrive
 * meanwhile wait to go together (up to `CATCH_UP_BATCH` in one statement) — no timer, so a
 * catch-up on a quiet node runs at once, exactly as before. A failed statement fails the
 * requests it carried (each answers as a database error did before), not the ones after it.
 */
export function createAlertCatchUp(
  db: Queryable,
  options: { batch?: number; inFlight?: number } = {},
): AlertCatchUp {
  const list = createBatcher<CatchUpRequest, ArrivalAlert[]>(
    async (requests) => fulfilled(await listAlertsFor(db, requests)),
    {
      maxBatch: options.batch ?? CATCH_UP_BATCH,
      inFlight: options.inFlight ?? CATCH_UP_IN_FLIGHT,
    },
  );
  return { list: (storeId, since) => list({ storeId, since }) };
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
