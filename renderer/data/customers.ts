import { isTombstone, type CustomerFeedItem, type CustomerProfile } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { looksLikeFullPhone, normalisePhone, phoneLast4 } from '../../shared/domain/phone';
import { phoneTagOf } from '../../shared/domain/phone-tag';
import { Dexie } from 'dexie';
import { toCachedCustomer, toProfile, type CachedCustomer } from './customer-rows';
import type { CustomerSummary } from './customer-store';
import { profilesOf, type PreparedCustomerItems } from './customer-pages';
import type { TerminalDb } from './database';
import { openProvisional, type ProvisionalRow } from './provisional';
import { keepAlive } from './sealed';
import type { SecretStore } from './secret-store';

/** A search result: what the result list shows (open it for the full profile). */
export type CustomerMatch = CustomerSummary;
export type { CachedCustomer, CustomerSummary };
export type CustomerSearch = { query: string; limit?: number };

/** Tables a customer page touches: rows, aliases, and everything that references a customer. */
export const customerPageTables = (db: TerminalDb) => [
  ...db.customerStore.tables,
  db.provisionalCustomers,
  db.customerAliases,
  db.alerts,
  db.outbox,
  db.audit,
  db.syncState,
];

/**
 * Applies customer feed items inside the caller's transaction (see `customerPageTables`).
 * Profiles replace the cached row; tombstones delete it. A merge re-points local references
 * (alert cards, pending orders, audit) to the surviving customer; a deletion (head office erased
 * the customer) also drops the alerts that showed them and any alias leading to them.
 */
export async function applyCustomerItems(
  db: TerminalDb,
  items: readonly CustomerFeedItem[],
  prepared?: PreparedCustomerItems,
): Promise<void> {
  const ahead = prepared?.items === items ? prepared : undefined;
  const customers: readonly CachedCustomer[] = ahead?.customers ?? profilesOf(items);
  const deletions: string[] = [];
  const merges: [string, string][] = [];
  const erased = new Set<string>();
  for (const item of items) {
    if (!isTombstone(item)) continue;
    deletions.push(item.id);
    // Out of this store's scope (issue #17): only the cached profile goes; the alert cards that
    // showed the member stay, as after any other day.
    if (item.outOfScope) continue;
    if (!item.mergedInto) erased.add(item.id);
    else if (item.mergedInto !== item.id) merges.push([item.id, item.mergedInto]);
  }
  db.customerStore.gone.mark([
    ...[...erased].map((id) => [id, 'erased'] as const),
    ...merges.map(([id]) => [id, 'merged'] as const),
  ]);
  // Only awaited when there is IndexedDB work: awaiting an async function that does none inside
  // a Dexie transaction lets it commit early (PrematureCommitError).
  if (merges.length > 0) await repointCustomers(db, merges);
  if (deletions.length > 0) await db.customerStore.remove(deletions);
  if (erased.size > 0) {
    await db.alerts.filter((a) => erased.has(a.card.customerId)).delete();
    await db.customerAliases.filter((a) => erased.has(a.to)).delete();
  }
  // A merge or deletion above moved the write stamp: the prepared records are not used then
  // (a sealed page's fail the transaction: its rows are not here to write otherwise).
  if (ahead?.sealed) {
    if (ahead.upsert) await db.customerStore.putPrepared(ahead.upsert);
  } else await db.customerStore.upsert(customers, ahead?.upsert);
}

/**
 * Re-points every local reference from one customer id to another (merge, registration), and
 * remembers the move so a screen still holding the old id finds the customer.
 */
export const repointCustomer = (db: TerminalDb, fromId: string, toId: string): Promise<void> =>
  repointCustomers(db, [[fromId, toId]]);

/**
 * `repointCustomer` for many moves at once, applied in their order (a merge of a merge in one page
 * ends at the last survivor), with one pass over each table that references customers. One pass
 * per move made a page of 1,000 merges (head office de-duplicating its members) read the alerts,
 * the pending orders and the profile views 1,000 times over, inside the page's transaction.
 */
