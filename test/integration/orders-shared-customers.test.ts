import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import { customerFeed, unique } from '../support/seed';
import type { HubProcess } from '../support/hub-process';

const PRICE = 9_900;

/**
 * Terminals that were offline all morning drain their queues at once, and the same regulars
 * bought at every counter: the batches update the same customers' summaries and convert the same
 * visits. Every order must be stored exactly once and no terminal may get a 500.
 */
describeOnBackends('orders: parallel batches sharing customers', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let members: { id: string; memberCode: string }[];
  const sku = `SKU-SHARED-${unique()}`;

  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
    const products = await callRoute(hub, endpoints.importProducts, {
      body: { products: [{ sku, name: '针织衫', category: '针织衫', price: PRICE }] },
    });
    expect(products.status).toBe(200);
    const crm = Array.from({ length: 8 }, () => {
      const n = unique().padStart(8, '0').slice(-8);
      // homed at the store, whose feed carries them
      const [crmId, name, memberCode] = [`crm-shared-${n}`, `顾客${n}`, `MS${n}`];
      return { crmId, name, memberCode, homeStoreId: store.storeId };
    });
    const seeded = await callRoute(hub, endpoints.importCustomers, { body: { customers: crm } });
    expect(seeded.body.results.every((r) => r.status === 'accepted')).toBe(true);
    const feed = await customerFeed(hub, store.terminals[0]!.token);
    members = crm.map((c) => ({
      id: feed.find((p) => p.memberCode === c.memberCode)!.id,
      memberCode: c.memberCode,
    }));
  });
  afterAll(() => backend.cleanup());

  it('stores every order exactly once, with no 500, when four counters upload at once', async () => {
    // Each member walked in today: the uploads below convert those visits while racing.
    for (const m of members) {
      const r = await callRoute(hub, endpoints.presence, {
        body: { customer: { memberCode: m.memberCode }, storeId: store.storeId, source: 'wifi' },
      });
      expect(r.status).toBe(202);
    }
    const orderFor = (terminal: number, customerId: string) => ({
      id: newId(),
      storeId: store.storeId,
      terminalId: store.terminals[terminal]!.id,
      guideId: store.guide.id,
      customerId,
      paymentMethod: 'wechat' as const,
      createdAt: new Date().toISOString(),
      lines: [{ sku, quantity: 1, unitPrice: PRICE, discount: 0 }],
    });
    // Four uploads (two per counter), each walking the same members in a different order.
    const batches = [0, 1, 2, 3].map((b) => {
      const order = b % 2 ? [...members].reverse() : members;
      const rotated = [...order.slice(b), ...order.slice(0, b)];
      return {
        terminal: b % 2,
        orders: Array.from({ length: 120 }, (_, i) =>
          orderFor(b % 2, rotated[i % rotated.length]!.id),
        ),
      };
    });
    // A counter whose first upload timed out sends it again while the other counters upload:
    // the resend must come back as duplicates, never as a second copy.
    const resend = { terminal: 0, orders: [...batches[0]!.orders].reverse() };
    const uploads = [...batches, resend];
    const replies = await Promise.all(
      uploads.map((u) =>
        callRoute(
          hub,
          endpoints.postOrders,
          { body: { orders: u.orders } },
          { token: store.terminals[u.terminal]!.token },
        ),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(uploads.map(() => 200));

    const accepted = new Map<string, number>();
    for (const r of replies)
      for (const result of r.body.results) {
        expect(result.status).not.toBe('rejected');
        if (result.status === 'accepted')
          accepted.set(result.id, (accepted.get(result.id) ?? 0) + 1);
      }
    const ids = new Set(batches.flatMap((b) => b.orders.map((o) => o.id)));
    expect(accepted.size).toBe(ids.size);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);

    // Head office sees each member's purchases counted once: 480 orders over 8 members.
    const feed = await customerFeed(hub, store.terminals[0]!.token);
    const counted = members.map((m) => feed.find((p) => p.id === m.id)!.inStore);
    expect(counted.reduce((sum, s) => sum + s.storeOrders, 0)).toBe(ids.size);
    expect(counted.every((s) => s.storeOrders === ids.size / members.length)).toBe(true);
    expect(counted.every((s) => s.storeSpend === (ids.size / members.length) * PRICE)).toBe(true);

    // Each arrival converted once, by one of the racing uploads.
    const alerts = await callRoute(hub, endpoints.alerts, {}, { token: store.terminals[0]!.token });
    const converted = alerts.body.items.filter((a) => a.status === 'converted');
    expect(new Set(converted.map((a) => a.card.customerId))).toEqual(
      new Set(members.map((m) => m.id)),
    );
    expect(converted).toHaveLength(members.length);
  });
});
