import {
  EMPTY_IN_STORE,
  EMPTY_ONLINE,
  type AuditSource,
  type EraseRequest,
  type EraseResponse,
} from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import { releaseErasedBinding } from '../bindings/customer-changes';
import { changeFeedTransaction, type Db } from '../db/database';
import { HubError, notFound } from '../http/errors';
import { eraseFollowUps } from '../follow-ups/customer-changes';
import { eraseConsents } from '../outreach/consents';
import { eraseProfileEdits } from '../profile-edits/ingest';
import { bumpCustomerFeedEpoch } from '../sync/feeds';
import { CUSTOMER_COLUMNS, rowToTombstone, type CustomerRow } from './profile';

/**
 * Erases a customer's personal data on request. In one transaction: the row becomes a deletion
 * tombstone with every personal field wiped (a new change sequence, so terminals drop it on their
 * next pull), duplicates merged into it are wiped too, its online trail is deleted, and the alert
 * cards that showed it are emptied, its binding to a guide is released, the guides' notes on its
 * visits and follow-ups are wiped and its open follow-ups cancelled, its profile-edit log deleted. Orders, visits and conversions keep the id, so store figures
 * stay what they were, with nobody behind them. Idempotent: a resend answers `already_erased`.
 * The erasure is audited (`customer_erased`, with the customer id and the door it came through,
 * never the reason: free text may name the person).
 */
export async function eraseCustomer(
  db: Db,
  request: EraseRequest,
  by: Extract<AuditSource, 'admin_cli' | 'admin_rest' | 'integration'>,
): Promise<EraseResponse & { cursor: string | null; followUpStores: Set<string> }> {
  const id = request.customerId.toLowerCase();
  return changeFeedTransaction(db, async (tx) => {
    const [row] = await tx.query<CustomerRow>(
      `select ${CUSTOMER_COLUMNS} from customers c where c.id = $1 for update`,
      [id],
    );
    if (!row) throw notFound(`customer ${id} not found`);
    const [done] = await tx.query<{ customer_id: string }>(
      'select customer_id from customer_erasures where customer_id = $1',
      [id],
    );
    if (done)
      return {
        status: 'already_erased',
        tombstone: rowToTombstone(row),
        cursor: null,
        followUpStores: new Set(),
      };
    if (row.merged_into)
      throw new HubError(
        409,
        'conflict',
        `customer ${id} was merged into ${row.merged_into}: erase that customer instead`,
      );

    const wiped = `name = '', phone_e164 = null, phone_hash = null, crm_id = null,
      member_code = 'ERASED-' || id::text, birthday = null, sizes = '{}', favourite_categories = '[]',
      tags = '[]', notes = '', consent_marketing = false, home_store_id = null, lat = null, lng = null,
      online = $2::jsonb, in_store = $3::jsonb, updated_at = now(),
      feed_json = null, feed_json_seq = null`;
    const empty = [JSON.stringify(EMPTY_ONLINE), JSON.stringify(EMPTY_IN_STORE)];
    const [tombstone] = await tx.query<CustomerRow>(
      `update customers c set deleted = true, seq = nextval('change_seq'), ${wiped}
       where c.id = $1 returning ${CUSTOMER_COLUMNS}`,
      [id, ...empty],
    );
    // Duplicates merged into this customer are tombstones already; only their data goes.
    const merged = await tx.query<{ id: string }>(
      `update customers set ${wiped} where merged_into = $1 returning id`,
      [id, ...empty],
    );
    const ids = [id, ...merged.map((m) => m.id)];
    await tx.query('delete from online_events where customer_id = any($1::uuid[])', [ids]);
    await eraseConsents(tx, ids);
    await eraseProfileEdits(tx, ids);
    await tx.query(
      `update alerts set card = jsonb_build_object(
         'customerId', customer_id, 'name', '', 'tier', 'regular', 'phoneLast4', null,
         'sizes', '{}'::jsonb, 'favouriteCategories', '[]'::jsonb, 'viewed', '[]'::jsonb,
         'carted', '[]'::jsonb, 'wishlisted', '[]'::jsonb, 'lastPurchases', '[]'::jsonb,
         'lifetimeSpend', 0),
         status = case when status = 'open' then 'expired' else status end
       where customer_id = any($1::uuid[])`,
      [ids],
    );
    // The follow-up lock before any binding row: the order every follow-up writer keeps.
    const followUpStores = await eraseFollowUps(tx, ids);
    await releaseErasedBinding(tx, id, new Date(), by === 'integration' ? 'hub' : by);
    await tx.query('insert into customer_erasures (customer_id, reason) values ($1, $2)', [
      id,
      request.reason,
    ]);
    await recordAudit(tx, { action: 'customer_erased', source: by, customerId: id });
    // Every hub node's feed page cache drops pages that may still hold the erased data.
    await bumpCustomerFeedEpoch(tx);
    return {
      status: 'erased',
      tombstone: rowToTombstone(tombstone!),
      cursor: tombstone!.seq,
      followUpStores,
    };
  });
}