export async function repointCustomers(
  db: TerminalDb,
  moves: readonly (readonly [from: string, to: string])[],
): Promise<void> {
  const real = moves.filter(([from, to]) => from !== to);
  if (real.length === 0) return;
  const at = new Date().toISOString();
  await db.customerAliases.bulkPut(real.map(([id, to]) => ({ id, to, at })));
  // Where a reference to each moved id ends up once every move has been applied in order.
  const target = new Map<string, string>();
  for (const [from] of real) {
    if (target.has(from)) continue;
    let id = from;
    for (const [f, t] of real) if (id === f) id = t;
    target.set(from, id);
  }
  const moved = (id: string | null | undefined): id is string => id != null && target.has(id);
  await db.alerts
    .filter((a) => moved(a.card.customerId))
    .modify((a) => {
      a.card.customerId = target.get(a.card.customerId)!;
    });
  await db.outbox
    .where('status')
    .equals('pending')
    .filter((e) => e.kind === 'order' && moved(e.order.customerId))
    .modify((e) => {
      if (e.kind === 'order' && moved(e.order.customerId))
        e.order.customerId = target.get(e.order.customerId);
    });
  await db.audit
    .filter((a) => a.customerId !== null && moved(a.customerId))
    .modify((a) => {
      if (a.customerId !== null) a.customerId = target.get(a.customerId)!;
    });
}

/** Puts one canonical profile (e.g. the hub's answer to a registration), replacing a provisional. */
export async function putCanonicalCustomer(
  db: TerminalDb,
  provisionalId: string,
  profile: CustomerProfile,
): Promise<void> {
  await db.transaction('rw', customerPageTables(db), async () => {
    if (provisionalId !== profile.id) {
      await db.provisionalCustomers.delete(provisionalId);
      await db.customerStore.remove([provisionalId]);
      await repointCustomer(db, provisionalId, profile.id);
    } else await db.provisionalCustomers.delete(provisionalId);
    // When the feed's cursor is already at or past this version, the cache holds it or something
    // newer (possibly its tombstone): putting this copy back could resurrect a deleted customer.
    const feed = await db.syncState.get('customers');
    if (feed && BigInt(feed.cursor) >= BigInt(profile.seq)) return;
    await db.customerStore.upsert([toCachedCustomer(profile)]);
  });
}

/**
 * Caches the profile an arrival's `alert:new` carried (issue #17; docs/scaling.md, "An arrival
 * carries her profile"): the member walked in from outside this store's scope, and the hub tells
 * nobody to pull for her. Nothing is written when she is cached already (the feed brings any
 * newer version: a change to her is hinted like any member's) or when a tombstone this window
 * applied removed her for good (the alert waited in the live queue while a pull brought her
 * erasure). Answers whether it wrote her.
 */
export async function cacheArrivalProfile(
  db: TerminalDb,
  profile: CustomerProfile,
): Promise<boolean> {
  return db.transaction('rw', db.customerStore.tables, async () => {
    if (db.customerStore.gone.as(profile.id)) return false;
    if (await db.customerStore.holdsAny([profile.id])) return false;
    await db.customerStore.upsert([toCachedCustomer(profile)]);
    return true;
  });
}

/**
 * Whether a tombstone this window applied erased the customer: an alert for her still queued in
 * the live channel is dropped (its card would show her again; issue #17, `GoneCustomers`).
 */
export const erasedInThisWindow = (db: TerminalDb, customerId: string): boolean =>
  db.customerStore.gone.as(customerId) === 'erased';

const DIGITS_4 = /^\d{4}$/;

/** One native index on the provisional table for both phone lookups: [last 4 digits, phone tag]. */
const PHONE_INDEX = '[phoneLast4+phoneTag]';

