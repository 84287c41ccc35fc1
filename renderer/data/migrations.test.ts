import { Dexie } from 'dexie';
import { PIN_MAX_FAILURES } from '../../shared/domain/pin-verifier';
import { lockedUntil, recordFailure } from './pin-lockouts';
import { verifyGuidePin } from './staff';
import { describe, expect, it } from 'vitest';
import { TerminalDb } from './database';
import { LATEST_VERSION } from './migrations';
import {
  applyCustomerItems,
  customerPageTables,
  openCustomerProfile,
  searchCustomers,
} from './customers';
import {
  markSetAsideReported,
  recordSetAside,
  setAsideCount,
  unreportedSetAside,
} from './feed-rejects';
import { memorySecretStore } from './secret-store';
import { productsBySku, styleSiblings } from './catalog';
import {
  freshIdb,
  makeAlert,
  makeGuide,
  makeProduct,
  makeProfile,
  TEST_PHONE_KEY,
  testPinHash,
  testSealer,
} from './testing';
import { phoneTagOf } from '../../shared/domain/phone-tag';
import { atRestPending, sealAtRest } from './at-rest';
import { openAlerts } from './alert-rows';
import { pendingEntries } from './outbox';
import { applyFollowUpPage, enqueueVisitOutcome, openFollowUps } from './follow-ups';
import { customerById } from './customers';
import { fromBinary, type Sealer } from './sealed';

/** The same key, but sealing fails after `n` seals (the app closed halfway through the pass). */
function failingAfter(sealer: Sealer, n: number): Sealer {
  let left = n;
  return {
    get keyId() {
      return sealer.keyId;
    },
    seal: (value, aad) =>
      left-- > 0 ? sealer.seal(value, aad) : Promise.reject(new Error('interrupted')),
    open: (envelope, aad) => sealer.open(envelope, aad),
  };
}
import { toCachedCustomer, type CachedCustomer } from './customer-rows';
import { phoneHash } from '../../shared/domain/crypto';
import { maskPhone } from '../../shared/domain/phone';
import type { CustomerProfile } from '../../shared/protocol';

/** The E.164 number of each profile made by `makeLegacy` (the v8 profile no longer holds it). */
const phones = new Map<string, string>();

