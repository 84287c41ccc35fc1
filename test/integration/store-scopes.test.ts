import type { z } from 'zod';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  customerFeedItem,
  endpoints,
  feedPage,
  liveArrivalAlert,
  type crmCustomer,
  type CustomerFeedItem,
  type CustomerTombstone,
  type customerSearchRequest,
} from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { callRoute } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import type { HubProcess } from '../support/hub-process';
import { connectTerminal, eventsOf, received } from '../support/terminal-socket';

const customerFeed = feedPage(customerFeedItem);
const isTomb = (i: CustomerFeedItem): i is CustomerTombstone => 'deleted' in i;
let n = 0;
const nextPhone = () => `13${String(810000000 + (n += 1)).padStart(9, '0')}`;

/** Issue #17 item 1: each store's terminals get the members in its scope, through the feed. */
describeOnBackends('store-scoped customer feeds', (backend) => {
  let hub: HubProcess;
  let shanghai: StoreFixture;
  let beijing: StoreFixture;
  let small: StoreFixture;
  /** per store: the cursor its terminal reached */
  const heads = new Map<string, string>();

  beforeAll(async () => {
    // A cap of 3 makes eviction visible; 4 searches an hour make the limit reachable.
    hub = await backend.startHub({
      env: {
        HUB_CUSTOMER_FEED_SCOPE: 'store',
        HUB_STORE_SCOPE_CAP: '3',
        HUB_SEARCHES_PER_HOUR: '4',
      },
    });
    shanghai = await createStoreFixture(hub, { name: '上海', lat: 31.2304, lng: 121.4737 });
    beijing = await createStoreFixture(hub, { name: '北京', lat: 39.9042, lng: 116.4074 });
    small = await createStoreFixture(hub, { name: '杭州', lat: 30.2741, lng: 120.1551 });
  }, 120_000);
  afterAll(() => backend.cleanup());

  const token = (store: StoreFixture) => store.terminals[0]!.token;
  /** Everything new in a store's feed since its last pull (small pages: the cursor must hold). */
  const pullNew = async (store: StoreFixture): Promise<CustomerFeedItem[]> => {
    const seen: CustomerFeedItem[] = [];
    let after = heads.get(store.storeId) ?? '0';
    for (;;) {
      const r = await callRoute(
        hub,
        endpoints.syncCustomers,
        { query: { after, limit: 2 } },
        { token: token(store) },
      );
      expect(r.status).toBe(200);
      const page = customerFeed.parse(r.body);
      seen.push(...page.items);
      after = page.cursor;
      if (!page.hasMore) break;
    }
    heads.set(store.storeId, after);
    return seen;
  };
  /** What a terminal learns from items: a profile by member code, a tombstone by id. */
  const codes = (items: CustomerFeedItem[]) =>
    items.map((i) => (isTomb(i) ? `gone:${i.id}` : i.memberCode));
  /** Imports members (each with a fresh member code and phone); answers their member codes. */
  const importMembers = async (members: Partial<z.input<typeof crmCustomer>>[]) => {
    const filled = members.map((m) => ({
      crmId: `crm-${newId()}`,
      name: '会员',
      phone: nextPhone(),
      memberCode: `SC${String((n += 1)).padStart(6, '0')}`,
      ...m,
    }));
    const r = await callRoute(hub, endpoints.importCustomers, { body: { customers: filled } });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x) => x.status)).toEqual(filled.map(() => 'accepted'));
    return filled.map((m) => m.memberCode);
  };
  const sighting = async (store: StoreFixture, memberCode: string) => {
    const r = await callRoute(hub, endpoints.presence, {
      body: { customer: { memberCode }, storeId: store.storeId, source: 'wifi' },
    });
    expect(r.status).toBe(202);
  };
  /** Whether a member is in a store's feed past the store's last pull (the cursor stays). */
  const waitsInFeed = async (store: StoreFixture, memberCode: string) => {
    const r = await callRoute(
      hub,
      endpoints.syncCustomers,
      { query: { after: heads.get(store.storeId) ?? '0', limit: 100 } },
      { token: token(store) },
    );
    return codes(customerFeed.parse(r.body).items).includes(memberCode);
  };
  /**
   * A member first seen at a store's door. Presence answers once the visit and alert are stored;
   * `alert:new` carries her profile (migration 030) and her place in the store's feed is numbered
   * just after (the hub's next settle) without a `customers:changed`: the terminals have her from
   * the alert. Answers the alert once her entry is in the feed, and whether any hint came.
   */
  const arrive = async (store: StoreFixture, memberCode: string) => {
    const socket = await connectTerminal(hub, token(store));
    try {
      await sighting(store, memberCode);
      const alert = liveArrivalAlert.parse(await received(socket, 'alert:new'));
      const deadline = Date.now() + 10_000;
      while (!(await waitsInFeed(store, memberCode))) {
        if (Date.now() > deadline) throw new Error(`${memberCode} never entered the feed`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Past the hub's next hint window (500 ms) and its next settle: a hint would be here.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return { alert, hints: eventsOf(socket, 'customers:changed') };
    } finally {
      socket.close();
    }
  };
  /** A member's id, as the store's feed gave it. */
  const idIn = (items: CustomerFeedItem[], memberCode: string) => {
    const found = items.find((i) => !isTomb(i) && i.memberCode === memberCode);
    if (!found) throw new Error(`${memberCode} not in the feed`);
    return found.id;
  };

  it('a member homed at one store is in that store feed only; a catchment member in the nearest store', async () => {
    for (const store of [shanghai, beijing, small]) await pullNew(store);
    const [homed, near] = await importMembers([
      { name: '上海会员', homeStoreId: shanghai.storeId },
      { name: '北京附近', location: { lat: 39.95, lng: 116.3 } },
    ]);
    expect(codes(await pullNew(shanghai))).toEqual([homed]);
    expect(codes(await pullNew(beijing))).toEqual([near]);
    expect(await pullNew(small)).toEqual([]);
  });

  it('a member alerted at another store door reaches that store cache, once: her alert carries the profile its feed holds, and nobody is told to pull', async () => {
    const [member] = await importMembers([{ name: '出差会员', homeStoreId: shanghai.storeId }]);
    const customerId = idIn(await pullNew(shanghai), member!);
    const { alert, hints } = await arrive(beijing, member!);
    expect(hints).toEqual([]);
    const entered = await pullNew(beijing);
    expect(codes(entered)).toEqual([member]);
    // Exactly what the feed sends (the catch-up list never carries it: a terminal catching up
    // pulls its feed).
    expect(alert.profile).toEqual(entered[0]);
    const catchUp = await callRoute(
      hub,
      endpoints.alerts,
      { query: {} },
      { token: token(beijing) },
    );
    const listed = catchUp.body.items.find((a) => a.alertId === alert.alertId);
    expect(listed?.card.customerId).toBe(customerId);
    expect(listed).not.toHaveProperty('profile');
    // Seen again: nothing new for either store.
    await sighting(beijing, member!);
    expect(await pullNew(beijing)).toEqual([]);
    expect(await pullNew(shanghai)).toEqual([]);
    // A change to the profile reaches both stores exactly once.
    const r = await callRoute(hub, endpoints.onlineEvents, {
      body: {
        events: [
          {
            id: `ev-${newId()}`,
            customer: { customerId },
            type: 'viewed',
            sku: 'SKU-1',
            channel: 'app',
            at: new Date().toISOString(),
          },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(codes(await pullNew(beijing))).toEqual([member]);
    expect(codes(await pullNew(shanghai))).toEqual([member]);
  });

  it('past the cap the lowest-ranked member leaves with one out-of-scope tombstone', async () => {
    await pullNew(small);
    const [visitor] = await importMembers([{ name: '路过' }]);
    await arrive(small, visitor!);
    const visitorId = idIn(await pullNew(small), visitor!);
    // Three members homed here: the home store outranks an alert, so the visitor leaves (cap 3).
    const homed = await importMembers([
      { homeStoreId: small.storeId },
      { homeStoreId: small.storeId },
      { homeStoreId: small.storeId },
    ]);
    expect(codes(await pullNew(small)).sort()).toEqual([...homed, `gone:${visitorId}`].sort());
    expect(await pullNew(small)).toEqual([]);
  });

  it('an online event near a store brings the member into its feed once; when her days run out she leaves as an out-of-scope tombstone unless another reason keeps her', async () => {
    const xian = await createStoreFixture(hub, { name: '西安', lat: 34.34, lng: 108.94 });
    await pullNew(xian);
    await pullNew(shanghai);
    const [roamer, regular] = await importMembers([
      { name: '网购会员' },
      { name: '西安常客', homeStoreId: xian.storeId },
    ]);
    idIn(await pullNew(xian), regular!);
    // Dated so that the default 14 days end a few seconds from now.
    const at = new Date(Date.now() - 14 * 86_400_000 + 8_000).toISOString();
    const near = { lat: 34.27, lng: 108.95 };
    const event = (memberCode: string, sku: string) => ({
      id: `ev-${newId()}`,
      customer: { memberCode },
      type: 'viewed' as const,
      sku,
      channel: 'app' as const,
      at,
      location: near,
    });
    const socket = await connectTerminal(hub, token(xian));
    try {
      const r = await callRoute(hub, endpoints.onlineEvents, {
        body: {
          events: [event(roamer!, 'SKU-1'), event(roamer!, 'SKU-2'), event(regular!, 'SKU-1')],
        },
      });
      expect(r.status).toBe(200);
      expect(r.body.results.map((x) => x.status)).toEqual(['accepted', 'accepted', 'accepted']);
      await received(socket, 'customers:changed');
    } finally {
      socket.close();
    }
    // Once each: the roamer entered, the regular's trail changed. Another store hears nothing.
    const items = await pullNew(xian);
    expect(codes(items).sort()).toEqual([roamer, regular].sort());
    const roamerId = idIn(items, roamer!);
    expect(codes(await pullNew(shanghai))).not.toContain(roamer);
    expect(await pullNew(xian)).toEqual([]);

    // Her 14 days end: the hub's settle round takes her out, once; the regular stays (home).
    const left: CustomerFeedItem[] = [];
    const deadline = Date.now() + 30_000;
    while (left.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      left.push(...(await pullNew(xian)));
    }
    expect(left).toEqual([
      { id: roamerId, seq: expect.any(String), deleted: true, mergedInto: null, outOfScope: true },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await pullNew(xian)).toEqual([]);
  });

  it('finds a member online by phone, member code or 尾号 + name; the next feed page carries them', async () => {
    const phone = nextPhone();
    const [member] = await importMembers([
      { name: '远方会员', phone, homeStoreId: beijing.storeId },
    ]);
    await pullNew(shanghai);
    const search = (body: z.input<typeof customerSearchRequest>) =>
      callRoute(hub, endpoints.searchCustomers, { body }, { token: token(shanghai) });
    const byPhone = await search({ by: 'phone', phone });
    expect(byPhone.status).toBe(200);
    expect(byPhone.body.customers.map((c) => c.memberCode)).toEqual([member]);
    expect(codes(await pullNew(shanghai))).toEqual([member]);
    const byCode = await search({ by: 'memberCode', memberCode: member! });
    expect(byCode.body.customers.map((c) => c.memberCode)).toEqual([member]);
    const byTail = await search({ by: 'tailName', phoneLast4: phone.slice(-4), name: '远方会员' });
    expect(byTail.body.customers.map((c) => c.memberCode)).toEqual([member]);
    // Already in scope: found again, nothing new in the feed.
    expect(await pullNew(shanghai)).toEqual([]);
    const none = await search({ by: 'memberCode', memberCode: 'NO-SUCH-CODE' });
    expect(none.status).toBe(200);
    expect(none.body.customers).toEqual([]);
    // Four searches this hour: the fifth is refused before anything is looked up.
    const refused = await search({ by: 'phone', phone });
    expect(refused.status).toBe(429);
    expect(refused.error?.code).toBe('rate_limited');
    const audit = await callRoute(hub, endpoints.adminAudit, {
      query: { terminalId: shanghai.terminals[0]!.id },
    });
    const id = byPhone.body.customers[0]!.id;
    const searched = audit.body.items.filter((e) => e.action === 'customer_searched');
    expect(searched.map((e) => e.customerId ?? 'none').sort()).toEqual([id, id, id, 'none'].sort());
  });

  it('a registration that finds an existing member by phone brings them into this store', async () => {
    const here = await createStoreFixture(hub, { name: '成都', lat: 30.57, lng: 104.07 });
    await pullNew(here);
    const phone = nextPhone();
    const [member] = await importMembers([{ name: '老会员', phone }]);
    const r = await callRoute(
      hub,
      endpoints.registerCustomer,
      { body: { id: newId(), name: '老会员', phone } },
      { token: token(here) },
    );
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('existing');
    expect(codes(await pullNew(here))).toEqual([member]);
  });

  it('a merge brings the survivor into every store the merged-away member was in', async () => {
    const home = await createStoreFixture(hub, { name: '广州', lat: 23.13, lng: 113.26 });
    const away = await createStoreFixture(hub, { name: '深圳', lat: 22.54, lng: 114.06 });
    const [source, target] = await importMembers([{ name: '重复' }, { homeStoreId: home.storeId }]);
    await arrive(away, source!);
    const sourceId = idIn(await pullNew(away), source!);
    const targetId = idIn(await pullNew(home), target!);
    const r = await callRoute(hub, endpoints.mergeCustomers, {
      body: { sourceId, targetId },
    });
    expect(r.status).toBe(200);
    // The store that knew the duplicate: its merge tombstone, then the survivor, each once.
    const items = await pullNew(away);
    expect(items).toHaveLength(2);
    expect(items).toContainEqual({
      id: sourceId,
      seq: expect.any(String),
      deleted: true,
      mergedInto: targetId,
    });
    expect(codes(items.filter((i) => !isTomb(i)))).toEqual([target]);
    expect(await pullNew(away)).toEqual([]);
  });

  it('an erased member leaves every store that had them with the erasure tombstone', async () => {
    // Two fresh stores, so the cap of 3 the other cases filled plays no part.
    const home = await createStoreFixture(hub, { name: '南京', lat: 32.06, lng: 118.79 });
    const away = await createStoreFixture(hub, { name: '苏州', lat: 31.3, lng: 120.58 });
    const [member] = await importMembers([{ name: '要删除', homeStoreId: home.storeId }]);
    await arrive(away, member!);
    const customerId = idIn(await pullNew(home), member!);
    expect(codes(await pullNew(away))).toEqual([member]);
    const r = await callRoute(hub, endpoints.eraseCustomer, {
      body: { customerId, reason: 'request' },
    });
    expect(r.status).toBe(200);
    for (const store of [home, away])
      expect(await pullNew(store)).toEqual([
        { id: customerId, seq: expect.any(String), deleted: true, mergedInto: null },
      ]);
  });
});
