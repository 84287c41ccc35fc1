import { Dexie } from 'dexie';
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
import { freshIdb, makeAlert, makeProfile, TEST_PHONE_KEY, testSealer } from './testing';
import { atRestPending, sealAtRest } from './at-rest';
import { openAlerts } from './alert-rows';
import { pendingEntries } from './outbox';
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
import { keysOf, packBlocks } from './customer-index';
import type { CustomerProfile } from '../../shared/protocol';

/** A profile as v1/v2 stored it: the indexed row and the unindexed details row, apart. */
function v2Rows(profile: CustomerProfile) {
  const { online, inStore, ...rest } = toCachedCustomer(profile);
  return { customer: rest, detail: { id: profile.id, online, inStore } };
}

describe('Dexie migrations', () => {
  it('the latest version is 10', () => {
    expect(LATEST_VERSION).toBe(10);
  });

  it('v1 → v2: customers cached before the upgrade become findable by pinyin initials', async () => {
    const idb = freshIdb();
    const v1 = new TerminalDb('term-1', { ...idb, upToVersion: 1 });
    const fang = await makeProfile({ name: '王芳', memberCode: 'M1' });
    const { customer, detail } = v2Rows(fang);
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
    const fang = await makeProfile({ name: '王芳', memberCode: 'M1', phone: '+8613812345678' });
    const na = await makeProfile({ name: '李娜', memberCode: 'M2', phone: '+8613900009999' });
    // Enough rows to cross the upgrade's chunk boundary (2,000); their last 4 digits stay < 2100.
    const crowd = await Promise.all(
      Array.from({ length: 2_100 }, (_, i) =>
        makeProfile({ name: `客${i}`, phone: `+86137000${String(i).padStart(5, '0')}` }),
      ),
    );
    const all = [fang, na, ...crowd];
    await v2.table('customers').bulkPut(all.map((p) => v2Rows(p).customer));
    await v2.table('customerDetails').bulkPut(all.map((p) => v2Rows(p).detail));
    // A provisional row without a details row (v2 always wrote one; the upgrade must not rely
    // on it): it gets empty summaries.
    const { customer: orphan } = v2Rows(await makeProfile({ name: '赵敏' }));
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
    expect(row.online).toEqual(fang.online);
    expect(row.inStore).toEqual(fang.inStore);
    expect(row.initials).toBe('wf');
    const last = (await customers.get(crowd.at(-1)!.id)) as CachedCustomer;
    expect(last.online).toEqual(crowd.at(-1)!.online);
    const orphanRow = (await customers.get(orphan.id)) as CachedCustomer;
    expect(orphanRow.online.viewed).toEqual([]);
    expect(orphanRow.inStore.storeOrders).toBe(0);
    expect(orphanRow.provisional).toBe(true);

    // The new compound phone index answers both phone lookups for rows written by v2.
    const phone = v3.table('customers').where('[phoneLast4+phoneHash]');
    expect(await phone.equals(['5678', fang.phoneHash!]).primaryKeys()).toEqual([fang.id]);
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
    const fang = await makeProfile({ name: '王芳' });
    await v3.table('customers').put(toCachedCustomer(fang));
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
    const fang = await makeProfile({ name: '王芳', memberCode: 'M1', phone: '+8613812345678' });
    const na = await makeProfile({ name: '李娜', memberCode: 'M2', phone: '+8613900009999' });
    // Enough rows to cross the upgrade's chunk boundary (2,000) and fill many blocks.
    const crowd = await Promise.all(
      Array.from({ length: 2_150 }, (_, i) =>
        makeProfile({ name: `客${i}`, phone: `+86137000${String(i).padStart(5, '0')}` }),
      ),
    );
    const known = [fang, na, ...crowd];
    await v4.table('customers').bulkPut(known.map(toCachedCustomer));
    // Registered here, not yet confirmed by the hub.
    const zhao = await makeProfile({ name: '赵敏', phone: '+8613600006666', memberCode: '' });
    await v4.table('customers').put({ ...toCachedCustomer(zhao), provisional: true });
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
    const li = await makeProfile({ name: '李丽', seq: '9001' });
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
        makeProfile({ name: `客${i}`, phone: `+86137000${String(i).padStart(5, '0')}` }),
      ),
    );
    // Written as v5 wrote them: 100 profiles per block, the key record beside each.
    const blocks = packBlocks(crowd.map(toCachedCustomer), 0);
    await v5.table('customerBlocks').bulkPut(blocks);
    await v5.table('customerKeys').bulkPut(blocks.map(keysOf));
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
    expect(await v6.customerStore.count()).toBe(230);
    expect(await v6.customerOverrides.count()).toBe(0);
    expect((await v6.syncState.get('customers'))?.cursor).toBe('777');
    const secrets = memorySecretStore({ phoneHashKey: TEST_PHONE_KEY });
    const found = await searchCustomers(v6, secrets, { query: '13700000229' });
    expect(found.map((c) => c.id)).toEqual([crowd[229]!.id]);
    // Points changed at head office: one override row, the block untouched.
    const before = await v6.customerBlocks.toArray();
    await v6.transaction('rw', customerPageTables(v6), () =>
      applyCustomerItems(v6, [{ ...crowd[5]!, points: crowd[5]!.points + 10 }]),
    );
    expect(await v6.customerBlocks.toArray()).toEqual(before);
    expect((await v6.customerStore.get(crowd[5]!.id))?.points).toBe(crowd[5]!.points + 10);
    v6.close();
  });

  it('v6 → v7: customers, the outbox and cursors survive; feed rows can be set aside', async () => {
    const idb = freshIdb();
    const v6 = new TerminalDb('term-7', { ...idb, upToVersion: 6 });
    const crowd = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        makeProfile({ name: `客${i}`, phone: `+86137100${String(i).padStart(5, '0')}` }),
      ),
    );
    const blocks = packBlocks(crowd.map(toCachedCustomer), 0);
    await v6.table('customerBlocks').bulkPut(blocks);
    await v6.table('customerKeys').bulkPut(blocks.map(keysOf));
    await v6.table('customerMeta').put({ key: 'stamp', value: 5 });
    await v6.table('customerOverrides').put({ ...toCachedCustomer(crowd[7]!), points: 4242 });
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
    expect(await v7.customerStore.count()).toBe(120);
    expect((await v7.customerStore.get(crowd[7]!.id))?.points).toBe(4242);
    const secrets = memorySecretStore({ phoneHashKey: TEST_PHONE_KEY });
    const found = await searchCustomers(v7, secrets, { query: '13710000119' });
    expect(found.map((c) => c.id)).toEqual([crowd[119]!.id]);
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

  it('v7 → v10: a clear cache is sealed after open by a resumable pass; nothing is lost meanwhile', async () => {
    const idb = freshIdb();
    const v7 = new TerminalDb('term-10', { ...idb, upToVersion: 7 });
    const NOTE = 'AT-REST-NOTE-4711';
    const crowd = await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        makeProfile({
          name: `客${i}`,
          phone: `+86137200${String(i).padStart(5, '0')}`,
          notes: `${NOTE} #${i}`,
          sizes: { top: 'XL-AT-REST' },
        }),
      ),
    );
    // Written as v7 wrote them: every table in clear.
    const blocks = packBlocks(crowd.map(toCachedCustomer), 0);
    await v7.table('customerBlocks').bulkPut(blocks);
    await v7.table('customerKeys').bulkPut(blocks.map(keysOf));
    await v7.table('customerMeta').put({ key: 'stamp', value: 3 });
    await v7.table('customerOverrides').put({ ...toCachedCustomer(crowd[7]!), points: 4242 });
    const provisional = {
      ...toCachedCustomer(
        await makeProfile({ name: '赵敏', phone: '+8613987654321', notes: `${NOTE} provisional` }),
      ),
      memberCode: '',
      provisional: true,
    };
    await v7.table('provisionalCustomers').put(provisional);
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

    const v10 = new TerminalDb('term-10', idb);
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
    await a.customerStore.upsert([toCachedCustomer(await makeProfile())]);
    expect(await a.customerStore.count()).toBe(1);
    expect(await b.customerStore.count()).toBe(0);
    expect(a.name).not.toBe(b.name);
  });
});
