import { describe, expect, it, vi } from 'vitest';
import { phoneHash } from '../../shared/domain/crypto';
import { newId } from '../../shared/domain/ids';
import { phoneTagOf } from '../../shared/domain/phone-tag';
import {
  applyCustomerItems,
  customerById,
  customerCount,
  customerPageTables,
  openCustomerProfile,
  putCanonicalCustomer,
  searchCustomers,
  unsyncedAudit,
} from './customers';
import { memorySecretStore } from './secret-store';
import { nameInitials } from './customer-rows';
import { freshDb, makeAlert, makeProfile, TEST_PHONE_KEY } from './testing';
import { enqueueOrder } from './outbox';
import { storeAlert } from './alerts';
import { initialSyncState } from './sync-state';
import type { ArrivalAlert } from '../../shared/protocol';

const secrets = memorySecretStore({ token: 't', phoneHashKey: TEST_PHONE_KEY });

async function seed(
  db: ReturnType<typeof freshDb>,
  profiles: Awaited<ReturnType<typeof makeProfile>>[],
) {
  await db.transaction('rw', customerPageTables(db), () => applyCustomerItems(db, profiles));
}

describe('customer lookup at the counter', () => {
  it('finds a customer by full phone number without storing the raw number', async () => {
    const db = freshDb();
    const fang = await makeProfile({ name: '王芳', phone: '+8613812345678' });
    await seed(db, [fang, await makeProfile({ name: '李娜' })]);

    const hits = await searchCustomers(db, secrets, { query: '138 1234 5678' });
    expect(hits.map((h) => h.id)).toEqual([fang.id]);
    expect(hits[0]!.phoneLast4).toBe('5678');

    // Nothing in the cache contains the raw number in any form, its masked form or its hash.
    const dump = JSON.stringify(await db.customerStore.all());
    expect(dump).not.toContain('13812345678');
    expect(dump).not.toContain('138****');
    expect(dump).not.toContain(await phoneHash(TEST_PHONE_KEY, '+8613812345678'));
    expect(dump).not.toMatch(/phoneHash|phoneMasked/);
  });

  it('lists every customer sharing the typed number’s 尾号 and tag, by name, for the guide to pick', async () => {
    const db = freshDb();
    // Another number with the same last 4 and the same 11-bit tag (1 in 2,048 do).
    const tag = await phoneTagOf(TEST_PHONE_KEY, '+8613812345678');
    let twin = '';
    for (let i = 0; !twin; i++) {
      const candidate = `+86139${String(i).padStart(4, '0')}5678`;
      if ((await phoneTagOf(TEST_PHONE_KEY, candidate)) === tag) twin = candidate;
    }
    const fang = await makeProfile({ name: '王芳', phone: '+8613812345678' });
    const ting = await makeProfile({ name: '陈婷', phone: twin });
    const other = await makeProfile({ name: '李娜', phone: '+8613712345678' });
    await seed(db, [fang, ting, other]);
    const hits = await searchCustomers(db, secrets, { query: '13812345678' });
    expect(hits.map((h) => h.name).sort()).toEqual(['王芳', '陈婷'].sort());
    expect(hits.every((h) => h.phoneLast4 === '5678')).toBe(true);
    // The twin's own number finds the same two; 尾号 finds all three.
    expect((await searchCustomers(db, secrets, { query: twin })).length).toBe(2);
    expect((await searchCustomers(db, secrets, { query: '5678' })).length).toBe(3);
  });

  it('finds by member code, last four digits, name prefix and pinyin initials', async () => {
    const db = freshDb();
    const fang = await makeProfile({ name: '王芳', phone: '+8613812345678', memberCode: 'M0001' });
    const wei = await makeProfile({ name: '王伟', phone: '+8613900005678', memberCode: 'M0002' });
    const na = await makeProfile({ name: '李娜', phone: '+8613700001111', memberCode: 'M0003' });
    await seed(db, [fang, wei, na]);

    const ids = async (query: string) =>
      (await searchCustomers(db, secrets, { query })).map((h) => h.id).sort();
    expect(await ids('M0003')).toEqual([na.id]);
    expect(await ids('5678')).toEqual([fang.id, wei.id].sort());
    expect(await ids('王')).toEqual([fang.id, wei.id].sort());
    expect(await ids('王芳')).toEqual([fang.id]);
    expect(await ids('wf')).toEqual([fang.id]);
    expect(await ids('LN')).toEqual([na.id]);
    expect(await ids('0000')).toEqual([]);
  });

  it('caps results at the requested limit', async () => {
    const db = freshDb();
    await seed(
      db,
      await Promise.all(Array.from({ length: 60 }, () => makeProfile({ name: '张三' }))),
    );
    expect(await searchCustomers(db, secrets, { query: '张' })).toHaveLength(50);
    expect(await searchCustomers(db, secrets, { query: '张', limit: 10 })).toHaveLength(10);
  });

  it('opens the whole profile (online trail included) as the hub sent it, and audits the view', async () => {
    const db = freshDb();
    const fang = await makeProfile();
    await seed(db, [fang]);
    const guideId = newId();
    const profile = await openCustomerProfile(
      db,
      fang.id,
      guideId,
      new Date('2026-11-02T10:00:00Z'),
    );
    expect(profile).toEqual({ ...fang, provisional: false });
    const audit = await unsyncedAudit(db);
    expect(audit).toMatchObject([
      { customerId: fang.id, guideId, action: 'profile_opened', at: '2026-11-02T10:00:00.000Z' },
    ]);
  });
});

