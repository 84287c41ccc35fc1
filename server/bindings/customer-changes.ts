import type { BindingRule } from '../../shared/protocol';
import { isoSql } from '../customers/profile';
import type { Queryable } from '../db/database';
import { eventInstant, writeBindingEvent } from './service';

/*
 * What an erasure and a merge of customers (server/customers) do to the binding (专属导购, #15
 * item 1). Both run in the erasure's or merge's transaction, which holds the change-feed lock
 * (the caller moves the customers in the feed itself). The trail keeps ids only.
 */

type Removed = {
  guide_id: string;
  store_id: string;
  rule: BindingRule;
  bound_at: string;
  last_contact_at: string;
};

async function removeBinding(tx: Queryable, customerId: string): Promise<Removed | null> {
  const [row] = await tx.query<Removed>(
    `delete from customer_bindings where customer_id = $1
      returning guide_id::text as guide_id, store_id::text as store_id, rule,
                ${isoSql('bound_at')} as bound_at, ${isoSql('last_contact_at')} as last_contact_at`,
    [customerId],
  );
  return row ?? null;
}

/** Erasure: the customer leaves their guide (a `released` event: nobody is behind it now). */
export async function releaseErasedBinding(
  tx: Queryable,
  customerId: string,
  at: Date,
  source: 'admin_cli' | 'admin_rest' | 'hub',
): Promise<void> {
  const gone = await removeBinding(tx, customerId);
  if (!gone) return;
  await writeBindingEvent(tx, {
    customerId,
    guideId: null,
    storeId: gone.store_id,
    event: 'released',
    rule: null,
    at: await eventInstant(tx, customerId, at),
    source,
    note: `erased; guide ${gone.guide_id}`,
  });
}

/**
 * Merge: the duplicate's binding goes to the surviving customer when the survivor has none (same
 * guide, rule, bound-since and last contact, so its expiry is unchanged); when the survivor is
 * bound already, that binding holds and the duplicate's is released. Either way the duplicate's
 * trail ends with `released`, and a moved binding starts the survivor's with `bound`.
 */
export async function mergeBinding(
  tx: Queryable,
  sourceId: string,
  targetId: string,
  at: Date,
): Promise<void> {
  const gone = await removeBinding(tx, sourceId);
  if (!gone) return;
  await writeBindingEvent(tx, {
    customerId: sourceId,
    guideId: null,
    storeId: gone.store_id,
    event: 'released',
    rule: null,
    at: await eventInstant(tx, sourceId, at),
    source: 'hub',
    note: `merged into ${targetId}; guide ${gone.guide_id}`,
  });
  const moved = await tx.query(
    `insert into customer_bindings (customer_id, guide_id, store_id, rule, bound_at, last_contact_at)
     values ($1, $2, $3, $4, $5, $6) on conflict (customer_id) do nothing returning customer_id`,
    [targetId, gone.guide_id, gone.store_id, gone.rule, gone.bound_at, gone.last_contact_at],
  );
  if (moved.length === 0) return;
  await writeBindingEvent(tx, {
    customerId: targetId,
    guideId: gone.guide_id,
    storeId: gone.store_id,
    event: 'bound',
    rule: gone.rule,
    at: await eventInstant(tx, targetId, at),
    source: 'hub',
    note: `merged from ${sourceId}`,
  });
}
