import type { BindingTransferRequest, CustomerBinding } from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import { resolveLiveCustomerId } from '../customers/merge-chain';
import { isoSql } from '../customers/profile';
import { changeFeedTransaction, type Db, type Queryable } from '../db/database';
import { badRequest, forbidden, HubError, notFound } from '../http/errors';
import { checkGuidePin, type PinSite } from '../staff/sign-in';
import { eventInstant, touchCustomers, writeBindingEvent } from './service';

export type TransferOutcome = {
  status: 'transferred' | 'duplicate';
  binding: CustomerBinding;
  /** the customer feed's new head, for `customers:changed` (null for a duplicate) */
  cursor: string | null;
};

async function feedBinding(tx: Queryable, customerId: string): Promise<CustomerBinding | null> {
  const [row] = await tx.query<{ guide_id: string; guide_name: string; since: string }>(
    `select b.guide_id::text as guide_id, g.name as guide_name, ${isoSql('b.bound_at')} as since
       from customer_bindings b join guides g on g.id = b.guide_id where b.customer_id = $1`,
    [customerId],
  );
  return row ? { guideId: row.guide_id, guideName: row.guide_name, since: row.since } : null;
}

/**
 * The store manager hands a customer to another active guide of the store (or takes one from the
 * store pool and binds them). The manager's PIN is checked here like a sign-in (the hub's lockout,
 * a wrong PIN audited as `sign_in_failed`); the transfer is audited as `binding_transferred`
 * (the manager, the customer, the terminal) in the transaction that writes the `transferred`
 * event, whose id is the request's: a resend answers `duplicate` and writes nothing. A customer
 * bound to a guide of another store is that store's manager's to move (403).
 */
export async function transferBinding(
  db: Db,
  site: PinSite,
  customerId: string,
  request: BindingTransferRequest,
  now: Date = new Date(),
): Promise<TransferOutcome> {
  const { guide: manager } = await checkGuidePin(
    db,
    site,
    request.managerId,
    request.managerPin,
    now,
  );
  if (manager.role !== 'manager') throw forbidden('only the store manager can transfer customers');

  return changeFeedTransaction(db, async (tx) => {
    const [earlier] = await tx.query<{ customer_id: string }>(
      'select customer_id::text as customer_id from customer_binding_events where id = $1',
      [request.id],
    );
    if (earlier) {
      const binding = await feedBinding(tx, earlier.customer_id);
      if (!binding) throw new HubError(409, 'conflict', 'this transfer was undone since');
      return { status: 'duplicate', binding, cursor: null };
    }
    const live = await resolveLiveCustomerId(tx, customerId);
    if (!live) throw notFound(`customer ${customerId} not found`);
    const [target] = await tx.query<{ name: string }>(
      'select name from guides where id = $1 and store_id = $2 and active',
      [request.toGuideId, site.storeId],
    );
    if (!target)
      throw badRequest('unknown guide for this store', [
        { path: 'toGuideId', message: 'not an active guide of this store' },
      ]);
    const [current] = await tx.query<{ guide_id: string; store_id: string }>(
      `select guide_id::text as guide_id, store_id::text as store_id
         from customer_bindings where customer_id = $1 for update`,
      [live],
    );
    if (current && current.store_id !== site.storeId)
      throw forbidden("this customer is bound to another store's guide");
    if (current?.guide_id === request.toGuideId)
      throw new HubError(409, 'conflict', 'the customer is already bound to this guide');

    const when = await eventInstant(tx, live, now);
    const at = when.toISOString();
    await tx.query(
      `insert into customer_bindings(customer_id, guide_id, store_id, rule, bound_at, last_contact_at)
       values ($1, $2, $3, 'transfer', $4, $4)
       on conflict (customer_id) do update set guide_id = excluded.guide_id,
         store_id = excluded.store_id, rule = excluded.rule, bound_at = excluded.bound_at,
         last_contact_at = excluded.last_contact_at`,
      [live, request.toGuideId, site.storeId, at],
    );
    await writeBindingEvent(tx, {
      id: request.id,
      customerId: live,
      guideId: request.toGuideId,
      storeId: site.storeId,
      event: 'transferred',
      rule: 'transfer',
      at: when,
      actorGuideId: manager.id,
      source: 'terminal',
      note: current ? `from guide ${current.guide_id}` : 'from the store pool',
    });
    await recordAudit(tx, {
      action: 'binding_transferred',
      source: 'hub',
      storeId: site.storeId,
      terminalId: site.terminalId,
      guideId: manager.id,
      customerId: live,
      at: now,
    });
    const cursor = await touchCustomers(tx, [live]);
    return {
      status: 'transferred',
      binding: { guideId: request.toGuideId, guideName: target.name, since: at },
      cursor,
    };
  });
}
