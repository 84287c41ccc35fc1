import type { AuditPage, AuditQuery, AuditRow } from '../../shared/protocol';
import { startPeriodicSweep } from '../periodic-sweep';
import type { HubContext } from '../context';
import type { Queryable } from '../db/database';

const DAY_MS = 86_400_000;
const isDay = (bound: string) => bound.length === 10;

type Row = {
  id: string;
  action: AuditRow['action'];
  at: string;
  received_at: string;
  customer_id: string | null;
  guide_id: string | null;
  guide_name: string | null;
  store_id: string;
  store_name: string;
  store_timezone: string;
  terminal_id: string;
  terminal_name: string;
};

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * One customer's or one guide's audit trail, newest first, with the names of the store, terminal
 * and guide. A day bound is that day in the store where the entry was made (stores of one chain
 * may sit in different zones), so `from` / `to` mean what the store's staff and IT mean.
 */
export async function queryAudit(db: Queryable, query: AuditQuery): Promise<AuditPage> {
  const bound = (value: string | undefined, kind: 'day' | 'instant') =>
    value !== undefined && isDay(value) === (kind === 'day') ? value : null;
  const rows = await db.query<Row>(
    `select a.id, a.action,
            to_char(a.at at time zone 'UTC', ${ISO}) as at,
            to_char(a.received_at at time zone 'UTC', ${ISO}) as received_at,
            a.customer_id, a.guide_id, g.name as guide_name,
            s.id as store_id, s.name as store_name, s.timezone as store_timezone,
            t.id as terminal_id, t.name as terminal_name
       from audit_log a
       join stores s on s.id = a.store_id
       join terminals t on t.id = a.terminal_id
       left join guides g on g.id = a.guide_id
      where ($1::uuid is null or a.customer_id = $1::uuid)
        and ($2::uuid is null or a.guide_id = $2::uuid)
        and ($3::date is null or a.at >= $3::date::timestamp at time zone s.timezone)
        and ($4::timestamptz is null or a.at >= $4::timestamptz)
        and ($5::date is null or a.at < ($5::date + 1)::timestamp at time zone s.timezone)
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
    ],
  );
  return {
    items: rows.slice(0, query.limit).map((r) => ({
      id: r.id,
      action: r.action,
      at: r.at,
      receivedAt: r.received_at,
      customerId: r.customer_id,
      guide: r.guide_id === null ? null : { id: r.guide_id, name: r.guide_name ?? '' },
      store: { id: r.store_id, name: r.store_name, timezone: r.store_timezone },
      terminal: { id: r.terminal_id, name: r.terminal_name },
    })),
    hasMore: rows.length > query.limit,
  };
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
