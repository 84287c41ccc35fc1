import { Dexie } from 'dexie';
import {
  customerRegistration,
  order as orderSchema,
  type CustomerRegistration,
  type ConsentChange,
  type ProfileEdit,
  type FollowUpOutcome,
  type ItemResult,
  type VisitOutcome,
  type Order,
} from '../../shared/protocol';
import { normalisePhone, phoneLast4 } from '../../shared/domain/phone';
import { phoneTagOf } from '../../shared/domain/phone-tag';
import { orderTotals } from '../../shared/domain/money';
import { err, ok, type Result } from '../../shared/result';
import { EMPTY_IN_STORE, EMPTY_TERMINAL_ONLINE } from '../../shared/protocol';
import { nameInitials, type CachedCustomer } from './customer-rows';
import {
  writeStrict,
  type OutboxEntry,
  type OutboxOrder,
  type OutboxRegistration,
  type TerminalDb,
} from './database';
import { setAsideRows, type SetAsideRow } from './feed-rejects';
import { encryptPhone } from './phone-cipher';
import { sealProvisional } from './provisional';
import { keepAlive } from './sealed';
import { holdRowsOf, settleHolds } from './stock-holds';
import { openOutboxEntries, openOutboxEntry, sealOutboxEntry, type OutboxRow } from './outbox-rows';
import type { SecretStore } from './secret-store';

export type CommandError = { code: 'invalid_input' | 'not_enrolled'; message: string };

const queuedListeners = new WeakMap<TerminalDb, Set<() => void>>();

/**
 * Called after an entry was put (back) in the queue here — an order, a registration, a retry:
 * the writes the sync engine does not make itself. The engine refreshes its status from it, so
 * the UI observes one status store (live queries see the write too: `writeStrict` announces it
 * to Dexie).
 */