/** A provisional row as a search result (its clear fields only: nothing to decrypt). */
export const provisionalSummary = (row: ProvisionalRow): CustomerSummary => ({
  id: row.id,
  name: row.name,
  tier: row.tier,
  phoneLast4: row.phoneLast4,
  memberCode: row.memberCode,
  provisional: true,
});

/**
 * Customers with this phone number, given its E.164 form and phone tag (the first 11 bits of its
 * keyed hash): those the hub knows, then any registered here and not yet confirmed. A tag is
 * shared by 1 in 2,048 numbers, so now and then another customer with the same 尾号 matches too:
 * the result list shows each by name and the guide picks.
 */
export async function byPhoneTag(
  db: TerminalDb,
  e164: string,
  tag: number,
  limit = 50,
): Promise<CustomerSummary[]> {
  const last4 = phoneLast4(e164);
  const known = await db.customerStore.byPhone(last4, tag, limit);
  const provisional = await db.provisionalCustomers
    .where(PHONE_INDEX)
    .equals([last4, tag])
    .limit(limit)
    .toArray();
  return [...known, ...provisional.map(provisionalSummary)].slice(0, limit);
}

const LATIN = /^[a-z]+$/i;
const HAN_ONLY = /^\p{Script=Han}+$/u;

/**
 * The counter's one search box: a full phone number (hashed and matched on last 4 + phone tag;
 * the raw number is never stored or compared), a member code, a 尾号 (last 4 digits), pinyin initials or a name
 * prefix. Results are de-duplicated, best match first, at most `limit` (default 50). Customers
 * the hub knows come from the in-memory index (customer-store.ts); customers registered here and
 * not yet confirmed from their own small table.
 */
export async function searchCustomers(
  db: TerminalDb,
  secrets: SecretStore,
  search: CustomerSearch,
): Promise<CustomerMatch[]> {
  const query = search.query.trim();
  const limit = search.limit ?? 50;
  if (query.length === 0) return [];
  const store = db.customerStore;
  const provisional = db.provisionalCustomers;
  const found = new Map<string, CustomerSummary>();
  const add = (rows: CustomerSummary[]) => {
    for (const row of rows) if (found.size < limit && !found.has(row.id)) found.set(row.id, row);
  };
  const addProvisional = async (rows: Promise<ProvisionalRow[]>) =>
    add((await rows).map(provisionalSummary));

  const byMemberCode = async () => {
    add(await store.byMemberCode(query, limit));
    await addProvisional(provisional.where('memberCode').equals(query).limit(limit).toArray());
  };
  // Each branch runs only the lookups that can match this kind of input.
  if (looksLikeFullPhone(query)) {
    const phone = normalisePhone(query);
    const key = await secrets.getPhoneHashKey();
    if (phone && key)
      add(await byPhoneTag(db, phone.e164, await phoneTagOf(key, phone.e164), limit));
    if (found.size === 0) await byMemberCode();
    return [...found.values()];
  }
  if (DIGITS_4.test(query)) {
    add(await store.byLast4(query, limit));
    await addProvisional(
      provisional
        .where(PHONE_INDEX)
        .between([query, Dexie.minKey], [query, Dexie.maxKey])
        .limit(limit)
        .toArray(),
    );
    return [...found.values()];
  }
  if (!HAN_ONLY.test(query)) await byMemberCode();
  if (LATIN.test(query)) {
    const initials = query.toLowerCase();
    add(await store.byInitialsPrefix(initials, limit));
    await addProvisional(provisional.where('initials').startsWith(initials).limit(limit).toArray());
  }
  if (found.size < limit && !/^\d+$/.test(query)) {
    add(await store.byNamePrefix(query, limit));
    await addProvisional(provisional.where('name').startsWith(query).limit(limit).toArray());
  }
  return [...found.values()];
}

/**
 * The cached customer under exactly this id (known to the hub, or registered here), if any.
 * Provisional first: the hub's answer moves a customer from there into the store in one
 * transaction, and the store's index has it before that commits, so this order never misses one.
 */
