import { newId } from '../../shared/domain/ids';
import {
  auditDetail,
  profileEditAuditDetail,
  type ProfileEditAuditDetail,
  type AuditPage,
  type AuditQuery,
  type AuditRow,
  type AuditRowAction,
  type AuditSource,
} from '../../shared/protocol';
import { startPeriodicSweep } from '../periodic-sweep';
import type { HubContext } from '../context';
import type { Queryable } from '../db/database';

const DAY_MS = 86_400_000;
const isDay = (bound: string) => bound.length === 10;

/**
 * An entry the hub writes itself (what it saw while serving a terminal, or an admin action). Ids
 * only: never a name, a phone number, a PIN or a free-text reason.
 */
export type HubAuditEntry = {
  action: AuditRowAction;
  source: Exclude<AuditSource, 'terminal'>;
  storeId?: string | null;
  terminalId?: string | null;
  guideId?: string | null;
  customerId?: string | null;
  at?: Date;
  /** `customer_profile_edited`: the field names (never their values) */
  detail?: ProfileEditAuditDetail;
};

/** Writes one hub-made audit entry (in the caller's transaction when given one). */
export async function recordAudit(db: Queryable, entry: HubAuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log(id, store_id, terminal_id, guide_id, customer_id, action, source, at,
       detail)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
    [
      newId(),
      entry.storeId ?? null,
      entry.terminalId ?? null,
      entry.guideId ?? null,
      entry.customerId ?? null,
      entry.action,
      entry.source,
      (entry.at ?? new Date()).toISOString(),
      entry.detail ? JSON.stringify(profileEditAuditDetail.parse(entry.detail)) : null,
    ],
  );
}

type Row = {
  id: string;
  action: AuditRow['action'];
  source: AuditRow['source'];
  at: string;
  received_at: string;
  customer_id: string | null;
  guide_id: string | null;
  guide_name: string | null;
  store_id: string | null;
  store_name: string | null;
  store_timezone: string | null;
  terminal_id: string | null;
  terminal_name: string | null;
  detail: unknown;
};

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * One customer's, guide's or terminal's audit trail, newest first, with the names of the store,
 * terminal and guide. A day bound is that day in the store where the entry was made (stores of one
 * chain may sit in different zones), so `from` / `to` mean what the store's staff and IT mean; an
 * entry of no store (an erasure, a key rotation) is bounded by the UTC day.
 */
export async function queryAudit(db: Queryable, query: AuditQuery): Promise<AuditPage> {
  const bound = (value: string | undefined, kind: 'day' | 'instant') =>
    value !== undefined && isDay(value) === (kind === 'day') ? value : null;
  const rows = await db.query<Row>(
    `select a.id, a.action, a.source,
            to_char(a.at at time zone 'UTC', ${ISO}) as at,
            to_char(a.received_at at time zone 'UTC', ${ISO}) as received_at,
            a.customer_id, a.guide_id, g.name as guide_name,
            s.id as store_id, s.name as store_name, s.timezone as store_timezone,
            t.id as terminal_id, t.name as terminal_name, a.detail
       from audit_log a
       left join stores s on s.id = a.store_id
       left join terminals t on t.id = a.terminal_id
       left join guides g on g.id = a.guide_id
      where ($1::uuid is null or a.customer_id = $1::uuid)
        and ($2::uuid is null or a.guide_id = $2::uuid)
        and ($8::uuid is null or a.terminal_id = $8::uuid)
        and ($3::date is null
             or a.at >= $3::date::timestamp at time zone coalesce(s.timezone, 'UTC'))
        and ($4::timestamptz is null or a.at >= $4::timestamptz)
        and ($5::date is null
             or a.at < ($5::date + 1)::timestamp at time zone coalesce(s.timezone, 'UTC'))
        and ($6::timestamptz is null or a.at <= $6::timestamptz)
      order by a.at desc, a.id desc
      limit $7`,
    [
      query.customerId ?? null,
      query.guideId ?? null,
      bound(query.from, 'day'),
      bound(query.from, 'instant'),
      bound(query.to, 'day'),
      bound(query.to, 'instant'),
      query.limit + 1,
      query.terminalId ?? null,
    ],
  );
  return {
    items: rows.slice(0, query.limit).map((r) => ({
      id: r.id,
      action: r.action,
      source: r.source,
      at: r.at,
      receivedAt: r.received_at,
      customerId: r.customer_id,
      guide: r.guide_id === null ? null : { id: r.guide_id, name: r.guide_name ?? '' },
      store:
        r.store_id === null
          ? null
          : { id: r.store_id, name: r.store_name ?? '', timezone: r.store_timezone ?? 'UTC' },
      terminal: r.terminal_id === null ? null : { id: r.terminal_id, name: r.terminal_name ?? '' },
      detail: storedDetail(r.detail),
    })),
    hasMore: rows.length > query.limit,
  };
}

/** A stored detail as the read API gives it: what the schema accepts, else none. */
function storedDetail(value: unknown): AuditRow['detail'] {
  const json: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  const parsed = auditDetail.safeParse(json);
  if (parsed.success) return parsed.data;
  const fields = profileEditAuditDetail.safeParse(json);
  return fields.success ? fields.data : null;
}

/** Rows one delete removes: short statements, so terminals' audit uploads never wait long. */
export const PRUNE_BATCH = 5_000;
/** Batches one sweep may run; a backlog beyond it (a first start after years) waits for the next. */
export const PRUNE_MAX_BATCHES = 20;

/**
 * Deletes audit entries made before `now` minus the retention, in bounded batches (oldest first).
 * Returns how many were deleted. `now` is injected so tests need no clock.
 */
export async function pruneAudit(
  db: Queryable,
  retentionDays: number,
  now: number = Date.now(),
  batch = PRUNE_BATCH,
  maxBatches = PRUNE_MAX_BATCHES,
): Promise<number> {
  const cutoff = new Date(now - retentionDays * DAY_MS).toISOString();
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const [row] = await db.query<{ n: number }>(
      `with gone as (
         delete from audit_log where id in (
           select id from audit_log where at < $1::timestamptz order by at limit $2)
         returning 1)
       select count(*)::int as n from gone`,
      [cutoff, batch],
    );
    const n = Number(row?.n ?? 0);
    deleted += n;
    if (n < batch) break;
  }
  return deleted;
}

/** Starts the periodic retention sweep (one at start, then every `auditPruneMs`); returns stop. */
export function startAuditRetention(ctx: HubContext): () => void {
  return startPeriodicSweep({
    what: 'audit retention sweep',
    everyMs: ctx.config.auditPruneMs,
    runAtStart: true,
    log: ctx.log,
    sweep: async () => {
      const deleted = await pruneAudit(ctx.db, ctx.config.auditRetentionDays);
      if (deleted > 0)
        ctx.log.info(
          { deleted, retentionDays: ctx.config.auditRetentionDays },
          'audit entries past retention deleted',
        );
    },
  });
}
