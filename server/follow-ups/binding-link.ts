import { recordContact } from '../bindings/service';
import type { Queryable } from '../db/database';

/**
 * The two places follow-ups touch the binding (专属导购, #15 item 1): who a task goes to, and an
 * outcome counting as contact (the binding module's `recordContact`).
 */

const idList = (ids: Iterable<string>) => JSON.stringify([...new Set(ids)]);

/**
 * The customer's current guide and that guide's store, from `customer_bindings` directly.
 * LEAD: swap for the binding module's lookup once server/bindings/ lands.
 */
export async function boundGuides(
  db: Queryable,
  customerIds: Iterable<string>,
): Promise<Map<string, { guideId: string; storeId: string }>> {
  const ids = idList(customerIds);
  if (ids === '[]') return new Map();
  const rows = await db.query<{ customer_id: string; guide_id: string; store_id: string }>(
    `select b.customer_id::text as customer_id, b.guide_id::text as guide_id,
            b.store_id::text as store_id
       from customer_bindings b join guides g on g.id = b.guide_id and g.active
      where b.customer_id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
    [ids],
  );
  return new Map(rows.map((r) => [r.customer_id, { guideId: r.guide_id, storeId: r.store_id }]));
}

/**
 * A guide recorded a follow-up outcome: that is contact with the customer, which keeps a binding
 * from expiring (#15 item 1) — the binding module's rule (a lapsed binding is not revived).
 * Called inside the outcome's transaction.
 */
export async function recordFollowUpContact(
  tx: Queryable,
  contact: { customerId: string; guideId: string; at: Date },
): Promise<void> {
  await recordContact(tx, contact.customerId, contact.guideId, contact.at);
}
