import { newId } from '../../shared/domain/ids';
import type { FollowUpDetail, FollowUpItem, FollowUpKind } from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { boundGuides } from './binding-link';
import { ADVISORY_LOCKS } from '../db/advisory-locks';

/** `pg_advisory_xact_lock` key of follow-up task writes (the feed's sequence is drawn under it). */
const FOLLOW_UP_LOCK = ADVISORY_LOCKS.followUps;

/**
 * Taken first by every transaction that writes `follow_up_tasks`: sequence numbers are then
 * committed in the order they are drawn, so a terminal's cursor never passes a row that commits
 * later. Task writes are few (a sweep, a batch of outcomes), so one lock for all stores is enough.
 */
export async function lockFollowUps(tx: Queryable): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1)', [FOLLOW_UP_LOCK]);
}

/** A task generation wants to exist; its key is kind + customer + source. */
export type TaskCandidate = {
  storeId: string;
  customerId: string;
  kind: FollowUpKind;
  source: string;
  dueAt: Date;
  detail: FollowUpDetail;
};

/**
 * Inserts the candidates that do not exist yet (by their unique key), each assigned to the
 * customer's bound guide when that binding is at the task's store, else to the store pool.
 * Call under `lockFollowUps`. Returns the stores that got new tasks.
 */
export async function insertTasks(
  tx: Queryable,
  candidates: readonly TaskCandidate[],
  now: Date,
): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const bound = await boundGuides(
    tx,
    candidates.map((c) => c.customerId),
  );
  // Key order, so two writers meet the unique index in the same order.
  const rows = [...candidates]
    .sort(
      (a, b) =>
        a.kind.localeCompare(b.kind) ||
        a.customerId.localeCompare(b.customerId) ||
        a.source.localeCompare(b.source),
    )
    .map((c) => {
      const binding = bound.get(c.customerId);
      return {
        id: newId(),
        store_id: c.storeId,
        customer_id: c.customerId,
        guide_id: binding && binding.storeId === c.storeId ? binding.guideId : null,
        kind: c.kind,
        source: c.source,
        due_at: c.dueAt.toISOString(),
        detail: c.detail,
      };
    });
  const inserted = await tx.query<{ store_id: string }>(
    `insert into follow_up_tasks (id, seq, store_id, customer_id, guide_id, kind, source, due_at,
                                  detail, created_at)
     select x.id, nextval('follow_up_seq'), x.store_id, x.customer_id, x.guide_id, x.kind,
            x.source, x.due_at, x.detail, $2::timestamptz
       from jsonb_to_recordset($1::jsonb) as x(id uuid, store_id uuid, customer_id uuid,
            guide_id uuid, kind text, source text, due_at timestamptz, detail jsonb)
     on conflict (kind, customer_id, source) do nothing
     returning store_id::text as store_id`,
    [JSON.stringify(rows), now.toISOString()],
  );
  return new Set(inserted.map((r) => r.store_id));
}

type TaskRow = {
  id: string;
  seq: string;
  store_id: string;
  customer_id: string;
  guide_id: string | null;
  kind: FollowUpKind;
  due_at: Date | string;
  detail: FollowUpDetail;
  status: FollowUpItem['status'];
  outcome: FollowUpItem['outcome'];
  done_at: Date | string | null;
};

const iso = (value: Date | string) => new Date(value).toISOString();

export const TASK_COLUMNS = `id::text as id, seq::text as seq, store_id::text as store_id,
  customer_id::text as customer_id, guide_id::text as guide_id, kind, due_at, detail, status,
  outcome, done_at`;

export function rowToItem(r: TaskRow): FollowUpItem {
  return {
    id: r.id,
    storeId: r.store_id,
    customerId: r.customer_id,
    guideId: r.guide_id,
    kind: r.kind,
    dueAt: iso(r.due_at),
    detail: typeof r.detail === 'string' ? (JSON.parse(r.detail) as FollowUpDetail) : r.detail,
    status: r.status,
    outcome: r.outcome,
    doneAt: r.done_at === null ? null : iso(r.done_at),
  };
}

export type { TaskRow };