export function onOutboxQueued(db: TerminalDb, listener: () => void): () => void {
  let listeners = queuedListeners.get(db);
  if (!listeners) queuedListeners.set(db, (listeners = new Set()));
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells the engine an entry was queued (also used by data/follow-ups.ts for outcomes). */
export function announceQueued(db: TerminalDb): void {
  for (const listener of queuedListeners.get(db) ?? []) listener();
}

const pendingRange = (db: TerminalDb) =>
  db.outbox.where('[status+id]').between(['pending', Dexie.minKey], ['pending', Dexie.maxKey]);

/**
 * Records an order the guide just confirmed. Written with strict durability before this resolves,
 * so "confirmed" on screen means it survives a power cut; the sync engine sends it later.
 */
export async function enqueueOrder(
  db: TerminalDb,
  input: unknown,
  now: Date = new Date(),
): Promise<Result<OutboxOrder, CommandError>> {
  const parsed = orderSchema.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid_input', message: parsed.error.message });
  const entry: OutboxOrder = {
    id: parsed.data.id,
    kind: 'order',
    order: parsed.data,
    status: 'pending',
    createdAt: now.toISOString(),
    attempts: 0,
    lastAttemptAt: null,
    syncedAt: null,
    reason: null,
  };
  // Same id twice is the same order: keep the first (it may already be synced).
  const existing = await db.outbox.get(entry.id);
  if (existing) {
    const opened = await keepAlive(openOutboxEntry(db.sealer, existing));
    return opened.kind === 'order'
      ? ok(opened)
      : err({ code: 'invalid_input', message: 'id in use' });
  }
  // The sale holds its units off the cached stock in the same durable write (stock-holds.ts).
  await writeStrict(db, [
    { table: 'outbox', rows: [await sealOutboxEntry(db.sealer, entry)] },
    { table: 'stockHolds', rows: holdRowsOf(entry.order) },
  ]);
  announceQueued(db);
  return ok(entry);
}

/**
 * Registers a customer at the counter, offline-first: a provisional profile (hash, last 4, masked
 * phone only) is searchable at once, and the registration waits in the outbox with the phone
 * encrypted. The hub's canonical customer replaces the provisional one when it syncs.
 */
export async function enqueueRegistration(
  db: TerminalDb,
  secrets: SecretStore,
  input: unknown,
  now: Date = new Date(),
): Promise<Result<{ entry: OutboxRegistration; customer: CachedCustomer }, CommandError>> {
  const parsed = customerRegistration.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid_input', message: parsed.error.message });
  const phone = normalisePhone(parsed.data.phone);
  if (!phone) return err({ code: 'invalid_input', message: 'not a valid phone number' });
  const key = await secrets.getPhoneHashKey();
  if (!key)
    return err({ code: 'not_enrolled', message: 'no phone-hash key: terminal not enrolled' });
  const { phone: _raw, ...rest } = parsed.data;
  const createdAt = rest.createdAt ?? now.toISOString();
  const entry: OutboxRegistration = {
    id: rest.id,
    kind: 'registration',
    registration: { ...rest, createdAt, phoneCipher: await encryptPhone(key, phone.e164) },
    status: 'pending',
    createdAt: now.toISOString(),
    attempts: 0,
    lastAttemptAt: null,
    syncedAt: null,
    reason: null,
  };
  const customer: CachedCustomer = {
    id: rest.id,
    seq: '0',
    name: rest.name,
    initials: nameInitials(rest.name),
    // As the hub will send it: the 尾号 and the tag, never more of the number (it waits,
    // encrypted, in the outbox entry until the hub has it).
    phoneLast4: phoneLast4(phone.e164),
    phoneTag: await phoneTagOf(key, phone.e164),
    memberCode: '',
    tier: 'regular',
    points: 0,
    gender: rest.gender,
    birthday: rest.birthday ? rest.birthday.slice(5, 10) : null,
    sizes: rest.sizes,
    favouriteCategories: [],
    homeStoreId: null,
    tags: [],
    notes: rest.notes ?? '',
    online: EMPTY_TERMINAL_ONLINE,
    inStore: EMPTY_IN_STORE,
    lifetimeSpend: 0,
    provisional: true,
  };
  await writeStrict(db, [
    { table: 'outbox', rows: [await sealOutboxEntry(db.sealer, entry)] },
    { table: 'provisionalCustomers', rows: [await sealProvisional(db.sealer, customer)] },
  ]);
  announceQueued(db);
  return ok({ entry, customer });
}

/** Rebuilds the wire registration (decrypting the phone) for sending. */
export type WireRegistration = CustomerRegistration;

/** Oldest pending entries first (ids are UUIDv7, so id order is creation order). */
export const pendingEntries = async (db: TerminalDb, limit: number): Promise<OutboxEntry[]> =>
  openOutboxEntries(db.sealer, await pendingRange(db).limit(limit).toArray());

/**
 * Records the hub's per-item answers: accepted or duplicate → synced (a duplicate means an earlier
 * send got through); rejected → kept with the hub's reason, for a person to see. Ids the hub did
 * not answer for stay pending.
 */
export async function recordResults(
  db: TerminalDb,
  results: readonly ItemResult[],
  now: Date = new Date(),
): Promise<void> {
  if (results.length === 0) return;
  const byId = new Map(results.map((r) => [r.id, r]));
  await db.transaction('rw', db.outbox, db.stockHolds, async () => {
    const entries = await db.outbox.bulkGet([...byId.keys()]);
    const updated: OutboxRow[] = [];
    const answeredOrders: { id: string; synced: boolean }[] = [];
    for (const entry of entries) {
      if (!entry || entry.status !== 'pending') continue;
      const result = byId.get(entry.id)!;
      const synced = result.status !== 'rejected';
      // A return's holds (units back on the shelf) settle like a sale's.
      if (entry.kind === 'order' || entry.kind === 'return')
        answeredOrders.push({ id: entry.id, synced });
      // The queue state is in clear: the sealed part rides along unopened (same id, same AAD).
      const next: OutboxRow = {
        ...entry,
        status: synced ? 'synced' : 'rejected',
        syncedAt: synced ? now.toISOString() : null,
        reason: synced ? null : (result.reason ?? 'rejected by the hub'),
        reasonCode: synced ? null : (result.code ?? null),
        about: synced ? null : (result.about ?? null),
        attempts: entry.attempts + 1,
        lastAttemptAt: now.toISOString(),
      };
      // Once the hub has the registration, the encrypted phone has no reason to stay.
      if (next.kind === 'registration' && synced) {
        const resealed = keepAlive(
          openOutboxEntry(db.sealer, next).then((opened) =>
            sealOutboxEntry(
              db.sealer,
              opened.kind === 'registration'
                ? { ...opened, registration: { ...opened.registration, phoneCipher: null } }
                : opened,
            ),
          ),
        );
        updated.push(await resealed);
      } else updated.push(next);
    }
    await db.outbox.bulkPut(updated);
    await settleHolds(db, answeredOrders, now.toISOString());
  });
}

export async function recordAttempt(
  db: TerminalDb,
  ids: readonly string[],
  now: Date = new Date(),
): Promise<void> {
  await db.outbox
    .where('id')
    .anyOf([...ids])
    .modify((e) => {
      e.attempts += 1;
      e.lastAttemptAt = now.toISOString();
    });
}

export type OutboxSummary = {
  pendingCount: number;
  oldestPendingAt: string | null;
  rejectedCount: number;
};

export async function outboxSummary(db: TerminalDb): Promise<OutboxSummary> {
  const pendingCount = await pendingRange(db).count();
  const oldest = await pendingRange(db).first();
  const rejectedCount = await db.outbox.where('status').equals('rejected').count();
  return { pendingCount, oldestPendingAt: oldest?.createdAt ?? null, rejectedCount };
}

/** Rejected entries stay visible with the hub's reason until a person deals with them. */
export const rejectedEntries = async (db: TerminalDb): Promise<OutboxEntry[]> =>
  openOutboxEntries(db.sealer, await db.outbox.where('status').equals('rejected').toArray());

/** One outbox entry, opened (undefined when there is none under this id). */
export async function outboxEntry(db: TerminalDb, id: string): Promise<OutboxEntry | undefined> {
  const row = await db.outbox.get(id);
  return row && keepAlive(openOutboxEntry(db.sealer, row));
}

/**
 * The orders among `ids` that are still pending, opened, for sending: re-read after the batch's
 * registrations went out, because one of them may have re-pointed an order to the canonical
 * customer.
 */
export async function pendingOrdersAmong(db: TerminalDb, ids: readonly string[]): Promise<Order[]> {
  const entries = await openOutboxEntries(db.sealer, await db.outbox.bulkGet([...ids]));
  return entries.flatMap((e) => (e.status === 'pending' && e.kind === 'order' ? [e.order] : []));
}

/** The visit and follow-up outcomes among `ids` still pending, opened, for sending (#15). */
export async function pendingOutcomesAmong(
  db: TerminalDb,
  ids: readonly string[],
): Promise<{ visits: VisitOutcome[]; followUps: FollowUpOutcome[] }> {
  const entries = await openOutboxEntries(db.sealer, await db.outbox.bulkGet([...ids]));
  const pending = entries.filter((e) => e.status === 'pending');
  return {
    visits: pending.flatMap((e) => (e.kind === 'visit_outcome' ? [e.visitOutcome] : [])),
    followUps: pending.flatMap((e) => (e.kind === 'follow_up_outcome' ? [e.followUpOutcome] : [])),
  };
}

/** The consent changes among `ids` still pending, opened, for sending (#15 item 4). */
export async function pendingConsentsAmong(
  db: TerminalDb,
  ids: readonly string[],
): Promise<ConsentChange[]> {
  const entries = await openOutboxEntries(db.sealer, await db.outbox.bulkGet([...ids]));
  return entries.flatMap((e) =>
    e.status === 'pending' && e.kind === 'consent_change' ? [e.consentChange] : [],
  );
}

/** The profile edits among `ids` still pending, opened, in the order they were made (#16 item 7). */
export async function pendingProfileEditsAmong(
  db: TerminalDb,
  ids: readonly string[],
): Promise<ProfileEdit[]> {
  const entries = await openOutboxEntries(db.sealer, await db.outbox.bulkGet([...ids]));
  // Sent in the order the guide saved them: the hub lets the later received win a field.
  return entries
    .flatMap((e) => (e.status === 'pending' && e.kind === 'profile_edit' ? [e] : []))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    .map((e) => e.profileEdit);
}

/** True when every entry of `ids` is still pending (the hub answered for none of them). */
export async function allStillPending(db: TerminalDb, ids: readonly string[]): Promise<boolean> {
  const rows = await db.outbox.bulkGet([...ids]);
  return rows.every((e) => e?.status === 'pending');
}

/** True when this id is a registration made here that the hub has already taken. */
export async function isSyncedRegistration(db: TerminalDb, id: string): Promise<boolean> {
  const entry = await db.outbox.get(id);
  return entry?.kind === 'registration' && entry.status === 'synced';
}

/** How many entries the sync screen lists at most. */
const SHOWN = 200;

/** What the sync screen lists: the queue, the rejected entries newest first, the set-aside rows. */
export async function outboxItems(
  db: TerminalDb,
): Promise<{ pending: OutboxEntry[]; rejected: OutboxEntry[]; setAside: SetAsideRow[] }> {
  const [pending, rejected, setAside] = await Promise.all([
    pendingEntries(db, SHOWN),
    rejectedEntries(db),
    setAsideRows(db),
  ]);
  return {
    pending,
    rejected: rejected.sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    setAside,
  };
}

/**
 * Puts a rejected entry back in the queue (after the cause was fixed at the hub: a product
 * re-activated, a guide re-enabled). Same id, so the hub still deduplicates it.
 */
export async function retryRejected(db: TerminalDb, id: string): Promise<void> {
  const queued = await db.transaction('rw', db.outbox, async () => {
    const entry = await db.outbox.get(id);
    if (entry?.status !== 'rejected') return null;
    await db.outbox.put({
      ...entry,
      status: 'pending',
      reason: null,
      reasonCode: null,
      about: null,
    });
    return entry;
  });
  if (!queued) return;
  // Its hold went when the hub refused it; queued again, the sale holds its units again.
  if (queued.kind === 'order') {
    const opened = await openOutboxEntry(db.sealer, queued);
    if (opened.kind === 'order') await db.stockHolds.bulkPut(holdRowsOf(opened.order));
  }
  announceQueued(db);
}

/** Tells the sync engine an entry went back in the queue (a corrected one: outbox-fixes.ts). */
export const requeued = (db: TerminalDb): void => announceQueued(db);

export type LocalOrders = { count: number; total: number; units: number };

/**
 * This terminal's orders still in the outbox. The hub's figures cannot include them yet, so the
 * dashboard shows them beside the figures, never added in (the hub would count them again once
 * they sync).
 */
export async function pendingLocalOrders(db: TerminalDb): Promise<LocalOrders> {
  const pending = await openOutboxEntries(
    db.sealer,
    await db.outbox.where('status').equals('pending').toArray(),
  );
  let count = 0;
  let total = 0;
  let units = 0;
  for (const entry of pending) {
    if (entry.kind !== 'order') continue;
    const t = orderTotals(entry.order.lines);
    count += 1;
    total += t.total;
    units += t.units;
  }
  return { count, total, units };
}

export type { Order, OutboxEntry, OutboxOrder, OutboxRegistration, SetAsideRow };
