import { orderTotals } from '../../shared/domain/money';
import { normalisePhone, phoneLast4 } from '../../shared/domain/phone';
import { phoneTagOf } from '../../shared/domain/phone-tag';
import type { DiscardReason } from '../../shared/protocol';
import { err, ok, type Result } from '../../shared/result';
import { recordAudit } from './audit';
import type { OutboxEntry, TerminalDb } from './database';
import type { CommandError } from './outbox';
import { requeued } from './outbox';
import { openOutboxEntry, sealOutboxEntry } from './outbox-rows';
import { encryptPhone } from './phone-cipher';
import { openProvisional, sealProvisional } from './provisional';
import { keepAlive } from './sealed';
import { holdRowsOf } from './stock-holds';
import type { SecretStore } from './secret-store';

/**
 * What a guide can do about an entry the hub refused, besides giving up on it: the fix the
 * refusal calls for, applied to the queued entry, which then goes back in the queue under the
 * same id (the hub stored nothing for it, so the corrected one is the first it keeps).
 * - `drop_refused_items`: an order with SKUs head office does not sell: sell the rest;
 * - `assign_guide`: an order whose guide is no longer active here: credit the signed-in guide;
 * - `sell_without_member`: an order naming a customer the hub does not know: keep the sale;
 * - `new_phone`: a registration whose number was refused or cannot be opened: type it again;
 * - `without_guide`: a registration naming a guide the hub does not know here.
 */
export type OutboxFix =
  | { kind: 'drop_refused_items' }
  | { kind: 'assign_guide'; guideId: string }
  | { kind: 'sell_without_member' }
  | { kind: 'new_phone'; phone: string }
  | { kind: 'without_guide' };
export type OutboxFixKind = OutboxFix['kind'];

/** The fixes that answer this entry's refusal (none: it can only be discarded). */
export function fixesFor(entry: OutboxEntry): OutboxFixKind[] {
  if (entry.status !== 'rejected') return [];
  if (entry.kind === 'order') {
    switch (entry.reasonCode) {
      case 'unknown_sku':
        return keptLines(entry).length > 0 ? ['drop_refused_items'] : [];
      case 'guide_inactive':
        return ['assign_guide'];
      case 'unknown_customer':
        return ['sell_without_member'];
      default:
        return [];
    }
  }
  if (entry.kind !== 'registration') return [];
  switch (entry.reasonCode) {
    case 'invalid_phone':
    case 'phone_unavailable':
      return ['new_phone'];
    case 'unknown_guide':
      return ['without_guide'];
    default:
      return [];
  }
}

const keptLines = (entry: Extract<OutboxEntry, { kind: 'order' }>) => {
  const refused = new Set(entry.about ?? []);
  return entry.order.lines.filter((l) => !refused.has(l.sku));
};

const cleared = { status: 'pending', reason: null, reasonCode: null, about: null } as const;

/** Applies a fix to a rejected entry and queues it again; refuses a fix that does not apply. */
export async function correctRejected(
  db: TerminalDb,
  secrets: SecretStore,
  id: string,
  fix: OutboxFix,
): Promise<Result<OutboxEntry, CommandError>> {
  const row = await db.outbox.get(id);
  if (!row) return err({ code: 'invalid_input', message: 'no such queued item' });
  const entry = await keepAlive(openOutboxEntry(db.sealer, row));
  if (!fixesFor(entry).includes(fix.kind))
    return err({ code: 'invalid_input', message: `${fix.kind} does not answer this refusal` });

  let next: OutboxEntry;
  let phone: { last4: string; tag: number } | null = null;
  if (entry.kind === 'order') {
    const order = { ...entry.order };
    if (fix.kind === 'drop_refused_items') order.lines = keptLines(entry);
    else if (fix.kind === 'assign_guide') order.guideId = fix.guideId;
    else delete order.customerId;
    next = { ...entry, ...cleared, order };
  } else if (entry.kind !== 'registration') {
    return err({ code: 'invalid_input', message: `${fix.kind} does not answer this refusal` });
  } else if (fix.kind === 'new_phone') {
    const normal = normalisePhone(fix.phone);
    if (!normal) return err({ code: 'invalid_input', message: 'not a valid phone number' });
    const key = await secrets.getPhoneHashKey();
    if (!key)
      return err({ code: 'not_enrolled', message: 'no phone-hash key: terminal not enrolled' });
    phone = { last4: phoneLast4(normal.e164), tag: await phoneTagOf(key, normal.e164) };
    next = {
      ...entry,
      ...cleared,
      registration: { ...entry.registration, phoneCipher: await encryptPhone(key, normal.e164) },
    };
  } else {
    const { guideId: _dropped, ...registration } = entry.registration;
    next = { ...entry, ...cleared, registration };
  }

  const sealed = await sealOutboxEntry(db.sealer, next);
  // The provisional profile is searchable by the number: it follows the corrected one.
  const provisionalRow = phone ? await db.provisionalCustomers.get(id) : undefined;
  const provisional =
    phone && provisionalRow
      ? await sealProvisional(db.sealer, {
          ...(await openProvisional(db.sealer, provisionalRow)),
          phoneLast4: phone.last4,
          phoneTag: phone.tag,
        })
      : null;
  const queued = await db.transaction('rw', db.outbox, db.provisionalCustomers, async () => {
    const current = await db.outbox.get(id);
    if (current?.status !== 'rejected') return false;
    await db.outbox.put(sealed);
    if (provisional) await db.provisionalCustomers.put(provisional);
    return true;
  });
  if (!queued) return err({ code: 'invalid_input', message: 'the item is no longer refused' });
  // Its hold went when the hub refused it; the corrected sale holds its (remaining) units again.
  if (next.kind === 'order') await db.stockHolds.bulkPut(holdRowsOf(next.order));
  requeued(db);
  return ok(next);
}

/**
 * Gives up on a rejected entry: it is kept as `discarded` (never sent) and an audit entry tells
 * head office which item, what the hub had said and the guide's reason — an order's total too,
 * since that sale will never be in its figures. A discarded registration's provisional profile
 * goes: the customer will not exist at the hub.
 */
export async function discardRejected(
  db: TerminalDb,
  id: string,
  reason: DiscardReason,
  guideId: string | null,
  now: Date = new Date(),
): Promise<Result<void, CommandError>> {
  const row = await db.outbox.get(id);
  if (!row || row.status !== 'rejected')
    return err({ code: 'invalid_input', message: 'only a refused item can be discarded' });
  const entry = await keepAlive(openOutboxEntry(db.sealer, row));
  const total = entry.kind === 'order' ? orderTotals(entry.order.lines).total : undefined;
  const done = await db.transaction(
    'rw',
    [db.outbox, db.audit, db.provisionalCustomers],
    async () => {
      const current = await db.outbox.get(id);
      if (current?.status !== 'rejected') return false;
      await db.outbox.put({
        ...current,
        status: 'discarded',
        discarded: { reason, guideId, at: now.toISOString() },
      });
      if (entry.kind === 'registration') await db.provisionalCustomers.delete(id);
      await recordAudit(db, {
        action: 'outbox_discarded',
        guideId,
        customerId: null,
        at: now,
        detail: {
          outboxId: id,
          kind: entry.kind,
          rejectCode: entry.reasonCode ?? null,
          discardReason: reason,
          ...(total === undefined ? {} : { total }),
        },
      });
      return true;
    },
  );
  if (!done) return err({ code: 'invalid_input', message: 'only a refused item can be discarded' });
  requeued(db);
  return ok(undefined);
}
