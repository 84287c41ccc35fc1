import type { z } from 'zod';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { crmCustomer } from '../../shared/protocol';
import { endpoints, type CustomerFeedItem, type CustomerProfile } from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import { callRoute } from '../support/api';
import type { HubProcess } from '../support/hub-process';

type Page<T> = { items: T[]; cursor: string; hasMore: boolean; total: number };
type ErrorReply = { error: { code: string; message: string; details?: unknown } };

describeOnBackends('CRM customer upsert', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
  });
  afterAll(() => backend.cleanup());

  const pull = (after = '0') =>
    callRoute(
      hub,
      endpoints.syncCustomers,
      { query: { after } },
      { token: store.terminals[0]!.token },
    ).then((r) => ({ ...r, body: r.body as Page<CustomerFeedItem> }));
  /**
   * CRM records as head office sends them, homed at the store unless they name a home store: the
   * store's terminal reads them from its store-scoped feed (a member with no home store is in no
   * store's scope until she is seen somewhere: store-scopes.test.ts).
   */
  const upsert = (customers: z.input<typeof crmCustomer>[]) =>
    callRoute(hub, endpoints.importCustomers, {
      body: { customers: customers.map((c) => ({ homeStoreId: store.storeId, ...c })) },
    });
  const profiles = (items: CustomerFeedItem[]) =>
    items.filter((i): i is CustomerProfile => !('deleted' in i));

  it('refuses calls without the integration key', async () => {
    expect(
      (await rawCall(hub, 'POST', routePath(endpoints.importCustomers), { customers: [] })).status,
    ).toBe(401);
    expect((await rawCall(hub, 'GET', routePath(endpoints.syncCustomers))).status).toBe(401);
  });

  it('creates customers with a normalised phone, hash, mask and a generated member code', async () => {
    const r = await upsert([
      {
        crmId: 'CRM-1',
        name: '陈静',
        phone: '138 1234 5678',
        tier: 'gold',
        points: 1200,
        sizes: { top: 'M', shoe: '37' },
        favouriteCategories: ['dress'],
        homeStoreId: store.storeId,
        tags: ['vip'],
      },
      { crmId: 'CRM-2', name: '刘洋', memberCode: 'MC-000002' },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { id: 'CRM-1', status: 'accepted' },
      { id: 'CRM-2', status: 'accepted' },
    ]);
    const feed = await pull();
    const [chen, liu] = profiles(feed.body.items);
    expect(chen).toMatchObject({
      name: '陈静',
      phoneLast4: '5678',
      tier: 'gold',
      points: 1200,
      sizes: { top: 'M', shoe: '37' },
      homeStoreId: store.storeId,
      lifetimeSpend: 0,
    });
    expect(chen!.memberCode).toMatch(/^M\d{10}$/);
    // The raw number never travels to terminals, nor a masked form or the full hash.
    const { phoneHash } = await import('../../shared/domain/crypto');
    const { phoneTag } = await import('../../shared/domain/phone-tag');
    const info = await callRoute(
      hub,
      endpoints.terminalInfo,
      {},
      { token: store.terminals[0]!.token },
    );
    const fullHash = await phoneHash(info.body.phoneHashKey, '+8613812345678');
    const wire = JSON.stringify(feed.body);
    expect(wire).not.toMatch(/13812345678|138\*|phoneHash|phoneMasked/);
    expect(wire).not.toContain(fullHash.slice(0, 8));
    expect(liu).toMatchObject({ memberCode: 'MC-000002', phoneLast4: null, phoneTag: null });
    // The tag is the first 11 bits of the HMAC of the E.164 number under the terminal's key.
    expect(chen!.phoneTag).toBe(phoneTag(fullHash));
  });

  it('is idempotent by crmId: an unchanged re-send is a duplicate and does not move the feed', async () => {
    const cursor = (await pull()).body.cursor;
    const r = await upsert([{ crmId: 'CRM-2', name: '刘洋', memberCode: 'MC-000002' }]);
    expect(r.body.results).toEqual([{ id: 'CRM-2', status: 'duplicate' }]);
    expect((await pull(cursor)).body.items).toEqual([]);

    const changed = await upsert([{ crmId: 'CRM-2', name: '刘洋', tier: 'silver' }]);
    expect(changed.body.results).toEqual([{ id: 'CRM-2', status: 'accepted' }]);
    const moved = profiles((await pull(cursor)).body.items);
    expect(moved).toHaveLength(1);
    // memberCode omitted on update → the card the customer already has keeps working.
    expect(moved[0]).toMatchObject({ name: '刘洋', tier: 'silver', memberCode: 'MC-000002' });
  });

  it('attaches a CRM record to the live customer with the same phone instead of duplicating', async () => {
    // Registered in the store first, with sizes the guide captured.
    const reg = await callRoute(
      hub,
      endpoints.registerCustomer,
      {
        body: {
          id: '0190b000-0000-7000-8000-00000000c001',
          name: '赵敏',
          phone: '+86 139-0000-1111',
          sizes: { bottom: '27' },
          notes: 'prefers linen',
        },
      },
      { token: store.terminals[0]!.token },
    );
    expect(reg.status).toBe(201);
    const r = await upsert([
      { crmId: 'CRM-3', name: '赵敏', phone: '13900001111', tier: 'platinum' },
    ]);
    expect(r.body.results).toEqual([{ id: 'CRM-3', status: 'accepted' }]);
    const all = profiles((await pull()).body.items).filter((p) => p.phoneLast4 === '1111');
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      id: reg.body.customer.id,
      tier: 'platinum',
      sizes: { bottom: '27' },
      notes: 'prefers linen',
      memberCode: reg.body.customer.memberCode,
    });
  });

  it('rejects per item and still accepts the rest of the batch', async () => {
    const r = await upsert([
      { crmId: 'CRM-10', name: '坏号码', phone: '12345' },
      { crmId: 'CRM-11', name: '别人的号', phone: '13812345678' },
      { crmId: 'CRM-12', name: '别人的卡', memberCode: 'MC-000002' },
      { crmId: 'CRM-13', name: '未知门店', homeStoreId: '0190a000-0000-7000-8000-000000000000' },
      { crmId: 'CRM-14', name: '正常' },
    ]);
    expect(r.body.results.map((x) => x.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'accepted',
    ]);
    for (const x of r.body.results.slice(0, 4)) expect(x.reason).toBeTruthy();
    const names = profiles((await pull()).body.items).map((p) => p.name);
    expect(names).toContain('正常');
    expect(names).not.toContain('坏号码');
    expect(names).not.toContain('别人的号');
  });

  it('resolves conflicts inside one batch exactly as across batches', async () => {
    const r = await upsert([
      { crmId: 'IN-1', name: '林一', phone: '+86 135 0000 9999' },
      { crmId: 'IN-1', name: '林一一', phone: '13500009999' },
      { crmId: 'IN-2', name: '同号', phone: '135-0000-9999' },
      { crmId: 'IN-3', name: '有卡', memberCode: 'MC-IN-3' },
      { crmId: 'IN-4', name: '抢卡', memberCode: 'MC-IN-3' },
    ]);
    expect(r.body.results.map((x) => x.status)).toEqual([
      'accepted',
      'accepted',
      'rejected',
      'accepted',
      'rejected',
    ]);
    const all = profiles((await pull()).body.items);
    const lin = all.filter((p) => p.phoneLast4 === '9999');
    expect(lin.map((p) => p.name)).toEqual(['林一一']);
    expect(all.filter((p) => p.memberCode === 'MC-IN-3').map((p) => p.name)).toEqual(['有卡']);
    expect(all.some((p) => p.name === '同号' || p.name === '抢卡')).toBe(false);
    // Every member code in the chain is unique.
    const codes = all.map((p) => p.memberCode);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('after a merge, updates go to the survivor record and the merged CRM record says why', async () => {
    await upsert([
      { crmId: 'MG-A', name: '甲', phone: '+86 133 0000 1001', points: 10 },
      { crmId: 'MG-B', name: '甲', points: 5 },
    ]);
    const all = profiles((await pull()).body.items);
    const a = all.find((p) => p.name === '甲' && p.phoneTag !== null)!;
    const b = all.find((p) => p.name === '甲' && p.phoneTag === null)!;
    const merged = await callRoute(hub, endpoints.mergeCustomers, {
      body: { sourceId: b.id, targetId: a.id },
    });
    expect(merged.body.status).toBe('merged');
    expect(merged.body.customer.points).toBe(15);

    const r = await upsert([
      { crmId: 'MG-B', name: '甲（旧）', points: 7 },
      { crmId: 'MG-A', name: '甲', phone: '+86 133 0000 1001', points: 20 },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toEqual({
      id: 'MG-B',
      status: 'rejected',
      reason: `merged into customer ${a.id}`,
    });
    expect(r.body.results[1]).toEqual({ id: 'MG-A', status: 'accepted' });
    const after = profiles((await pull()).body.items).filter((p) => p.name.startsWith('甲'));
    expect(after.map((p) => [p.id, p.name, p.points])).toEqual([[a.id, '甲', 20]]);
  });

  it('answers invalid bodies with 400 and writes nothing', async () => {
    const cursor = (await pull()).body.cursor;
    const bad: unknown[] = [
      {},
      { customers: [] },
      { customers: [{ crmId: 'B-1' }] },
      { customers: [{ crmId: 'B-2', name: 'x', tier: 'legendary' }] },
      { customers: [{ crmId: 'B-3', name: 'x', points: -5 }] },
      { customers: [{ crmId: 'B-3b', name: 'x', points: 3_000_000_000 }] },
      { customers: [{ crmId: 'B-4', name: 'x', birthday: '1990-13-40' }] },
      { customers: [{ crmId: 'B-4b', name: 'x', birthday: '0000-01-01' }] },
      {
        customers: [
          { crmId: 'B-5', name: 'ok' },
          { crmId: '', name: 'x' },
        ],
      },
      { customers: Array.from({ length: 1001 }, (_, i) => ({ crmId: `B-${i}`, name: 'x' })) },
    ];
    for (const body of bad) {
      // raw on purpose: bodies the schema refuses
      const r = await rawCall<ErrorReply>(hub, 'POST', routePath(endpoints.importCustomers), body, {
        integration: true,
      });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
    expect((await pull(cursor)).body.items).toEqual([]);
  });

  it('takes a full batch of 1,000 in one call', async () => {
    const customers = Array.from({ length: 1000 }, (_, i) => ({
      crmId: `BULK-${i}`,
      name: `会员${i}`,
      phone: `+86 186${String(i).padStart(8, '0')}`,
    }));
    const r = await upsert(customers);
    expect(r.status).toBe(200);
    expect(r.body.results.filter((x) => x.status === 'accepted')).toHaveLength(1000);
    const again = await upsert(customers);
    expect(again.body.results.every((x) => x.status === 'duplicate')).toBe(true);
  });
});
