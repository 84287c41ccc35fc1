import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints, type DayStats, type EraseRequest } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import { rawCall, routePath } from '../support/http';
import type { HubProcess } from '../support/hub-process';
import { customerFeed, seedCrmCustomers, seedProducts, unique } from '../support/seed';
import { orderFor } from './terminal-harness';

type ErrorReply = { error: { code: string; message: string } };

/**
 * Right to erasure: head office erases a customer on request. Personal data leaves the hub and
 * every terminal (a deletion tombstone in the feed); the store's orders and visits stay, so the
 * day's figures do not move.
 */
describeOnBackends('customers: erasure on request', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let token: string;
  let erased: string;
  let kept: string;
  let phone: string;
  const sku = `SKU-ERASE-${unique()}`;
  const erase = (body: EraseRequest) => callRoute(hub, endpoints.eraseCustomer, { body });
  /** Raw on purpose: broken bodies and the call without the integration key. */
  const rawErase = (body: unknown, integration = true) =>
    rawCall<ErrorReply>(hub, 'POST', routePath(endpoints.eraseCustomer), body, { integration });
  const date = () =>
    new Intl.DateTimeFormat('en-CA', { timeZone: store.timezone }).format(new Date());
  const dayStats = async () =>
    (
      await callRoute(
        hub,
        endpoints.storeStats,
        { params: { storeId: store.storeId }, query: { date: date() } },
        { token },
      )
    ).body as DayStats;

  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
    token = store.terminals[0]!.token;
    await seedProducts(hub, [{ sku, price: 25_000, stock: { [store.storeId]: 5 } }]);
    kept = (await seedCrmCustomers(hub, token, 1, 'E'))[0]!;
    // The customer to erase, with a number we know (the feed only ever shows it masked).
    phone = `139${unique().padStart(8, '0').slice(-8)}`;
    const memberCode = `MERASE${unique()}`;
    const crm = await callRoute(hub, endpoints.importCustomers, {
      body: {
        customers: [
          // homed at the store, whose feed carries her
          {
            crmId: `crm-erase-${unique()}`,
            name: '王芳',
            phone,
            memberCode,
            homeStoreId: store.storeId,
          },
        ],
      },
    });
    expect(crm.body.results[0]?.status).toBe('accepted');
    erased = (await customerFeed(hub, token)).find((c) => c.memberCode === memberCode)!.id;
    // An online trail, an arrival with its alert, and an order: everything erasure must handle.
    const events = await callRoute(hub, endpoints.onlineEvents, {
      body: {
        events: [
          {
            id: `ev-${unique()}`,
            customer: { customerId: erased },
            type: 'viewed',
            sku,
            channel: 'app',
            at: new Date().toISOString(),
          },
        ],
      },
    });
    expect(events.status).toBe(200);
    const presence = await callRoute(hub, endpoints.presence, {
      body: {
        customer: { customerId: erased },
        storeId: store.storeId,
        source: 'wifi',
        at: new Date().toISOString(),
      },
    });
    expect(presence.status).toBe(202);
    const order = await callRoute(
      hub,
      endpoints.postOrders,
      {
        body: {
          orders: [
            orderFor(store, sku, {
              customerId: erased,
              lines: [{ sku, quantity: 1, unitPrice: 25_000, discount: 0 }],
            }),
          ],
        },
      },
      { token },
    );
    expect(order.body.results[0]?.status).toBe('accepted');
  }, 120_000);

  afterAll(() => backend.cleanup());

  it('refuses a caller without the integration key, a bad body and an unknown customer', async () => {
    expect((await rawErase({ customerId: erased, reason: 'request' }, false)).status).toBe(401);
    const bad = await rawErase({ customerId: 'not-a-uuid' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect((await rawErase({ customerId: erased })).status).toBe(400); // reason is required
    const unknown = await erase({ customerId: newId(), reason: 'request' });
    expect(unknown.status).toBe(404);
    expect(unknown.error?.code).toBe('not_found');
  });

  it('wipes the customer everywhere terminals see it, and the store figures stay', async () => {
    const before = await dayStats();
    expect(before.orders).toBe(1);
    const alertsBefore = await callRoute(hub, endpoints.alerts, {}, { token });
    expect(alertsBefore.body.items.some((a) => a.card.customerId === erased)).toBe(true);
    const feedBefore = await callRoute(
      hub,
      endpoints.syncCustomers,
      { query: { limit: 5000, withTotal: false } },
      { token },
    );

    const r = await erase({ customerId: erased, reason: '顾客申请删除个人信息' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'erased',
      tombstone: { id: erased, seq: expect.any(String), deleted: true, mergedInto: null },
    });

    // Terminals get a deletion tombstone and no longer any profile for the customer.
    const changes = await callRoute(
      hub,
      endpoints.syncCustomers,
      { query: { after: feedBefore.body.cursor, limit: 5000 } },
      { token },
    );
    expect(changes.body.items).toEqual([
      { id: erased, seq: r.body.tombstone.seq, deleted: true, mergedInto: null },
    ]);
    const live = await customerFeed(hub, token);
    expect(live.map((c) => c.id)).not.toContain(erased);
    expect(live.map((c) => c.id)).toContain(kept);
    // The alert that showed the customer is no longer served to a catching-up terminal.
    const alertsAfter = await callRoute(hub, endpoints.alerts, {}, { token });
    expect(alertsAfter.body.items.some((a) => a.card.customerId === erased)).toBe(false);
    // The day's figures are unchanged (the order stays, anonymous).
    const after = await dayStats();
    expect({ orders: after.orders, revenue: after.revenue }).toEqual({
      orders: before.orders,
      revenue: before.revenue,
    });
  });

  it('answers a resend with already_erased and changes nothing', async () => {
    const feed = await callRoute(
      hub,
      endpoints.syncCustomers,
      { query: { limit: 5000, withTotal: false } },
      { token },
    );
    const again = await erase({ customerId: erased, reason: 'resend' });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('already_erased');
    const after = await callRoute(
      hub,
      endpoints.syncCustomers,
      { query: { after: feed.body.cursor, limit: 5000 } },
      { token },
    );
    expect(after.body.items).toEqual([]);
  });

  it('frees the phone number: registering it again creates a new customer', async () => {
    const reg = await callRoute(
      hub,
      endpoints.registerCustomer,
      { body: { id: newId(), name: '新顾客', phone } },
      { token },
    );
    expect(reg.status).toBe(201);
    expect(reg.body.status).toBe('created');
    expect(reg.body.customer.id).not.toBe(erased);
    expect(reg.body.customer.name).toBe('新顾客');
  });

  it('refuses to erase a duplicate already merged away (erase the survivor instead)', async () => {
    const [source, target] = await seedCrmCustomers(hub, token, 2, 'M');
    const merged = await callRoute(hub, endpoints.mergeCustomers, {
      body: { sourceId: source!, targetId: target! },
    });
    expect(merged.status).toBe(200);
    const r = await erase({ customerId: source!, reason: 'request' });
    expect(r.status).toBe(409);
    expect(r.error?.message).toContain(target!);
    // Erasing the survivor takes the merged duplicate's data with it and still answers once.
    expect((await erase({ customerId: target!, reason: 'request' })).body.status).toBe('erased');
  });
});