export async function customerById(
  db: TerminalDb,
  id: string,
): Promise<CachedCustomer | undefined> {
  const provisional = await db.provisionalCustomers.get(id);
  return provisional
    ? keepAlive(openProvisional(db.sealer, provisional))
    : await db.customerStore.get(id);
}

/** Alias hops followed at most (a merge of a merge…); guards against a cycle. */
const MAX_ALIAS_HOPS = 8;

/**
 * The cached customer under this id, or under the id it moved to (merged into another member, or
 * an offline registration the hub mapped to an existing one). Undefined when neither is cached.
 */
export async function getCustomer(
  db: TerminalDb,
  customerId: string,
): Promise<CachedCustomer | undefined> {
  let id = customerId;
  for (let hop = 0; hop <= MAX_ALIAS_HOPS; hop++) {
    const row = await customerById(db, id);
    if (row) return row;
    const alias = await db.customerAliases.get(id);
    if (!alias) return undefined;
    id = alias.to;
  }
  return undefined;
}

/**
 * Opens a full profile for a guide and records who opened it and when (audit, synced to the hub
 * later). Follows a merged-away or remapped id to the customer it became; null when the customer
 * is not cached.
 */
export async function openCustomerProfile(
  db: TerminalDb,
  customerId: string,
  guideId: string | null,
  now: Date = new Date(),
): Promise<(CustomerProfile & { provisional: boolean }) | null> {
  const tables = [
    ...db.customerStore.tables,
    db.provisionalCustomers,
    db.customerAliases,
    db.audit,
  ];
  return db.transaction('rw', tables, async () => {
    const customer = await getCustomer(db, customerId);
    if (!customer) return null;
    await db.audit.add({
      id: newId(),
      action: 'profile_opened',
      guideId,
      customerId: customer.id,
      at: now.toISOString(),
      synced: 0,
    });
    return toProfile(customer);
  });
}

/**
 * The profile as cached now, with no audit entry: what an open 360 follows in a live query, so a
 * newer version (another counter's edit through the customer feed, another window's write) shows
 * without opening it again. Reads only through Dexie. Null when the customer is not cached.
 */
export async function cachedProfile(
  db: TerminalDb,
  customerId: string,
): Promise<(CustomerProfile & { provisional: boolean }) | null> {
  const customer = await getCustomer(db, customerId);
  return customer ? toProfile(customer) : null;
}

/**
 * The cached customer with this phone number, if any (registration's duplicate warning). Compared
 * by 尾号 + phone tag: the terminal never stores a raw number or its full hash, so ≈ 1 in 100 warnings
 * names another customer sharing both (the warning says "may", and names the customer).
 */
export async function customerByPhone(
  db: TerminalDb,
  phoneHashKey: string,
  phone: string,
): Promise<CustomerSummary | undefined> {
  const normalised = normalisePhone(phone);
  if (!normalised) return undefined;
  const tag = await phoneTagOf(phoneHashKey, normalised.e164);
  return (await byPhoneTag(db, normalised.e164, tag, 1))[0];
}

/** The member with exactly this code (a scanned member QR), if cached. */
export async function customerByMemberCode(
  db: TerminalDb,
  code: string,
): Promise<CustomerSummary | undefined> {
  const trimmed = code.trim();
  if (trimmed.length === 0) return undefined;
  const [known] = await db.customerStore.byMemberCode(trimmed, 1);
  if (known) return known;
  const provisional = await db.provisionalCustomers.where('memberCode').equals(trimmed).first();
  return provisional && provisionalSummary(provisional);
}

export const customerCount = async (db: TerminalDb) =>
  (await db.customerStore.count()) + (await db.provisionalCustomers.count());

/** Audit entries not yet sent to the hub, oldest first. */
export const unsyncedAudit = (db: TerminalDb) => db.audit.where('synced').equals(0).sortBy('at');
