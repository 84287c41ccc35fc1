import type { z } from 'zod';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import {
  MAX_COUNT,
  MAX_LINES_PER_ORDER,
  MAX_ORDER_TOTAL_FEN,
  MAX_POINTS,
  MAX_QUANTITY_PER_LINE,
  MAX_SPEND_FEN,
  MAX_UNIT_PRICE_FEN,
} from '../../shared/domain/limits';
import type { onlineEvent, order } from '../../shared/protocol';
import {
  endpoints,
  dayStats,
  type CustomerFeedItem,
  type CustomerProfile,
} from '../../shared/protocol';
import { memorySecretStore } from '../../renderer/data/secret-store';
import { createHttpHubClient } from '../../renderer/sync/http-hub-client';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import { callRoute } from '../support/api';
import type { HubProcess } from '../support/hub-process';
import { seedCrmCustomers, seedProducts, unique } from '../support/seed';

type ErrorReply = { error: { code: string; message: string; details?: { path: string }[] } };

/** How many maximal orders and maximal online orders one customer gets: past every ceiling. */
const MAX_ORDERS = Math.ceil(MAX_SPEND_FEN / MAX_ORDER_TOTAL_FEN) + 4; // 55
const ORDERS_PER_CALL = 20; // 20 maximal orders ≈ 0.5 MiB of JSON, under the 1 MiB body limit

/** The fields a 400 names (`body`: the hub's error answer as sent). */
const fieldsOf = (body: unknown) => ((body as ErrorReply).error.details ?? []).map((d) => d.path);

/**
 * Issue #12, "numbers that cannot be poisoned": an order of 10,000 × 1e11 fen used to be accepted
 * and push the customer's lifetime spend past the range terminals validate, stopping customer
 * sync on every terminal of the chain for good. Now the ingest refuses it with the field named,
 * and no run of valid orders and events can leave the feed's range (the hub saturates).
 */
