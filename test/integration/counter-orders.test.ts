import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { endpoints, type Order, type StoreOrder } from '../../shared/protocol';
import { hubApi, must } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { TEST_ADMIN_KEY, type HubProcess } from '../support/hub-process';
import { runAdminCliHere } from '../support/run-cli';

/**
 * Orders at the counter (issue #16): the hub says why it refuses a terminal's order as a code the
 * terminal puts in the guide's language (and what the code is about) and keeps a guide's decision
 * to give up on a refused item in the audit trail (item 8); it reads a store's orders of a day
 * back for 今日订单 and reprints (item 2).
 */
describeOnBackends('orders at the counter', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let other: StoreFixture;

  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub, { name: '上海南京西路店' });
    other = await createStoreFixture(hub, { name: '杭州湖滨店' });
    await must(
      hubApi(hub).call(endpoints.importProducts, {
        body: {
          products: [
            { sku: 'COAT-M', name: '羊毛大衣 M', category: 'coat', price: 59_900 },
            {
              sku: 'TEE-BLU-XL',
              name: '棉T恤',
              category: 'tee',
              colour: '雾霾蓝',
              size: 'XL',
              price: 9_990,
            },
          ],
        },
      }),
    );
    await must(
      hubApi(hub).call(endpoints.adminDeactivateGuide, { params: { id: store.guide2.id } }),
    );
  });
  afterAll(() => backend.cleanup());

  const terminal = () => hubApi(hub, { token: store.terminals[0]!.token });
  const sale = (over: Partial<Order> = {}): Order => ({
    id: newId(),
    storeId: store.storeId,
    terminalId: store.terminals[0]!.id,
    guideId: store.guide.id,
    paymentMethod: 'wechat',
    createdAt: new Date().toISOString(),
    lines: [{ sku: 'COAT-M', quantity: 1, unitPrice: 59_900, discount: 0 }],
    ...over,
  });

  it('answers each refused order with a code, the English reason and what it is about', async () => {
    const stranger = newId();
    const orders = {
      ok: sale(),
      unknownSku: sale({
        lines: [
          { sku: 'COAT-M', quantity: 1, unitPrice: 59_900, discount: 0 },
          { sku: 'GONE-1', quantity: 1, unitPrice: 100, discount: 0 },
          { sku: 'GONE-2', quantity: 1, unitPrice: 100, discount: 0 },
        ],
      }),
      inactiveGuide: sale({ guideId: store.guide2.id }),
      otherGuide: sale({ guideId: other.guide.id }),
      unknownCustomer: sale({ customerId: stranger }),
      otherStore: sale({ storeId: other.storeId }),
      otherTerminal: sale({ terminalId: store.terminals[1]!.id }),
      unknownAlert: sale({ alertId: newId() }),
    };
    const { results } = await must(
      terminal().call(endpoints.postOrders, { body: { orders: Object.values(orders) } }),
    );
    const by = new Map(results.map((r) => [r.id, r]));
    expect(by.get(orders.ok.id)).toEqual({ id: orders.ok.id, status: 'accepted' });
    expect(by.get(orders.unknownSku.id)).toEqual({
      id: orders.unknownSku.id,
      status: 'rejected',
      code: 'unknown_sku',
      reason: 'unknown SKU: GONE-1, GONE-2',
      about: ['GONE-1', 'GONE-2'],
    });
    expect(by.get(orders.inactiveGuide.id)).toMatchObject({
      code: 'guide_inactive',
      about: [store.guide2.id],
    });
    expect(by.get(orders.otherGuide.id)).toMatchObject({ code: 'guide_inactive' });
    expect(by.get(orders.unknownCustomer.id)).toMatchObject({
      code: 'unknown_customer',
      about: [stranger],
    });
    expect(by.get(orders.otherStore.id)).toMatchObject({ code: 'wrong_store' });
    expect(by.get(orders.otherTerminal.id)).toMatchObject({ code: 'wrong_terminal' });
    expect(by.get(orders.unknownAlert.id)).toMatchObject({ code: 'alert_not_in_store' });
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason, r.code).toMatch(/^[\x20-\x7e]+$/);

    // The corrected order goes under the same id: the refused one was never stored.
    const fixed = { ...orders.unknownSku, lines: orders.unknownSku.lines.slice(0, 1) };
    const again = await must(terminal().call(endpoints.postOrders, { body: { orders: [fixed] } }));
    expect(again.results).toEqual([{ id: fixed.id, status: 'accepted' }]);
  });

  it('keeps a discarded item in the audit trail with which, why and its total; only with a detail', async () => {
    const discarded = {
      id: newId(),
      action: 'outbox_discarded' as const,
      guideId: store.manager.id,
      customerId: null,
      at: new Date().toISOString(),
      detail: {
        outboxId: newId(),
        kind: 'order' as const,
        rejectCode: 'unknown_sku' as const,
        discardReason: 'cancelled' as const,
        total: 79_400,
      },
    };
    const { detail, ...bare } = discarded;
    const { results } = await must(
      terminal().call(endpoints.postAudit, { body: { entries: [discarded] } }),
    );
    expect(results).toEqual([{ id: discarded.id, status: 'accepted' }]);
    const trail = await must(
      hubApi(hub).call(endpoints.adminAudit, {
        query: { terminalId: store.terminals[0]!.id, limit: 10 },
      }),
    );
    const row = trail.items.find((i) => i.id === discarded.id);
    expect(row).toMatchObject({
      action: 'outbox_discarded',
      source: 'terminal',
      guide: { id: store.manager.id },
      detail: discarded.detail,
    });
    expect(trail.items.filter((i) => i.id !== discarded.id).every((i) => i.detail === null)).toBe(
      true,
    );
    // IT reads it in the admin CLI's table too.
    const table = await runAdminCliHere(
      ['audit', '--terminal', store.terminals[0]!.id, '--url', hub.url],
      { HUB_ADMIN_KEY: TEST_ADMIN_KEY },
    );
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(
      `outbox_discarded: order ¥794.00 cancelled (hub: unknown_sku) ${detail.outboxId.slice(0, 8)}`,
    );

    // A discard without its detail, a detail on another action, free text in it: refused.
    for (const entry of [
      { ...bare, id: newId() },
      { ...discarded, id: newId(), action: 'csv_export' },
      { ...discarded, id: newId(), detail: { ...detail, note: '王芳 138…' } },
    ]) {
      const answer = await terminal().call(endpoints.postAudit, {
        body: { entries: [entry] },
      } as never);
      expect(answer.ok, JSON.stringify(entry)).toBe(false);
      expect(!answer.ok && answer.error.reason).toBe('invalid_input');
    }
  });

  it('reads back a store-local day of the store’s orders, newest first, by terminal or guide', async () => {
    // 2026-11-02 in Shanghai (UTC+8) is [2026-11-01T16:00Z, 2026-11-02T16:00Z).
    const at = (iso: string, over: Partial<Order> = {}) => sale({ createdAt: iso, ...over });
    const before = at('2026-11-01T15:59:59.999Z');
    const first = at('2026-11-01T16:00:00.000Z', {
      lines: [
        { sku: 'COAT-M', quantity: 2, unitPrice: 59_900, discount: 1_000 },
        { sku: 'COAT-M', quantity: 1, unitPrice: 59_900, discount: 0 },
      ],
    });
    const second = at('2026-11-02T09:30:00.000Z', {
      terminalId: store.terminals[1]!.id,
      guideId: store.manager.id,
      paymentMethod: 'cash',
    });
    const last = at('2026-11-02T15:59:59.999Z');
    const after = at('2026-11-02T16:00:00.000Z');
    for (const [i, o] of [before, first, last, after].entries())
      expect(
        (await must(terminal().call(endpoints.postOrders, { body: { orders: [o] } }))).results,
        String(i),
      ).toEqual([{ id: o.id, status: 'accepted' }]);
    await must(
      hubApi(hub, { token: store.terminals[1]!.token }).call(endpoints.postOrders, {
        body: { orders: [second] },
      }),
    );
    // Another store's order on the same day never shows.
    const elsewhere = {
      ...at('2026-11-02T09:00:00.000Z'),
      storeId: other.storeId,
      terminalId: other.terminals[0]!.id,
      guideId: other.guide.id,
    };
    await must(
      hubApi(hub, { token: other.terminals[0]!.token }).call(endpoints.postOrders, {
        body: { orders: [elsewhere] },
      }),
    );

    const day = await must(
      terminal().call(endpoints.storeOrders, { query: { date: '2026-11-02' } }),
    );
    expect(day).toMatchObject({ date: '2026-11-02', timezone: 'Asia/Shanghai', hasMore: false });
    expect(day.orders.map((o) => o.id)).toEqual([last.id, second.id, first.id]);
    // 2 × 59,900 − 1,000 + 59,900, by hand.
    expect(day.orders[2]).toEqual({
      id: first.id,
      createdAt: '2026-11-01T16:00:00.000Z',
      terminal: { id: store.terminals[0]!.id, name: 'Counter 1' },
      guide: { id: store.guide.id, name: store.guide.name },
      customerId: null,
      paymentMethod: 'wechat',
      total: 178_700,
      units: 3,
      lines: [
        {
          sku: 'COAT-M',
          name: '羊毛大衣 M',
          size: null,
          colour: null,
          quantity: 2,
          unitPrice: 59_900,
          discount: 1_000,
        },
        {
          sku: 'COAT-M',
          name: '羊毛大衣 M',
          size: null,
          colour: null,
          quantity: 1,
          unitPrice: 59_900,
          discount: 0,
        },
      ],
      // Nothing came back (after-sale, #16 item 1).
      afterSale: { refunded: 0, returnedUnits: 0, voided: false, returnedByLine: [0, 0] },
    });
    const byTerminal = await must(
      terminal().call(endpoints.storeOrders, {
        query: { date: '2026-11-02', terminalId: store.terminals[1]!.id },
      }),
    );
    expect(byTerminal.orders.map((o) => o.id)).toEqual([second.id]);
    const byGuide = await must(
      terminal().call(endpoints.storeOrders, {
        query: { date: '2026-11-02', guideId: store.guide.id },
      }),
    );
    expect(byGuide.orders.map((o) => o.id)).toEqual([last.id, first.id]);

    // One order by id (a scanned receipt): this store's, never another's.
    expect(
      (await must(terminal().call(endpoints.storeOrder, { params: { orderId: second.id } }))).guide,
    ).toEqual({ id: store.manager.id, name: store.manager.name });
    const foreign = await terminal().call(endpoints.storeOrder, {
      params: { orderId: elsewhere.id },
    });
    expect(!foreign.ok && foreign.error.status).toBe(404);
  });

  it('reads back each line with its colour and size, by day and by id', async () => {
    const order = sale({
      createdAt: '2026-11-03T02:00:00.000Z',
      lines: [
        { sku: 'TEE-BLU-XL', quantity: 2, unitPrice: 9_990, discount: 0 },
        { sku: 'COAT-M', quantity: 1, unitPrice: 59_900, discount: 0 },
      ],
    });
    expect(
      (await must(terminal().call(endpoints.postOrders, { body: { orders: [order] } }))).results,
    ).toEqual([{ id: order.id, status: 'accepted' }]);
    const variants = (o: StoreOrder | undefined) =>
      o?.lines.map(({ sku, name, colour, size }) => ({ sku, name, colour, size }));
    const expected = [
      { sku: 'TEE-BLU-XL', name: '棉T恤', colour: '雾霾蓝', size: 'XL' },
      { sku: 'COAT-M', name: '羊毛大衣 M', colour: null, size: null },
    ];
    const day = await must(
      terminal().call(endpoints.storeOrders, { query: { date: '2026-11-03' } }),
    );
    expect(variants(day.orders.find((o) => o.id === order.id))).toEqual(expected);
    expect(
      variants(
        await must(terminal().call(endpoints.storeOrder, { params: { orderId: order.id } })),
      ),
    ).toEqual(expected);
  });
});