/** A profile (as today's hub sends it) with its number remembered for `legacy`. */
async function makeLegacy(
  over: Parameters<typeof makeProfile>[0] & { phone?: string } = {},
): Promise<CustomerProfile> {
  const phone = over.phone ?? `+86138${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const profile = await makeProfile({ ...over, phone });
  phones.set(profile.id, phone);
  return profile;
}

/**
 * A customer row as versions 1–7 cached it (the feed then carried these fields): the full keyed
 * phone hash, the masked number, the birthday with its year, the consent flag, creation and update
 * instants, and when / through which channel the member was last online.
 */
async function legacy(profile: CustomerProfile): Promise<Record<string, unknown>> {
  const e164 = phones.get(profile.id);
  if (!e164) throw new Error('make legacy profiles with makeLegacy');
  const { phoneTag: _tag, ...rest } = toCachedCustomer(profile);
  return {
    ...rest,
    phoneHash: await phoneHash(TEST_PHONE_KEY, e164),
    phoneMasked: maskPhone(e164),
    birthday: profile.birthday ? `1990-${profile.birthday}` : null,
    consentMarketing: true,
    createdAt: '2026-10-01T08:00:00.000Z',
    updatedAt: '2026-11-01T08:00:00.000Z',
    online: {
      ...profile.online,
      viewed: profile.online.viewed.map((i) => ({ ...i, channel: 'app' })),
      lastOnlineAt: '2026-11-01T08:00:00.000Z',
      channel: 'app',
    },
  };
}

/** The key record of a block as versions 5–7 wrote it (full hashes and masked numbers). */
const legacyKeys = (block: { id: number; rows: Record<string, unknown>[] }) => ({
  id: block.id,
  ids: block.rows.map((r) => r.id),
  memberCodes: block.rows.map((r) => r.memberCode),
  phoneLast4: block.rows.map((r) => r.phoneLast4),
  phoneHashes: block.rows.map((r) => r.phoneHash),
  names: block.rows.map((r) => r.name),
  initials: block.rows.map((r) => r.initials),
  tiers: block.rows.map((r) => r.tier),
  phoneMasked: block.rows.map((r) => r.phoneMasked),
});

/** Legacy rows packed 100 to a block, as versions 5–7 did. */
function legacyBlocks(rows: Record<string, unknown>[], firstId = 0) {
  const blocks: { id: number; rows: Record<string, unknown>[] }[] = [];
  for (let i = 0; i < rows.length; i += 100)
    blocks.push({ id: firstId + blocks.length, rows: rows.slice(i, i + 100) });
  return blocks;
}

/** Customers in the packed clear blocks (versions 5–9), read without today's index. */
const rowCount = async (db: TerminalDb) =>
  ((await db.table('customerBlocks').toArray()) as { rows: unknown[] }[]).reduce(
    (n, b) => n + b.rows.length,
    0,
  );

/** A profile as v1/v2 stored it: the indexed row and the unindexed details row, apart. */
async function v2Rows(profile: CustomerProfile) {
  const { online, inStore, ...rest } = await legacy(profile);
  return { customer: rest, detail: { id: profile.id, online, inStore } };
}

describe('Dexie migrations', () => {
  it('the latest version is 13', () => {
    expect(LATEST_VERSION).toBe(13);
  });

  it('v1 → v2: customers cached before the upgrade become findable by pinyin initials', async () => {
    const idb = freshIdb();
    const v1 = new TerminalDb('term-1', { ...idb, upToVersion: 1 });
    const fang = await makeLegacy({ name: '王芳', memberCode: 'M1' });
    const { customer, detail } = await v2Rows(fang);
    // Written as v1 wrote it: without the initials field.
    const { initials: _i, ...v1Row } = customer;
    await v1.table('customers').put(v1Row);
    await v1.table('customerDetails').put(detail);
    await v1.outbox.put({
      id: 'o1',
      kind: 'order',
      status: 'pending',
      createdAt: '2026-11-01T00:00:00Z',
      attempts: 0,
      lastAttemptAt: null,
      syncedAt: null,
      reason: null,
      order: {
        id: 'o1',
        storeId: 's',
        terminalId: 't',
        guideId: 'g',
        paymentMethod: 'cash',
        createdAt: '2026-11-01T00:00:00Z',
        lines: [{ sku: 'A', quantity: 1, unitPrice: 1, discount: 0 }],
      },
    });
    expect(v1.verno).toBe(1);
    v1.close();

    const v2 = new TerminalDb('term-1', { ...idb, upToVersion: 2 });
    await v2.open();
    expect(v2.verno).toBe(2);
    // (Each test checks its version's own tables; today's lookups run on v5, tested below.)
    const byInitials = await v2.table('customers').where('initials').equals('wf').primaryKeys();
    expect(byInitials).toEqual([fang.id]);
    // Everything else survived the upgrade untouched.
    expect((await v2.table('customers').get(fang.id))?.memberCode).toBe('M1');
    expect((await v2.table('customerDetails').get(fang.id))?.online.onlineOrders).toBe(2);
    expect((await v2.outbox.get('o1'))?.status).toBe('pending');
    v2.close();
  });

  it('v2 → v3: each customer row takes in its details row; lookups and references survive', async () => {
    const idb = freshIdb();
    const v2 = new TerminalDb('term-3', { ...idb, upToVersion: 2 });
    const fang = await makeLegacy({ name: '王芳', memberCode: 'M1', phone: '+8613812345678' });
    const na = await makeLegacy({ name: '李娜', memberCode: 'M2', phone: '+8613900009999' });
    // Enough rows to cross the upgrade's chunk boundary (2,000); their last 4 digits stay < 2100.
    const crowd = await Promise.all(
      Array.from({ length: 2_100 }, (_, i) =>
        makeLegacy({ name: `客${i}`, phone: `+86137000${String(i).padStart(5, '0')}` }),
      ),
    );
    const all = [fang, na, ...crowd];
    const rows = await Promise.all(all.map(v2Rows));
    await v2.table('customers').bulkPut(rows.map((r) => r.customer));
    await v2.table('customerDetails').bulkPut(rows.map((r) => r.detail));
    // A provisional row without a details row (v2 always wrote one; the upgrade must not rely
    // on it): it gets empty summaries.
    const { customer: orphan } = await v2Rows(await makeLegacy({ name: '赵敏' }));
    await v2.table('customers').put({ ...orphan, provisional: true });
    await v2.table('audit').put({
      id: 'a1',
      action: 'profile_opened',
      guideId: null,
      customerId: fang.id,
      at: '2026-11-01T00:00:00Z',
      synced: 0,
    });
    expect(v2.verno).toBe(2);
    v2.close();

    const v3 = new TerminalDb('term-3', { ...idb, upToVersion: 3 });
    await v3.open();
    expect(v3.verno).toBe(3);
    expect(v3.tables.map((t) => t.name)).not.toContain('customerDetails');
    const customers = v3.table<CachedCustomer, string>('customers');
    expect(await customers.count()).toBe(all.length + 1);
    const row = (await customers.get(fang.id)) as CachedCustomer;
    expect(row.online).toEqual((await legacy(fang)).online);
    expect(row.inStore).toEqual(fang.inStore);
    expect(row.initials).toBe('wf');
    const last = (await customers.get(crowd.at(-1)!.id)) as CachedCustomer;
    expect(last.online).toEqual((await legacy(crowd.at(-1)!)).online);
    const orphanRow = (await customers.get(orphan.id as string)) as CachedCustomer;
    expect(orphanRow.online.viewed).toEqual([]);
    expect(orphanRow.inStore.storeOrders).toBe(0);
    expect(orphanRow.provisional).toBe(true);

    // The new compound phone index answers both phone lookups for rows written by v2.
    const phone = v3.table('customers').where('[phoneLast4+phoneHash]');
    const fangHash = await phoneHash(TEST_PHONE_KEY, '+8613812345678');
    expect(await phone.equals(['5678', fangHash]).primaryKeys()).toEqual([fang.id]);
    expect(
      await phone.between(['9999', Dexie.minKey], ['9999', Dexie.maxKey]).primaryKeys(),
    ).toEqual([na.id]);
    expect(await customers.where('memberCode').equals('M2').primaryKeys()).toEqual([na.id]);
    expect(await v3.audit.get('a1')).toMatchObject({ customerId: fang.id });
    v3.close();
  });

  it('v3 → v4: cached customers and the outbox survive; merged-away ids become followable', async () => {
    const idb = freshIdb();
    const v3 = new TerminalDb('term-4', { ...idb, upToVersion: 3 });
    const fang = await makeLegacy({ name: '王芳' });
    await v3.table('customers').put(await legacy(fang));
    await v3.table('syncState').put({
      feed: 'customers',
      cursor: '42',
      rowsDone: 1,
      totalEstimate: 1,
      lastSuccessAt: null,
      lastError: null,
    });
    expect(v3.verno).toBe(3);
    v3.close();

    const v4 = new TerminalDb('term-4', { ...idb, upToVersion: 4 });
    await v4.open();
    expect(v4.verno).toBe(4);
    expect((await v4.table('customers').get(fang.id))?.name).toBe('王芳');
    expect((await v4.syncState.get('customers'))?.cursor).toBe('42');
    await v4.customerAliases.put({ id: 'old', to: fang.id, at: '2026-11-01T00:00:00Z' });
    expect((await v4.customerAliases.get('old'))?.to).toBe(fang.id);
    v4.close();
  });

  it('v4 → v5: customers are packed into blocks; every lookup, the outbox and aliases survive', async () => {
    const idb = freshIdb();
    const v4 = new TerminalDb('term-5', { ...idb, upToVersion: 4 });
    const fang = await makeLegacy({ name: '王芳', memberCode: 'M1', phone: '+8613812345678' });
    const na = await makeLegacy({ name: '李娜', memberCode: 'M2', phone: '+8613900009999' });
    // Enough rows to cross the upgrade's chunk boundary (2,000) and fill many blocks.
    const crowd = await Promise.all(
      Array.from({ length: 2_150 }, (_, i) =>
        makeLegacy({ name: `客${i}`, phone: `+86137000${String(i).padStart(5, '0')}` }),
      ),
    );
    const known = [fang, na, ...crowd];
    await v4.table('customers').bulkPut(await Promise.all(known.map(legacy)));
    // Registered here, not yet confirmed by the hub.
    const zhao = await makeLegacy({ name: '赵敏', phone: '+8613600006666', memberCode: '' });
    await v4.table('customers').put({ ...(await legacy(zhao)), provisional: true });
    await v4.customerAliases.put({ id: 'old-id', to: fang.id, at: '2026-11-01T00:00:00Z' });
    await v4.table('syncState').put({
      feed: 'customers',
      cursor: '9000',
      rowsDone: known.length,
      totalEstimate: known.length,
      lastSuccessAt: null,
      lastError: null,
    });
    v4.close();

    // Opened by today's code: v5's upgrade runs, then the later ones.
    const v5 = new TerminalDb('term-5', idb);
    await v5.open();
    expect(v5.verno).toBe(LATEST_VERSION);
    expect(v5.tables.map((t) => t.name)).not.toContain('customers');
    expect(await v5.customerStore.count()).toBe(known.length);
    expect(await v5.customerBlocks.count()).toBeGreaterThanOrEqual(Math.ceil(known.length / 100));
    expect((await v5.customerStore.blocks()).every((b) => b.rows.length <= 100)).toBe(true);
    // Whole profiles come back as they were cached.
    expect(await v5.customerStore.get(fang.id)).toEqual(toCachedCustomer(fang));
    expect(await v5.customerStore.get(crowd.at(-1)!.id)).toEqual(toCachedCustomer(crowd.at(-1)!));
    expect((await v5.provisionalCustomers.get(zhao.id))?.name).toBe('赵敏');
    expect(await v5.customerStore.get(zhao.id)).toBeUndefined();

    const secrets = memorySecretStore({ phoneHashKey: TEST_PHONE_KEY });
    const ids = async (query: string) =>
      (await searchCustomers(v5, secrets, { query })).map((c) => c.id);
    expect(await ids('13812345678')).toEqual([fang.id]);
    expect(await ids('9999')).toEqual([na.id]);
    expect(await ids('M2')).toEqual([na.id]);
    expect(await ids('王芳')).toEqual([fang.id]);
    expect(await ids('wf')).toEqual([fang.id]);
    expect(await ids('13600006666')).toEqual([zhao.id]);
    expect((await searchCustomers(v5, secrets, { query: '6666' }))[0]).toMatchObject({
      id: zhao.id,
      provisional: true,
    });
    expect((await v5.syncState.get('customers'))?.cursor).toBe('9000');

    // References keep working on the new layout: an alias, and a merge from the feed.
    expect((await openCustomerProfile(v5, 'old-id', null))?.id).toBe(fang.id);
    const li = await makeLegacy({ name: '李丽', seq: '9001' });
    await v5.transaction('rw', customerPageTables(v5), () =>
      applyCustomerItems(v5, [li, { id: fang.id, seq: '9002', deleted: true, mergedInto: li.id }]),
    );
    expect((await openCustomerProfile(v5, fang.id, null))?.id).toBe(li.id);
    expect(await v5.customerStore.count()).toBe(known.length);
    v5.close();
  });

  it('v5 → v6: the packed customers, their lookups and the cursor survive; a live change is an override row', async () => {
    const idb = freshIdb();
    const v5 = new TerminalDb('term-6', { ...idb, upToVersion: 5 });
    const crowd = await Promise.all(
      Array.from({ length: 230 }, (_, i) =>
        makeLegacy({ name: `客${i}`, phone: `+86137000${String(i).padStart(5, '0')}` }),
      ),
    );
    // Written as v5 wrote them: 100 profiles per block, the key record beside each.
    const blocks = legacyBlocks(await Promise.all(crowd.map(legacy)));
    await v5.table('customerBlocks').bulkPut(blocks);
    await v5.table('customerKeys').bulkPut(blocks.map(legacyKeys));
    await v5.table('customerMeta').put({ key: 'stamp', value: 3 });
    await v5.table('syncState').put({
      feed: 'customers',
      cursor: '777',
      rowsDone: 230,
      totalEstimate: 230,
      lastSuccessAt: null,
      lastError: null,
    });
    v5.close();

    const v6 = new TerminalDb('term-6', { ...idb, upToVersion: 6 });
    await v6.open();
    expect(v6.verno).toBe(6);
    // (Raw tables: today's index reads the v8 layout; lookups are checked in v7 → v8.)
    expect(await rowCount(v6)).toBe(230);
    expect(await v6.customerOverrides.count()).toBe(0);
    expect((await v6.syncState.get('customers'))?.cursor).toBe('777');
    v6.close();
    // Points changed at head office (today's code, so on today's version): one override row,
    // the block untouched.
    const latest = new TerminalDb('term-6', idb);
    const before = await latest.customerBlocks.toArray();
    await latest.transaction('rw', customerPageTables(latest), () =>
      applyCustomerItems(latest, [{ ...crowd[5]!, points: crowd[5]!.points + 10 }]),
    );
    expect(await latest.customerBlocks.toArray()).toEqual(before);
    expect(await latest.customerOverrides.count()).toBe(1);
    expect((await latest.customerStore.get(crowd[5]!.id))?.points).toBe(crowd[5]!.points + 10);
    latest.close();
  });

  it('v6 → v7: customers, the outbox and cursors survive; feed rows can be set aside', async () => {
    const idb = freshIdb();
    const v6 = new TerminalDb('term-7', { ...idb, upToVersion: 6 });
    const crowd = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        makeLegacy({ name: `客${i}`, phone: `+86137100${String(i).padStart(5, '0')}` }),
      ),
    );
    const blocks = legacyBlocks(await Promise.all(crowd.map(legacy)));
    await v6.table('customerBlocks').bulkPut(blocks);
    await v6.table('customerKeys').bulkPut(blocks.map(legacyKeys));
    await v6.table('customerMeta').put({ key: 'stamp', value: 5 });
    await v6.table('customerOverrides').put({ ...(await legacy(crowd[7]!)), points: 4242 });
    await v6.table('syncState').put({
      feed: 'catalog',
      cursor: '4321',
      rowsDone: 10,
      totalEstimate: 10,
      lastSuccessAt: null,
      lastError: 'items.3.price: Too big',
    });
    await v6.table('outbox').put({
      id: 'o7',
      kind: 'order',
      status: 'pending',
      createdAt: '2026-11-01T00:00:00Z',
      attempts: 0,
      lastAttemptAt: null,
      syncedAt: null,
      reason: null,
      order: {
        id: 'o7',
        storeId: 's',
        terminalId: 't',
        guideId: 'g',
        paymentMethod: 'cash',
        createdAt: '2026-11-01T00:00:00Z',
        lines: [{ sku: 'A', quantity: 1, unitPrice: 1, discount: 0 }],
      },
    });
    v6.close();

    const v7 = new TerminalDb('term-7', { ...idb, upToVersion: 7 });
    await v7.open();
    expect(v7.verno).toBe(7);
    expect(await rowCount(v7)).toBe(120);
    expect((await v7.table('customerOverrides').get(crowd[7]!.id))?.points).toBe(4242);
    expect((await v7.syncState.get('catalog'))?.cursor).toBe('4321');
    expect((await v7.outbox.get('o7'))?.status).toBe('pending');
    // The new table starts empty and keeps what a page sets aside, until reported.
    expect(await setAsideCount(v7)).toBe(0);
    await v7.transaction('rw', v7.feedRejects, () =>
      recordSetAside(
        v7,
        'catalog',
        [{ feed: 'catalog', id: 'p-1', seq: '4400', reason: 'price: Too big' }],
        [],
        '2026-11-02T10:00:00.000Z',
      ),
    );
    const unreported = await unreportedSetAside(v7, 10);
    expect(unreported.rejects).toEqual([
      {
        feed: 'catalog',
        id: 'p-1',
        seq: '4400',
        reason: 'price: Too big',
        at: '2026-11-02T10:00:00.000Z',
      },
    ]);
    await markSetAsideReported(v7, unreported.keys);
    expect((await unreportedSetAside(v7, 10)).keys).toEqual([]);
    expect(await setAsideCount(v7)).toBe(1);
    v7.close();
  });

  it('v7 → v8: no phone hash, masked number or birth year is left; every lookup still answers', async () => {
    const idb = freshIdb();
    const v7 = new TerminalDb('term-8', { ...idb, upToVersion: 7 });
    const fang = await makeLegacy({
      name: '王芳',
      memberCode: 'M1',
      phone: '+8613812345678',
      birthday: '03-14',
    });
    const na = await makeLegacy({ name: '李娜', memberCode: 'M2', phone: '+8613900009999' });
    // Enough to fill several blocks and cross the upgrade's chunk (20 blocks).
    const crowd = await Promise.all(
      Array.from({ length: 2_150 }, (_, i) =>
        makeLegacy({ name: `客${i}`, phone: `+86137100${String(i).padStart(5, '0')}` }),
      ),
    );
    const known = [fang, na, ...crowd];
    const blocks = legacyBlocks(await Promise.all(known.map(legacy)));
    await v7.table('customerBlocks').bulkPut(blocks);
    await v7.table('customerKeys').bulkPut(blocks.map(legacyKeys));
    await v7.table('customerMeta').put({ key: 'stamp', value: 9 });
    // A live change of points, kept as an override row (v6 on).
    await v7.table('customerOverrides').put({ ...(await legacy(na)), points: 4242 });
    // Registered here while offline, not yet confirmed: v7 hashed the number on the terminal.
    const zhao = await makeLegacy({ name: '赵敏', phone: '+8613600006666', memberCode: '' });
    await v7.table('provisionalCustomers').put({ ...(await legacy(zhao)), provisional: true });
    const alert = makeAlert();
    const { phoneLast4: _l, ...oldCard } = alert.card;
    await v7
      .table('alerts')
      .put({ ...alert, card: { ...oldCard, customerId: fang.id, phoneMasked: '138****5678' } });
    await v7.table('syncState').put({
      feed: 'customers',
      cursor: '9000',
      rowsDone: known.length,
      totalEstimate: known.length,
      lastSuccessAt: null,
      lastError: null,
    });
    expect(JSON.stringify(await v7.table('customerBlocks').get(0))).toContain('138****5678');
    v7.close();

    const v8 = new TerminalDb('term-8', { ...idb, upToVersion: 8 });
    await v8.open();
    expect(v8.verno).toBe(8);
    // Nothing the terminal holds carries the full hash, the masked number or the birth year.
    const fullHashes = await Promise.all(
      [fang, na, zhao].map((p) => phoneHash(TEST_PHONE_KEY, phones.get(p.id)!)),
    );
    for (const table of [
      'customerBlocks',
      'customerKeys',
      'customerOverrides',
      'provisionalCustomers',
      'alerts',
    ]) {
      const dump = JSON.stringify(await v8.table(table).toArray());
      expect(dump).not.toMatch(/phoneHash|phoneMasked|consentMarketing|createdAt|lastOnlineAt/);
      expect(dump).not.toContain('****');
      expect(dump).not.toContain('1990-');
      for (const hash of fullHashes) expect(dump).not.toContain(hash.slice(0, 16));
    }
    // Each customer is exactly what today's hub would send (its tag from the stored hash).
    expect(await v8.customerStore.get(fang.id)).toEqual(toCachedCustomer(fang));
    expect((await v8.customerStore.get(fang.id))?.birthday).toBe('03-14');
    expect((await v8.customerStore.get(fang.id))?.phoneTag).toBe(
      await phoneTagOf(TEST_PHONE_KEY, '+8613812345678'),
    );
    expect(await v8.customerStore.get(na.id)).toEqual({ ...toCachedCustomer(na), points: 4242 });
    expect(await v8.provisionalCustomers.get(zhao.id)).toEqual({
      ...toCachedCustomer(zhao),
      provisional: true,
    });
    expect(await v8.customerStore.count()).toBe(known.length);

    const secrets = memorySecretStore({ phoneHashKey: TEST_PHONE_KEY });
    const ids = async (query: string) =>
      (await searchCustomers(v8, secrets, { query })).map((c) => c.id);
    expect(await ids('138 1234 5678')).toEqual([fang.id]);
    expect(await ids('+86 139 0000 9999')).toEqual([na.id]);
    expect(await ids('13710002149')).toEqual([crowd[2149]!.id]);
    expect(await ids('5678')).toEqual([fang.id]);
    expect(await ids('13600006666')).toEqual([zhao.id]);
    expect(await ids('6666')).toEqual([zhao.id]);
    expect(await ids('M2')).toEqual([na.id]);
    expect(await ids('wf')).toEqual([fang.id]);
    // A number nobody has finds nobody (same 尾号, other digits).
    expect(await ids('13512345678')).toEqual([]);
    // The arrival card shows the 尾号.
    expect((await v8.alerts.get(alert.alertId))?.card).toMatchObject({
      customerId: fang.id,
      phoneLast4: '5678',
    });
    expect((await v8.syncState.get('customers'))?.cursor).toBe('9000');
    v8.close();
  });

  it('v7 → v10: a clear cache is sealed after open by a resumable pass; nothing is lost meanwhile', async () => {
    const idb = freshIdb();
    const v7 = new TerminalDb('term-10', { ...idb, upToVersion: 7 });
    const NOTE = 'AT-REST-NOTE-4711';
    const crowd = await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        makeLegacy({
          name: `客${i}`,
          phone: `+86137200${String(i).padStart(5, '0')}`,
          notes: `${NOTE} #${i}`,
          sizes: { top: 'XL-AT-REST' },
        }),
      ),
    );
    // Written as v7 wrote them: every table in clear, with v7's phone fields (v8 rewrites them).
    const blocks = legacyBlocks(await Promise.all(crowd.map(legacy)));
    await v7.table('customerBlocks').bulkPut(blocks);
    await v7.table('customerKeys').bulkPut(blocks.map(legacyKeys));
    await v7.table('customerMeta').put({ key: 'stamp', value: 3 });
    await v7.table('customerOverrides').put({ ...(await legacy(crowd[7]!)), points: 4242 });
    const zhao = await makeLegacy({
      name: '赵敏',
      phone: '+8613987654321',
      notes: `${NOTE} provisional`,
    });
    const provisional = { ...toCachedCustomer(zhao), memberCode: '', provisional: true };
    await v7
      .table('provisionalCustomers')
      .put({ ...(await legacy(zhao)), memberCode: '', provisional: true });
    const alert = {
      ...makeAlert({ card: { ...makeAlert().card, customerId: crowd[3]!.id, name: '客3' } }),
      receivedAt: '2026-11-02T10:00:01.000Z',
    };
    alert.card.sizes = { top: 'XL-AT-REST' };
    await v7.table('alerts').put(alert);
    const registration = {
      id: provisional.id,
      kind: 'registration',
      status: 'pending',
      createdAt: '2026-11-01T00:00:00Z',
      attempts: 0,
      lastAttemptAt: null,
      syncedAt: null,
      reason: null,
      registration: {
        id: provisional.id,
        name: '赵敏',
        gender: 'female',
        sizes: { top: 'XL-AT-REST' },
        notes: `${NOTE} registration`,
        consentMarketing: true,
        createdAt: '2026-11-01T00:00:00Z',
        phoneCipher: 'aa.bb',
      },
    };
    const order = {
      id: 'o10',
      kind: 'order',
      status: 'pending',
      createdAt: '2026-11-01T00:00:00Z',
      attempts: 0,
      lastAttemptAt: null,
      syncedAt: null,
      reason: null,
      order: {
        id: 'o10',
        storeId: 's',
        terminalId: 't',
        guideId: 'g',
        customerId: crowd[5]!.id,
        paymentMethod: 'cash',
        createdAt: '2026-11-01T00:00:00Z',
        lines: [{ sku: 'SKU-AT-REST', quantity: 1, unitPrice: 1, discount: 0 }],
      },
    };
    await v7.table('outbox').bulkPut([registration, order]);
    v7.close();

    /** Every byte the stored rows hold, sealed bytes also read as UTF-8 text. */
    const rawText = async (db: TerminalDb) =>
      JSON.stringify(
        await Promise.all(
          ['customerBlocks', 'customerOverrides', 'provisionalCustomers', 'alerts', 'outbox'].map(
            (t) => db.table(t).toArray(),
          ),
        ),
        (key, value: unknown) =>
          key === 'ct' && typeof value === 'string'
            ? value + Buffer.from(fromBinary(value)).toString('utf8')
            : value,
      );

    const v10 = new TerminalDb('term-10', { ...idb, upToVersion: 10 });
    await v10.open();
    expect(v10.verno).toBe(10);
    expect(await atRestPending(v10)).toBe(true);
    // Before the pass: the clear rows read as they are.
    expect((await v10.customerStore.get(crowd[200]!.id))?.notes).toBe(`${NOTE} #200`);
    const secrets = memorySecretStore({ phoneHashKey: TEST_PHONE_KEY });
    expect(
      (await searchCustomers(v10, secrets, { query: '13720000119' })).map((c) => c.id),
    ).toEqual([crowd[119]!.id]);
    expect(await rawText(v10)).toContain(NOTE);

    // A pass that dies halfway (the app closed) leaves the marker: the next start carries on.
    const flaky = new TerminalDb('term-10', {
      ...idb,
      sealer: failingAfter(idb.sealer, 1),
    });
    await expect(sealAtRest(flaky)).rejects.toThrow('interrupted');
    flaky.close();
    expect(await atRestPending(v10)).toBe(true);
    // A customer the app rewrites meanwhile (a new name) is sealed by that write, and kept.
    await v10.customerStore.upsert([toCachedCustomer({ ...crowd[150]!, name: '新名字' })]);

    expect(await sealAtRest(v10)).toBeGreaterThan(0);
    expect(await atRestPending(v10)).toBe(false);
    expect(await sealAtRest(v10)).toBe(0);
    const raw = await rawText(v10);
    for (const needle of [NOTE, 'XL-AT-REST', 'SKU-AT-REST', 'aa.bb'])
      expect(raw).not.toContain(needle);
    // Every table is sealed through and through.
    for (const table of [
      'customerBlocks',
      'customerOverrides',
      'alerts',
      'outbox',
      'provisionalCustomers',
    ])
      expect((await v10.table(table).toArray()).every((row: object) => 'sealed' in row)).toBe(true);

    // …and reads back whole.
    expect(await v10.customerStore.count()).toBe(250);
    expect(await v10.customerStore.get(crowd[200]!.id)).toEqual(toCachedCustomer(crowd[200]!));
    expect((await v10.customerStore.get(crowd[7]!.id))?.points).toBe(4242);
    expect((await v10.customerStore.get(crowd[150]!.id))?.name).toBe('新名字');
    expect(await customerById(v10, provisional.id)).toEqual(provisional);
    expect(await openAlerts(v10.sealer, await v10.alerts.toArray())).toEqual([alert]);
    expect(await pendingEntries(v10, 10)).toEqual([registration, order]);
    expect(
      (await searchCustomers(v10, secrets, { query: '13987654321' })).map((c) => c.id),
    ).toEqual([provisional.id]);
    // Under another key nothing opens.
    const stranger = new TerminalDb('term-10', { ...idb, sealer: testSealer() });
    await expect(stranger.customerStore.get(crowd[200]!.id)).rejects.toMatchObject({
      code: 'tampered',
    });
    stranger.close();
    v10.close();
  });

  it('each terminal enrolment gets its own database', async () => {
    const idb = freshIdb();
    const a = new TerminalDb('a', idb);
    const b = new TerminalDb('b', idb);
    await a.customerStore.upsert([toCachedCustomer(await makeLegacy())]);
    expect(await a.customerStore.count()).toBe(1);
    expect(await b.customerStore.count()).toBe(0);
    expect(a.name).not.toBe(b.name);
  });

  it('v7 → v9: staff, queued audit and the outbox survive; PIN lockouts get their table', async () => {
    const idb = freshIdb();
    const v7 = new TerminalDb('term-9', { ...idb, upToVersion: 7 });
    const guide = makeGuide({ name: '王芳' });
    await v7.table('staff').put(guide);
    await v7.table('audit').put({
      id: 'a1',
      action: 'profile_opened',
      guideId: guide.id,
      customerId: 'c1',
      at: '2026-11-01T00:00:00.000Z',
      synced: 0,
    });
    await v7.table('syncState').put({
      feed: 'staff',
      cursor: '0',
      rowsDone: 1,
      totalEstimate: null,
      lastSuccessAt: '2026-11-01T00:00:00.000Z',
      lastError: null,
    });
    v7.close();

    const v9 = new TerminalDb('term-9', { ...idb, upToVersion: 9 });
    await v9.open();
    expect(v9.verno).toBe(9);
    expect((await v9.staff.get(guide.id))?.name).toBe('王芳');
    expect((await v9.audit.get('a1'))?.synced).toBe(0);
    expect((await v9.syncState.get('staff'))?.lastSuccessAt).toBe('2026-11-01T00:00:00.000Z');
    const now = new Date('2026-11-02T10:00:00.000Z');
    expect(await lockedUntil(v9, guide.id, now)).toBeNull();
    for (let i = 0; i < PIN_MAX_FAILURES; i++) await recordFailure(v9, guide.id, now);
    expect(await lockedUntil(v9, guide.id, now)).not.toBeNull();
    v9.close();
  });

  it('v9 → v10: PIN verifiers and lockout counts kept in clear by v9 are sealed by the pass', async () => {
    const idb = freshIdb();
    const v9 = new TerminalDb('term-9-10', { ...idb, upToVersion: 9 });
    const guide = makeGuide({ name: '王芳', pinHash: await testPinHash('842519') });
    await v9.table('staff').put(guide);
    const until = '2026-11-02T10:05:00.000Z';
    await v9.table('pinLockouts').put({ guideId: guide.id, failures: 5, lockedUntil: until });
    v9.close();

    const v10 = new TerminalDb('term-9-10', { ...idb, upToVersion: 10 });
    await v10.open();
    expect(v10.verno).toBe(10);
    expect(await atRestPending(v10)).toBe(true);
    expect(await sealAtRest(v10)).toBe(2);
    const raw = JSON.stringify([await v10.staff.toArray(), await v10.pinLockouts.toArray()]);
    expect(raw).not.toContain(guide.pinHash.split('$')[4]!);
    expect(raw).not.toContain(until);
    expect(await v10.pinLockouts.get(guide.id)).toEqual({
      guideId: guide.id,
      sealed: expect.anything(),
    });
    // Both still work: the lock holds, the verifier checks the PIN.
    expect(await lockedUntil(v10, guide.id, new Date('2026-11-02T10:00:00.000Z'))).toEqual(
      new Date(until),
    );
    expect((await verifyGuidePin(v10, guide.id, '842519'))?.id).toBe(guide.id);
    expect(await verifyGuidePin(v10, guide.id, '842510')).toBeNull();
    v10.close();
  });

  it('v10 → v12: cached products survive and read as their own style; a sale holds its units', async () => {
    const idb = freshIdb();
    const v10 = new TerminalDb('term-10-12', { ...idb, upToVersion: 10 });
    // A product as v10 cached it: the feed then carried no style code or size kind.
    const {
      styleCode: _code,
      sizeKind: _kind,
      ...old
    } = makeProduct({
      sku: 'SGSH01-BLK-M',
      stock: 4,
    });
    await v10.table('products').put(old);
    v10.close();

    const v12 = new TerminalDb('term-10-12', { ...idb, upToVersion: 12 });
    await v12.open();
    expect(v12.verno).toBe(12);
    const [cached] = [...(await productsBySku(v12, ['SGSH01-BLK-M'])).values()];
    expect(cached).toMatchObject({
      sku: 'SGSH01-BLK-M',
      styleCode: null,
      sizeKind: null,
      stock: 4,
    });
    expect(await styleSiblings(v12, [cached!])).toEqual(new Map());
    // The feed resends it with its style: found by style code from then on.
    const styled = { ...cached!, styleCode: 'SGSH01', sizeKind: 'top' as const };
    await v12.products.put(styled);
    await v12.products.put(
      makeProduct({ sku: 'SGSH01-BLK-L', styleCode: 'SGSH01', sizeKind: 'top' }),
    );
    expect(
      (await styleSiblings(v12, [styled]))
        .get('SGSH01')
        ?.map((p) => p.sku)
        .sort(),
    ).toEqual(['SGSH01-BLK-L', 'SGSH01-BLK-M']);
    // The new table works: a hold takes its units off what the guide sees.
    await v12.stockHolds.put({
      orderId: 'o1',
      sku: 'SGSH01-BLK-M',
      quantity: 3,
      state: 'pending',
      sentAt: null,
    });
    expect((await productsBySku(v12, ['SGSH01-BLK-M'])).get('SGSH01-BLK-M')?.stock).toBe(1);
    v12.close();
  });

  it('v10 → v11: the outbox survives; follow-up tasks and visit outcomes get their tables', async () => {
    const idb = freshIdb();
    const v10 = new TerminalDb('term-10-11', { ...idb, upToVersion: 10 });
    const storeId = '01960000-0000-7000-8000-0000000000f1';
    const order = {
      id: '01960000-0000-7000-8000-0000000000f2',
      storeId,
      terminalId: '01960000-0000-7000-8000-0000000000f3',
      guideId: '01960000-0000-7000-8000-0000000000f4',
      paymentMethod: 'wechat' as const,
      createdAt: '2026-11-02T10:00:00.000Z',
      lines: [{ sku: 'DR-1', quantity: 1, unitPrice: 19_900, discount: 0 }],
    };
    // Queued as a v10 terminal would have it (a clear row: the at-rest pass seals it later;
    // enqueueOrder itself now also writes v12's stock holds, which v10 does not have).
    await v10.table('outbox').put({
      id: order.id,
      kind: 'order',
      order,
      status: 'pending',
      createdAt: order.createdAt,
      attempts: 0,
      lastAttemptAt: null,
      syncedAt: null,
      reason: null,
    });
    v10.close();

    const v11 = new TerminalDb('term-10-11', { ...idb, upToVersion: 12 });
    await v11.open();
    expect(v11.verno).toBe(12);
    expect((await pendingEntries(v11, 10)).map((e) => e.id)).toEqual([order.id]);
    const task = {
      id: '01960000-0000-7000-8000-0000000000f5',
      storeId,
      customerId: '01960000-0000-7000-8000-0000000000f6',
      guideId: null,
      kind: 'birthday' as const,
      dueAt: '2026-11-01T16:00:00.000Z',
      detail: {},
      status: 'open' as const,
      outcome: null,
      doneAt: null,
    };
    expect(await applyFollowUpPage(v11, '0', { items: [task], cursor: '7' }, order.createdAt)).toBe(
      true,
    );
    expect(await openFollowUps(v11)).toEqual([{ ...task, doneHere: null }]);
    const outcome = await enqueueVisitOutcome(v11, {
      id: '01960000-0000-7000-8000-0000000000f7',
      alertId: '01960000-0000-7000-8000-0000000000f8',
      guideId: order.guideId,
      reason: 'price',
      at: order.createdAt,
    });
    expect(outcome.ok).toBe(true);
    // Sealed at rest like every outbox entry: the reason is not readable in the raw row.
    expect(
      JSON.stringify(await v11.outbox.get('01960000-0000-7000-8000-0000000000f7')),
    ).not.toContain('price');
    expect((await pendingEntries(v11, 10)).map((e) => e.kind)).toEqual(['order', 'visit_outcome']);
    v11.close();
  });
});