describeOnBackends('number limits', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let token: string;
  let customerId: string;
  const product = { sku: `SKU-MAX-${unique()}`, price: MAX_UNIT_PRICE_FEN };

  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
    token = store.terminals[0]!.token;
    await seedProducts(hub, [product]);
    customerId = (await seedCrmCustomers(hub, token, 1, 'N'))[0]!;
  });
  afterAll(() => backend.cleanup());

  const orderOf = (lines: { quantity: number; unitPrice: number }[], at = new Date()) => ({
    id: newId(),
    storeId: store.storeId,
    terminalId: store.terminals[0]!.id,
    guideId: store.guide.id,
    customerId,
    paymentMethod: 'card' as const,
    createdAt: at.toISOString(),
    lines: lines.map((l) => ({ sku: product.sku, discount: 0, ...l })),
  });
  const postOrders = (orders: z.input<typeof order>[]) =>
    callRoute(hub, endpoints.postOrders, { body: { orders } }, { token });
  const postEvents = (events: z.input<typeof onlineEvent>[]) =>
    callRoute(hub, endpoints.onlineEvents, { body: { events } });
  const onlineOrder = (amount: number) => ({
    id: `evt-${newId()}`,
    customer: { customerId },
    type: 'ordered' as const,
    channel: 'app' as const,
    at: new Date().toISOString(),
    amount,
  });

  /** The customer as a terminal that has never synced pulls it, through the terminal's client. */
  async function freshTerminalPull(terminalToken: string) {
    const client = createHttpHubClient({
      baseUrl: hub.url,
      secrets: memorySecretStore({ token: terminalToken }),
    });
    const items: CustomerFeedItem[] = [];
    const rejects: unknown[] = [];
    let after = '0';
    for (let round = 0; round < 100; round++) {
      const page = await client.pullCustomers(after, 1000, false);
      if (!page.ok) throw new Error(`${page.error.code}: ${page.error.message}`);
      items.push(...page.value.items);
      rejects.push(...(page.value.rejects ?? []));
      after = page.value.cursor;
      if (!page.value.hasMore) break;
    }
    const profile = items.find(
      (i): i is CustomerProfile => i.id === customerId && !('deleted' in i),
    );
    return { profile, rejects, count: items.length };
  }

  it('refuses the poisoning order (10,000 × 1e11 fen) with the fields named; nothing stored', async () => {
    const r = await postOrders([orderOf([{ quantity: 10_000, unitPrice: 100_000_000_000 }])]);
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe('invalid_input');
    expect(fieldsOf(r.body)).toEqual(['orders.0.lines.0.quantity', 'orders.0.lines.0.unitPrice']);
    expect(JSON.stringify(r.error?.details)).toContain('at most 999 a line');
    const { profile } = await freshTerminalPull(token);
    expect(profile?.inStore.storeOrders).toBe(0);

    // One over each limit, one field at a time.
    const overLines = orderOf(
      Array.from({ length: MAX_LINES_PER_ORDER + 1 }, () => ({ quantity: 1, unitPrice: 100 })),
    );
    expect(fieldsOf((await postOrders([overLines])).body)).toEqual(['orders.0.lines']);
    const overQty = orderOf([{ quantity: MAX_QUANTITY_PER_LINE + 1, unitPrice: 100 }]);
    expect(fieldsOf((await postOrders([overQty])).body)).toEqual(['orders.0.lines.0.quantity']);
    const overPrice = orderOf([{ quantity: 1, unitPrice: MAX_UNIT_PRICE_FEN + 1 }]);
    expect(fieldsOf((await postOrders([overPrice])).body)).toEqual(['orders.0.lines.0.unitPrice']);
  });

  it('refuses out-of-range numbers on the integration routes with the field named', async () => {
    const event = await postEvents([onlineOrder(MAX_ORDER_TOTAL_FEN + 1)]);
    expect(event.status).toBe(400);
    expect(fieldsOf(event.body)).toEqual(['events.0.amount']);

    const products = await callRoute(hub, endpoints.importProducts, {
      body: {
        products: [
          { sku: `SKU-X-${unique()}`, name: 'x', category: 'x', price: MAX_UNIT_PRICE_FEN + 1 },
        ],
      },
    });
    expect(products.status).toBe(400);
    expect(fieldsOf(products.body)).toEqual(['products.0.price']);

    const crm = await callRoute(hub, endpoints.importCustomers, {
      body: { customers: [{ crmId: `crm-${unique()}`, name: '测试', points: MAX_POINTS + 1 }] },
    });
    expect(crm.status).toBe(400);
    expect(fieldsOf(crm.body)).toEqual(['customers.0.points']);

    const footfall = await callRoute(hub, endpoints.footfall, {
      body: { storeId: store.storeId, at: new Date().toISOString(), count: 1e9 },
    });
    expect(footfall.status).toBe(400);
    expect(fieldsOf(footfall.body)).toEqual(['count']);
  });

  it(`${MAX_ORDERS} maximal orders and online orders later, a fresh terminal's feed still validates`, async () => {
    // One instant for all of them, so they fall on one store day however slow the machine is.
    const at = new Date();
    const maximal = () =>
      orderOf(
        Array.from({ length: MAX_LINES_PER_ORDER }, () => ({
          quantity: MAX_QUANTITY_PER_LINE,
          unitPrice: MAX_UNIT_PRICE_FEN,
        })),
        at,
      );
    for (let sent = 0; sent < MAX_ORDERS; sent += ORDERS_PER_CALL) {
      const batch = Array.from({ length: Math.min(ORDERS_PER_CALL, MAX_ORDERS - sent) }, maximal);
      const r = await postOrders(batch);
      expect(r.status).toBe(200);
      expect(r.body.results.every((x) => x.status === 'accepted')).toBe(true);
    }
    const events = Array.from({ length: MAX_ORDERS }, () => onlineOrder(MAX_ORDER_TOTAL_FEN));
    const e = await postEvents(events);
    expect(e.status).toBe(200);
    expect(e.body.results.every((x) => x.status === 'accepted')).toBe(true);

    // The second terminal has never synced: it pulls the whole feed and sets nothing aside.
    const { profile, rejects } = await freshTerminalPull(store.terminals[1]!.token);
    expect(rejects).toEqual([]);
    expect(profile).toBeDefined();
    expect(profile!.inStore.storeOrders).toBe(MAX_ORDERS);
    expect(profile!.online.onlineOrders).toBe(MAX_ORDERS);
    // Each sum went past its ceiling and saturated there.
    expect(MAX_ORDERS * MAX_ORDER_TOTAL_FEN).toBeGreaterThan(MAX_SPEND_FEN);
    expect(profile!.inStore.storeSpend).toBe(MAX_SPEND_FEN);
    expect(profile!.online.onlineSpend).toBe(MAX_SPEND_FEN);
    expect(profile!.lifetimeSpend).toBe(MAX_SPEND_FEN);
    expect(profile!.inStore.lastPurchases[0]!.total).toBe(MAX_ORDER_TOTAL_FEN);
    expect(profile!.points).toBeLessThanOrEqual(MAX_POINTS);
    expect(profile!.inStore.storeOrders).toBeLessThanOrEqual(MAX_COUNT);

    // The store's figures for the day sum the same orders: saturated, and valid for the
    // terminal's dashboard (units and revenue used to be summed into a 32-bit int and a bigint).
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: store.timezone }).format(at);
    const stats = await callRoute(
      hub,
      endpoints.storeStats,
      { params: { storeId: store.storeId }, query: { date: day } },
      { token },
    );
    expect(stats.status).toBe(200);
    const figures = dayStats.parse(stats.body);
    expect(figures.orders).toBe(MAX_ORDERS);
    expect(figures.units).toBe(MAX_ORDERS * MAX_LINES_PER_ORDER * MAX_QUANTITY_PER_LINE);
    expect(figures.revenue).toBe(MAX_SPEND_FEN);
  });

  it('takes a terminal report of rows it set aside, and logs it without the row values', async () => {
    const reject = {
      feed: 'customers' as const,
      id: customerId,
      seq: '12',
      reason: 'lifetimeSpend: a spend in fen must be at most 1,000,000,000,000,000',
      at: new Date().toISOString(),
    };
    const ok = await callRoute(
      hub,
      endpoints.syncRejects,
      { body: { rejects: [reject] } },
      { token },
    );
    expect(ok).toEqual({ status: 200, body: { recorded: 1 } });
    expect(
      (await rawCall(hub, 'POST', routePath(endpoints.syncRejects), { rejects: [reject] })).status,
    ).toBe(401);
    // raw on purpose: a feed the schema does not know
    const bad = await rawCall(
      hub,
      'POST',
      routePath(endpoints.syncRejects),
      { rejects: [{ ...reject, feed: 'orders' }] },
      { token },
    );
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['rejects.0.feed']);
    // A phone number smuggled into a reason by a modified terminal is masked in the log.
    await callRoute(
      hub,
      endpoints.syncRejects,
      { body: { rejects: [{ ...reject, reason: 'name: bad, phone 13812345678' }] } },
      { token },
    );
    const lines = () => hub.logs.filter((l) => l.msg === 'terminal set a feed row aside');
    await expect.poll(() => lines().length, { timeout: 10_000 }).toBe(2);
    expect(lines()[0]).toMatchObject({ feed: 'customers', id: customerId, seq: '12' });
    expect(JSON.stringify(hub.logs)).not.toContain('13812345678');
  });
});
