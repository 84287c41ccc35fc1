import {
  applyProfileChanges,
  changedFields,
  type EditableProfile,
  type ItemResult,
  type ProfileEdit,
} from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import type { TerminalPrincipal } from '../auth/guards';
import { touchCustomers } from '../bindings/service';
import { resolveLiveCustomers } from '../customers/merge-chain';
import { changeFeedTransaction, type Db, type Queryable } from '../db/database';
import {
  answerInOrder,
  firstById,
  idList,
  MAX_CLOCK_AHEAD_MS,
  refuse,
  storeGuides,
} from '../sync/terminal-batch';

export type ProfileEditIngest = {
  results: ItemResult[];
  /** the customer feed's new head when a profile changed (for `customers:changed`) */
  cursor: string | null;
};

/**
 * Profile edits made at a terminal (#16 item 7), exactly once: each edit is a row of the change
 * log under the terminal's id (a resend answers `duplicate` and writes nothing). Merged per
 * field: a field the edit names takes its value, the others stay as they are; of two edits of one
 * field the one the hub received later wins (the log's `received_seq`; within one call, the
 * order of the batch, which is the order the terminal queued them). The terminal's clock only
 * dates the entry: a PC with a wrong clock cannot win or lose a field by it.
 * In one transaction per call: the log rows, the customer rows, their feed rows (every terminal
 * learns the change) and one audit entry per edit (`customer_profile_edited`: store, terminal,
 * guide, customer and the field names — never the values, notes may name people). An edit for a
 * merged-away member is applied to the member it became.
 */
export async function ingestProfileEdits(
  db: Db,
  terminal: TerminalPrincipal,
  edits: readonly ProfileEdit[],
  now: Date = new Date(),
): Promise<ProfileEditIngest> {
  const batch = firstById(edits);

  const outcome = new Map<string, ItemResult>();
  const cursor = await changeFeedTransaction(db, async (tx) => {
    const customerIds = batch.map((e) => e.customerId);
    const [existing, live, erased, guides] = await Promise.all([
      tx.query<{ id: string }>(
        `select id::text as id from customer_profile_edits
          where id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
        [idList(batch.map((e) => e.id))],
      ),
      resolveLiveCustomers(tx, customerIds),
      tx.query<{ id: string }>(
        `select id::text as id from customers
          where deleted and merged_into is null
            and id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
        [idList(customerIds)],
      ),
      storeGuides(
        tx,
        terminal.storeId,
        batch.map((e) => e.guideId),
      ),
    ]);
    const stored = new Set(existing.map((r) => r.id));
    const erasedIds = new Set(erased.map((r) => r.id));
    const changed = new Set<string>();
    for (const e of batch) {
      if (stored.has(e.id)) {
        outcome.set(e.id, { id: e.id, status: 'duplicate' });
        continue;
      }
      const liveId = live.get(e.customerId);
      if (!liveId) {
        outcome.set(
          e.id,
          erasedIds.has(e.customerId)
            ? refuse(e.id, 'customer_erased', 'the member was erased', [e.customerId])
            : refuse(e.id, 'unknown_customer', 'the hub knows no such member', [e.customerId]),
        );
        continue;
      }
      if (!guides.has(e.guideId)) {
        outcome.set(
          e.id,
          refuse(e.id, 'guide_inactive', `guide ${e.guideId} is not an active guide of this store`),
        );
        continue;
      }
      if (Date.parse(e.at) > now.getTime() + MAX_CLOCK_AHEAD_MS) {
        outcome.set(
          e.id,
          refuse(e.id, 'implausible_time', "the edit is dated ahead of the hub's clock"),
        );
        continue;
      }
      // Logged first: a concurrent call holding the same id cannot get past the change-feed lock,
      // but the conflict clause keeps a retry safe even so.
      const inserted = await tx.query<{ id: string }>(
        `insert into customer_profile_edits (id, customer_id, guide_id, store_id, terminal_id,
           fields, at)
         values ($1, $2, $3, $4, $5, $6::jsonb, $7)
         on conflict do nothing returning id::text as id`,
        [
          e.id,
          liveId,
          e.guideId,
          terminal.storeId,
          terminal.terminalId,
          JSON.stringify(e.changes),
          new Date(e.at).toISOString(),
        ],
      );
      if (inserted.length === 0) {
        outcome.set(e.id, { id: e.id, status: 'duplicate' });
        continue;
      }
      await applyEdit(tx, liveId, e);
      changed.add(liveId);
      outcome.set(e.id, { id: e.id, status: 'accepted' });
      await recordAudit(tx, {
        action: 'customer_profile_edited',
        source: 'hub',
        storeId: terminal.storeId,
        terminalId: terminal.terminalId,
        guideId: e.guideId,
        customerId: liveId,
        at: new Date(e.at),
        detail: { fields: changedFields(e.changes) },
      });
    }
    return changed.size === 0 ? null : touchCustomers(tx, [...changed]);
  });
  return { results: answerInOrder(edits, outcome), cursor };
}

/** Writes the fields one edit names onto the customer row (the others stay). */
async function applyEdit(tx: Queryable, customerId: string, edit: ProfileEdit): Promise<void> {
  const [row] = await tx.query<EditableProfile>(
    `select sizes, favourite_categories as "favouriteCategories", tags, notes
       from customers where id = $1 for update`,
    [customerId],
  );
  if (!row) return;
  const next = applyProfileChanges(
    {
      sizes: row.sizes ?? {},
      favouriteCategories: row.favouriteCategories ?? [],
      tags: row.tags ?? [],
      notes: row.notes,
    },
    edit.changes,
  );
  await tx.query(
    `update customers set sizes = $2::jsonb, favourite_categories = $3::jsonb, tags = $4::jsonb,
       notes = $5
     where id = $1`,
    [
      customerId,
      JSON.stringify(next.sizes),
      JSON.stringify(next.favouriteCategories),
      JSON.stringify(next.tags),
      next.notes,
    ],
  );
}

/** A merge (server/customers/merge.ts): the duplicate's change log moves to the survivor. */
export async function moveProfileEdits(
  tx: Queryable,
  sourceId: string,
  targetId: string,
): Promise<void> {
  await tx.query('update customer_profile_edits set customer_id = $2 where customer_id = $1', [
    sourceId,
    targetId,
  ]);
}

/** Erasure (server/customers/erase.ts): the change log of these customers goes (notes, sizes). */
export async function eraseProfileEdits(
  tx: Queryable,
  customerIds: readonly string[],
): Promise<void> {
  await tx.query('delete from customer_profile_edits where customer_id = any($1::uuid[])', [
    [...customerIds],
  ]);
}