describe('pinyin initials', () => {
  it('reads surnames as surnames and Latin words by their first letter', () => {
    expect(['王芳', '单雄信', '曾国藩', '欧阳修远', 'Anna 李'].map(nameInitials)).toEqual([
      'wf',
      'sxx',
      'zgf',
      'oyxy',
      'al',
    ]);
  });
});

describe('customer tombstones', () => {
  it('a deletion removes the customer with its online trail', async () => {
    const db = freshDb();
    const fang = await makeProfile();
    await seed(db, [fang]);
    await db.transaction('rw', customerPageTables(db), () =>
      applyCustomerItems(db, [{ id: fang.id, seq: '2', deleted: true, mergedInto: null }]),
    );
    expect(await customerById(db, fang.id)).toBeUndefined();
    expect(await customerCount(db)).toBe(0);
  });

  it('an erased customer (deletion tombstone) also leaves the cached alerts and aliases', async () => {
    const db = freshDb();
    const fang = await makeProfile({ name: '王芳' });
    const na = await makeProfile({ name: '李娜' });
    await seed(db, [fang, na]);
    const base = makeAlert();
    const fangAlert = { ...base, card: { ...base.card, customerId: fang.id, name: '王芳' } };
    const other = makeAlert();
    const naAlert = { ...other, card: { ...other.card, customerId: na.id, name: '李娜' } };
    await storeAlert(db, fangAlert);
    await storeAlert(db, naAlert);
    // An offline registration the hub had mapped to 王芳.
    await db.customerAliases.put({ id: newId(), to: fang.id, at: '2026-11-02T10:00:00Z' });

    await db.transaction('rw', customerPageTables(db), () =>
      applyCustomerItems(db, [{ id: fang.id, seq: '9', deleted: true, mergedInto: null }]),
    );
    expect(await customerById(db, fang.id)).toBeUndefined();
    expect((await db.alerts.toArray()).map((a) => a.alertId)).toEqual([naAlert.alertId]);
    expect(await db.customerAliases.count()).toBe(0);
    expect(JSON.stringify(await db.alerts.toArray())).not.toContain('王芳');
  });

  it("a member leaving this store's scope (#17) leaves the cache only: alerts and aliases stay", async () => {
    const db = freshDb();
    const fang = await makeProfile({ name: '王芳' });
    await seed(db, [fang]);
    const base = makeAlert();
    const fangAlert = { ...base, card: { ...base.card, customerId: fang.id, name: '王芳' } };
    await storeAlert(db, fangAlert);
    await db.customerAliases.put({ id: newId(), to: fang.id, at: '2026-11-02T10:00:00Z' });

    await db.transaction('rw', customerPageTables(db), () =>
      applyCustomerItems(db, [
        { id: fang.id, seq: '9', deleted: true, mergedInto: null, outOfScope: true },
      ]),
    );
    expect(await customerById(db, fang.id)).toBeUndefined();
    expect(await customerCount(db)).toBe(0);
    expect((await db.alerts.toArray()).map((a) => a.alertId)).toEqual([fangAlert.alertId]);
    expect(await db.customerAliases.count()).toBe(1);
  });

  it('a profile left open on a merged-away or remapped id opens the customer it became', async () => {
    const db = freshDb();
    const fang = await makeProfile({ name: '王芳' });
    const na = await makeProfile({ name: '李娜', seq: '5' });
    await seed(db, [fang, na]);
    await db.transaction('rw', customerPageTables(db), () =>
      applyCustomerItems(db, [{ id: fang.id, seq: '6', deleted: true, mergedInto: na.id }]),
    );
    const guideId = newId();
    const opened = await openCustomerProfile(db, fang.id, guideId);
    expect(opened?.id).toBe(na.id);
    expect(opened?.name).toBe('李娜');
    // The view is audited under the customer actually shown.
    expect((await unsyncedAudit(db)).map((a) => a.customerId)).toEqual([na.id]);

    // A chain: an offline registration the hub mapped to 王芳's old id, since merged into 李娜.
    const provisional = await makeProfile({ name: '王芳' });
    await seed(db, [{ ...provisional, seq: '0' }]);
    // The feed is already past that old answer (its tombstone at seq 6 is applied).
    await db.syncState.put({ ...initialSyncState('customers'), cursor: '6' });
    await putCanonicalCustomer(db, provisional.id, { ...fang, seq: '1' });
    expect(await customerById(db, fang.id)).toBeUndefined();
    expect((await openCustomerProfile(db, provisional.id, guideId))?.id).toBe(na.id);

    // A plain delete leaves nothing to follow.
    await db.transaction('rw', customerPageTables(db), () =>
      applyCustomerItems(db, [{ id: na.id, seq: '7', deleted: true, mergedInto: null }]),
    );
    expect(await openCustomerProfile(db, fang.id, guideId)).toBeNull();
  });

  it('a merge re-points alerts, pending orders and audit to the surviving customer', async () => {
    const db = freshDb();
    const dup = await makeProfile({ name: '王芳' });
    const keep = await makeProfile({ name: '王芳' });
    await seed(db, [dup, keep]);
    const alert: ArrivalAlert = {
      alertId: newId(),
      visitId: newId(),
      storeId: newId(),
      at: '2026-11-02T10:00:00Z',
      source: 'wifi',
      status: 'open',
      claimedBy: null,
      claimedAt: null,
      expiresAt: '2026-11-02T10:30:00Z',
      convertedAt: null,
      card: {
        customerId: dup.id,
        name: '王芳',
        tier: 'gold',
        phoneLast4: null,
        sizes: {},
        favouriteCategories: [],
        viewed: [],
        carted: [],
        wishlisted: [],
        lastPurchases: [],
        lifetimeSpend: 0,
      },
    };
    await storeAlert(db, alert);
    const orderId = newId();
    await enqueueOrder(db, {
      id: orderId,
      storeId: alert.storeId,
      terminalId: newId(),
      guideId: newId(),
      customerId: dup.id,
      paymentMethod: 'wechat',
      createdAt: '2026-11-02T10:05:00Z',
      lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 100 }],
    });
    await openCustomerProfile(db, dup.id, null);

    await db.transaction('rw', customerPageTables(db), () =>
      applyCustomerItems(db, [{ id: dup.id, seq: '3', deleted: true, mergedInto: keep.id }]),
    );
    expect(await customerById(db, dup.id)).toBeUndefined();
    expect((await db.alerts.get(alert.alertId))?.card.customerId).toBe(keep.id);
    const entry = await db.outbox.get(orderId);
    expect(entry?.kind === 'order' && entry.order.customerId).toBe(keep.id);
    expect((await unsyncedAudit(db))[0]?.customerId).toBe(keep.id);
  });

  it('a page of many merges (merges of merges too) re-points every reference, one pass per table', async () => {
    const db = freshDb();
    const survivors = await Promise.all([makeProfile(), makeProfile()]);
    const dups = await Promise.all(Array.from({ length: 40 }, () => makeProfile()));
    await seed(db, [...survivors, ...dups]);
    // Each duplicate was seen at the door and opened; orders for the first two wait offline.
    for (const dup of dups) {
      await storeAlert(db, makeAlert({ card: { ...makeAlert().card, customerId: dup.id } }));
      await openCustomerProfile(db, dup.id, null);
    }
    const orderIds = [newId(), newId()];
    for (const [i, id] of orderIds.entries())
      await enqueueOrder(db, {
        id,
        storeId: newId(),
        terminalId: newId(),
        guideId: newId(),
        customerId: dups[i]!.id,
        paymentMethod: 'wechat',
        createdAt: '2026-11-02T10:05:00Z',
        lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 100 }],
      });
    // Duplicates 0–19 into survivor 0; 20–39 into duplicate 0, which later in the page merges
    // into survivor 1 — everything of 0 and 20–39 ends at survivor 1.
    const [a, b] = survivors as [(typeof survivors)[0], (typeof survivors)[0]];
    const page = [
      ...dups
        .slice(1, 20)
        .map((d) => ({ id: d.id, seq: '50', deleted: true as const, mergedInto: a.id })),
      ...dups
        .slice(20)
        .map((d) => ({ id: d.id, seq: '51', deleted: true as const, mergedInto: dups[0]!.id })),
      { id: dups[0]!.id, seq: '52', deleted: true as const, mergedInto: b.id },
    ];
    const scans = {
      alerts: vi.spyOn(db.alerts, 'filter'),
      audit: vi.spyOn(db.audit, 'filter'),
    };
    await db.transaction('rw', customerPageTables(db), () => applyCustomerItems(db, page));
    expect(scans.alerts).toHaveBeenCalledTimes(1);
    expect(scans.audit).toHaveBeenCalledTimes(1);

    const expected = (i: number) => (i >= 1 && i < 20 ? a.id : b.id);
    const alerts = await db.alerts.toArray();
    expect(alerts).toHaveLength(40);
    const audit = await unsyncedAudit(db);
    for (const [i, dup] of dups.entries()) {
      expect(await customerById(db, dup.id)).toBeUndefined();
      expect((await openCustomerProfile(db, dup.id, null))?.id).toBe(expected(i));
    }
    expect(new Set(alerts.map((x) => x.card.customerId))).toEqual(new Set([a.id, b.id]));
    expect(alerts.filter((x) => x.card.customerId === a.id)).toHaveLength(19);
    expect(audit.filter((x) => x.customerId === a.id)).toHaveLength(19);
    expect(audit.filter((x) => x.customerId === b.id)).toHaveLength(21);
    const orders = await db.outbox.bulkGet(orderIds);
    expect(orders.map((e) => (e?.kind === 'order' ? e.order.customerId : null))).toEqual([
      b.id,
      a.id,
    ]);
  });

  it('the canonical customer from a registration replaces the provisional one', async () => {
    const db = freshDb();
    const provisional = await makeProfile({ name: '赵敏' });
    await seed(db, [provisional]);
    const canonical = await makeProfile({ name: '赵敏', seq: '9' });
    await putCanonicalCustomer(db, provisional.id, canonical);
    expect(await customerById(db, provisional.id)).toBeUndefined();
    expect((await customerById(db, canonical.id))?.seq).toBe('9');
  });

  it('a late registration answer never resurrects a customer the feed has since deleted', async () => {
    const db = freshDb();
    const provisional = await makeProfile({ name: '赵敏' });
    await seed(db, [provisional]);
    const canonical = await makeProfile({ name: '赵敏', seq: '5' });
    // The feed already went past seq 5 and delivered this customer's tombstone (seq 7).
    await db.transaction('rw', customerPageTables(db), async () => {
      await applyCustomerItems(db, [
        { id: canonical.id, seq: '7', deleted: true, mergedInto: null },
      ]);
      await db.syncState.put({ ...initialSyncState('customers'), cursor: '7' });
    });
    await putCanonicalCustomer(db, provisional.id, canonical);
    expect(await customerById(db, canonical.id)).toBeUndefined();
    expect(await customerById(db, provisional.id)).toBeUndefined();
  });
});
