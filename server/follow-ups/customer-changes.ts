import type { Queryable } from '../db/database';
import { lockFollowUps } from './tasks';

/*
 * What an erasure and a merge of customers (server/customers) do to follow-ups (#15 items 3, 5).
 * Both run inside the erasure's or merge's transaction, which holds the change-feed lock and the
 * customer rows; the follow-up lock comes next, before any binding row (the outcome path takes
 * the follow-up lock, then binding rows, so this order can never wait in a cycle with it).
 * Every task touched gets a new follow-up sequence, so terminals pull it again.
 */

const storesOf = (rows: readonly { store_id: string }[]) => new Set(rows.map((r) => r.store_id));

/**
 * Erasure: the guides' free-text notes on the customer's visit outcomes and tasks are wiped (they
 * may name the person), open tasks are cancelled (they leave every terminal's 跟进 list), done
 * ones stay for the store's figures with nobody behind them. Returns the stores to tell.
 */
export async function eraseFollowUps(
  tx: Queryable,
  customerIds: readonly string[],
): Promise<Set<string>> {
  await lockFollowUps(tx);
  await tx.query(
    `update visit_outcomes set note = null
      where customer_id = any($1::uuid[]) and note is not null`,
    [customerIds],
  );
  const touched = await tx.query<{ store_id: string }>(
    `update follow_up_tasks set seq = nextval('follow_up_seq'), note = null,
            status = case when status = 'open' then 'cancelled' else status end
      where customer_id = any($1::uuid[]) and (status = 'open' or note is not null)
      returning store_id::text as store_id`,
    [customerIds],
  );
  return storesOf(touched);
}

/**
 * Merge: the duplicate's visit outcomes and tasks move to the surviving customer (same task ids,
 * so an outcome a terminal recorded offline against the old id still finds its task). A task the
 * survivor already has (same kind and source: one visit, one birthday) stays with the duplicate,
 * cancelled if it was open, so the guide is not asked twice. Returns the stores to tell.
 */
export async function moveFollowUps(
  tx: Queryable,
  sourceId: string,
  targetId: string,
): Promise<Set<string>> {
  await lockFollowUps(tx);
  await tx.query('update visit_outcomes set customer_id = $2 where customer_id = $1', [
    sourceId,
    targetId,
  ]);
  const survivorHas = `exists (select 1 from follow_up_tasks t
     where t.customer_id = $2 and t.kind = s.kind and t.source = s.source)`;
  const cancelled = await tx.query<{ store_id: string }>(
    `update follow_up_tasks s set seq = nextval('follow_up_seq'), status = 'cancelled'
      where s.customer_id = $1 and s.status = 'open' and ${survivorHas}
      returning store_id::text as store_id`,
    [sourceId, targetId],
  );
  const moved = await tx.query<{ store_id: string }>(
    `update follow_up_tasks s set seq = nextval('follow_up_seq'), customer_id = $2
      where s.customer_id = $1 and not ${survivorHas}
      returning store_id::text as store_id`,
    [sourceId, targetId],
  );
  return new Set([...storesOf(cancelled), ...storesOf(moved)]);
}
