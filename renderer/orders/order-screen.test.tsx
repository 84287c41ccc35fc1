// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { order as orderSchema } from '../../shared/protocol';
import { useAppStore } from '../core/store';
import { customerById, putCanonicalCustomer } from '../data/customers';
import { toProfile } from '../data/customer-rows';
import { enqueueRegistration, recordResults } from '../data/outbox';
import { openOutboxEntries } from '../data/outbox-rows';
import { memorySecretStore } from '../data/secret-store';
import { makeAlert, makeProduct, makeProfile, TEST_PHONE_KEY } from '../data/testing';
import { createHarness, scanBurst } from '../testing/screen-testing';
import { RegisterScreen } from '../customers/register-screen';
import { OrderScreen } from './order-screen';

afterEach(cleanup);

async function setup(options: { online?: boolean; signedIn?: boolean } = {}) {
  const h = createHarness(options);
  const coat = makeProduct({
    sku: 'COAT-M',
    barcode: '6901234567892',
    name: '羊毛大衣',
    colour: '驼色',
    size: 'M',
    price: 129_900,
    stock: 3,
  });
  const tee = makeProduct({
    sku: 'TEE-S',
    barcode: '6900000000011',
    name: '棉T恤',
    colour: '白色',
    size: 'S',
    price: 9_990,
  });
  const old = makeProduct({ sku: 'OLD-1', name: '旧款外套', active: false });
  await h.seedProducts([coat, tee, old]);
  const wang = await makeProfile({ name: '王芳', phone: '+8613812345678' });
  await h.seedCustomers([wang]);
  return { h, coat, tee, wang };
}

const scan = scanBurst;

const lines = () => screen.getByRole('table', { name: '订单商品' });
const total = () => screen.getByRole('status', { name: '合计' });
const addBox = () => screen.getByRole('searchbox', { name: '扫码或输入 SKU / 条码 / 商品名' });

describe('OrderScreen', () => {
  it('starts empty with confirm disabled', async () => {
    const { h } = await setup();
    h.show(<OrderScreen />);
    expect(screen.getByText('还没有商品：扫描吊牌条码或输入 SKU')).toBeTruthy();
    expect(screen.getByRole('button', { name: '确认下单' })).toHaveProperty('disabled', true);
    expect(screen.getByText('散客（未关联会员）')).toBeTruthy();
    expect(total().textContent).toBe('¥0.00');
  });

  it('adds an item by barcode scan; a second scan raises the quantity', async () => {
    const { h } = await setup();
    h.show(<OrderScreen />);
    scan('6901234567892');
    await waitFor(() => expect(lines().textContent).toContain('羊毛大衣'));
    scan('6901234567892');
    await waitFor(() => expect(total().textContent).toBe('¥2,598.00'));
    expect(within(lines()).getByRole('status', { name: '数量' }).textContent).toBe('2');
  });

  it('adds by typed SKU, and by searching the catalog by name', async () => {
    const { h } = await setup();
    h.show(<OrderScreen />);
    await userEvent.type(addBox(), 'TEE-S{Enter}');
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    expect(addBox()).toHaveProperty('value', '');

    await userEvent.type(addBox(), '大衣');
    const suggestions = await screen.findByRole('list', { name: '商品搜索结果' });
    expect(suggestions.textContent).toContain('本店库存 3');
    expect(suggestions.textContent).not.toContain('旧款外套');
    await userEvent.click(within(suggestions).getByRole('button', { name: /羊毛大衣/ }));
    await waitFor(() => expect(lines().textContent).toContain('羊毛大衣'));
    expect(total().textContent).toBe('¥1,398.90');
  });

  it('attaches the member whose QR is scanned at the order screen', async () => {
    const { h, wang } = await setup();
    h.show(<OrderScreen />);
    scan(wang.memberCode);
    await waitFor(() => expect(useAppStore.getState().orderDraft.customerId).toBe(wang.id));
    expect(await screen.findByText('王芳')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says so when a code is unknown or the product is no longer sold', async () => {
    const { h } = await setup();
    h.show(<OrderScreen />);
    await userEvent.type(addBox(), 'NOPE-9{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('没有找到商品“NOPE-9”');
    await userEvent.clear(addBox());
    await userEvent.type(addBox(), 'OLD-1{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('该商品已下架');
  });

  it('changes quantities with −/+ and applies a typed yuan discount in fen', async () => {
    const { h } = await setup();
    h.show(<OrderScreen />);
    await userEvent.type(addBox(), 'TEE-S{Enter}');
    await userEvent.click(await screen.findByRole('button', { name: '增加 棉T恤 白色 · S 数量' }));
    await userEvent.click(screen.getByRole('button', { name: '增加 棉T恤 白色 · S 数量' }));
    expect(total().textContent).toBe('¥299.70');
    await userEvent.click(screen.getByRole('button', { name: '减少 棉T恤 白色 · S 数量' }));
    expect(total().textContent).toBe('¥199.80');

    const discount = screen.getByRole('textbox', { name: '棉T恤 白色 · S 优惠金额（元）' });
    await userEvent.type(discount, '19.9');
    expect(total().textContent).toBe('¥179.90');
    expect(screen.getByText('已优惠 ¥19.90')).toBeTruthy();

    await userEvent.clear(discount);
    await userEvent.type(discount, '1.234');
    expect(screen.getByRole('alert').textContent).toBe('优惠金额无效');
    await userEvent.clear(discount);
    await userEvent.type(discount, '500');
    expect(screen.getByRole('alert').textContent).toBe('优惠不能超过该行金额');
    // Invalid amounts never reach the order.
    expect(useAppStore.getState().orderDraft.lines[0]!.discount).toBeLessThanOrEqual(19_980);
  });

  it('reads each line by colour and size, the SKU small and grey beneath', async () => {
    const { h } = await setup();
    const style = { name: 'V领基础T恤', styleCode: 'SGTS05', price: 19_900 };
    await h.seedProducts([
      makeProduct({ ...style, sku: 'SGTS05-BLU-XL', colour: '雾霾蓝', size: 'XL' }),
      makeProduct({ ...style, sku: 'SGTS05-BLK-M', colour: '黑色', size: 'M' }),
    ]);
    h.show(<OrderScreen />);
    await userEvent.type(addBox(), 'SGTS05-BLU-XL{Enter}');
    await userEvent.type(addBox(), 'SGTS05-BLK-M{Enter}');
    await waitFor(() => expect(within(lines()).getAllByRole('row')).toHaveLength(3));
    const [blue, black] = within(lines()).getAllByRole('rowheader');
    expect(blue!.textContent).toBe('V领基础T恤 雾霾蓝 · XL SGTS05-BLU-XL · ¥199.00');
    expect(black!.textContent).toBe('V领基础T恤 黑色 · M SGTS05-BLK-M · ¥199.00');
    expect(within(blue!).getByText(/SGTS05-BLU-XL/).tagName).toBe('SMALL');
    // The two lines of one style are told apart by what a person sees, buttons included.
    expect(screen.getByRole('button', { name: '移除 V领基础T恤 雾霾蓝 · XL' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '增加 V领基础T恤 黑色 · M 数量' })).toBeTruthy();
  });

  it('confirm writes the order to the outbox with fen totals, the guide, customer, alert and payment', async () => {
    const { h, wang } = await setup();
    const alertId = newId();
    h.show(<OrderScreen customerId={wang.id} alertId={alertId} addSku="COAT-M" />);
    await waitFor(() => expect(lines().textContent).toContain('羊毛大衣'));
    expect(await screen.findByText('王芳')).toBeTruthy();
    expect(screen.getByText('来自到店提醒')).toBeTruthy();
    scan('6900000000011');
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    await userEvent.type(
      screen.getByRole('textbox', { name: '羊毛大衣 驼色 · M 优惠金额（元）' }),
      '100.5',
    );
    await userEvent.click(screen.getByRole('radio', { name: '支付宝' }));
    expect(total().textContent).toBe('¥1,298.40');

    await userEvent.click(screen.getByRole('button', { name: '确认下单' }));
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('receipt'));

    const [entry] = await openOutboxEntries(h.db.sealer, await h.db.outbox.toArray());
    if (entry?.kind !== 'order') throw new Error('no order in the outbox');
    expect(orderSchema.safeParse(entry.order).success).toBe(true);
    // Online, confirming also asks the engine to send it: the (fake) hub gets this very order.
    await waitFor(async () => expect((await h.db.outbox.get(entry.id))?.status).toBe('synced'));
    expect(h.hub.orders.get(entry.id)).toEqual(entry.order);
    expect(entry.order).toMatchObject({
      storeId: h.storeId,
      terminalId: h.services.terminal.terminalId,
      guideId: h.guide.id,
      customerId: wang.id,
      alertId,
      paymentMethod: 'alipay',
      lines: [
        { sku: 'COAT-M', quantity: 1, unitPrice: 129_900, discount: 10_050 },
        { sku: 'TEE-S', quantity: 1, unitPrice: 9_990, discount: 0 },
      ],
    });
    const sum = entry.order.lines.reduce((s, l) => s + l.quantity * l.unitPrice - l.discount, 0);
    expect(sum).toBe(129_840);
    expect(useAppStore.getState().screen).toEqual({ name: 'receipt', orderId: entry.id });
    // The basket is empty for the next customer.
    expect(useAppStore.getState().orderDraft.lines).toEqual([]);
  });

  it("credits the customer's recent arrival alert when the order starts from the 360", async () => {
    const { h, wang } = await setup();
    const alert = makeAlert({ at: '2026-11-02T09:50:00.000Z', status: 'claimed' });
    alert.card.customerId = wang.id;
    const old = makeAlert({ at: '2026-11-01T09:50:00.000Z' });
    old.card.customerId = wang.id;
    await h.db.alerts.bulkPut([
      { ...alert, receivedAt: alert.at },
      { ...old, receivedAt: old.at },
    ]);
    h.show(<OrderScreen customerId={wang.id} addSku="TEE-S" />);
    expect(await screen.findByText('来自到店提醒')).toBeTruthy();
    expect(useAppStore.getState().orderDraft.alertId).toBe(alert.alertId);
    await userEvent.click(screen.getByRole('button', { name: '确认下单' }));
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('receipt'));
    const [entry] = await openOutboxEntries(h.db.sealer, await h.db.outbox.toArray());
    expect(entry?.kind === 'order' && entry.order.alertId).toBe(alert.alertId);
  });

  it('a double tap on confirm saves one order', async () => {
    const { h } = await setup({ online: false });
    h.show(<OrderScreen addSku="TEE-S" />);
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    const confirm = screen.getByRole('button', { name: '确认下单' });
    act(() => {
      confirm.click();
      confirm.click();
    });
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('receipt'));
    expect(await h.db.outbox.count()).toBe(1);
  });

  it('adds the SKU from a profile once, even under StrictMode', async () => {
    const { h, wang } = await setup();
    useAppStore.getState().navigate({ name: 'order', customerId: wang.id, addSku: 'COAT-M' });
    h.show(
      <StrictMode>
        <OrderScreen customerId={wang.id} addSku="COAT-M" />
      </StrictMode>,
    );
    await waitFor(() => expect(lines().textContent).toContain('羊毛大衣'));
    await new Promise((r) => setTimeout(r, 50));
    expect(useAppStore.getState().orderDraft.lines).toHaveLength(1);
    expect(useAppStore.getState().orderDraft.lines[0]!.quantity).toBe(1);
  });

  it('adds a barcode handed over from a profile scan, and says so when it is unknown', async () => {
    const { h } = await setup();
    h.show(<OrderScreen addSku="6901234567892" />);
    await waitFor(() => expect(lines().textContent).toContain('羊毛大衣'));
    cleanup();
    h.show(<OrderScreen addSku="NOPE-1" />);
    expect((await screen.findByRole('alert')).textContent).toBe('没有找到商品“NOPE-1”');
  });

  it('keeps the basket when the guide leaves the screen and comes back', async () => {
    const { h } = await setup();
    const first = h.show(<OrderScreen />);
    await userEvent.type(addBox(), 'TEE-S{Enter}');
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    first.unmount();
    h.show(<OrderScreen />);
    expect(lines().textContent).toContain('棉T恤');
  });

  it('attaches a customer picked by 尾号 from the order screen', async () => {
    const { h, wang } = await setup();
    h.show(<OrderScreen />);
    await userEvent.click(screen.getByRole('button', { name: '关联会员' }));
    await userEvent.type(screen.getByRole('searchbox', { name: '搜索顾客' }), '5678');
    await userEvent.click(await screen.findByRole('button', { name: /王芳/ }));
    expect(useAppStore.getState().orderDraft.customerId).toBe(wang.id);
    expect(await screen.findByText('王芳')).toBeTruthy();
  });

  /** 王芳 (13812345678) registered on this terminal while offline; returns the provisional id. */
  async function registerOffline(h: Awaited<ReturnType<typeof setup>>['h']): Promise<string> {
    const registered = await enqueueRegistration(
      h.db,
      memorySecretStore({ phoneHashKey: TEST_PHONE_KEY }),
      { id: newId(), name: '王芳', phone: '13812345678' },
    );
    if (!registered.ok) throw new Error(registered.error.message);
    return registered.value.customer.id;
  }

  it('asks to re-attach when the hub answered a registration with an existing member', async () => {
    const { h } = await setup();
    // Registered here offline; the hub knew the phone, so the provisional id was replaced.
    const provisionalId = await registerOffline(h);
    await recordResults(h.db, [{ id: provisionalId, status: 'duplicate' }]);
    await h.db.provisionalCustomers.delete(provisionalId);

    h.show(<OrderScreen customerId={provisionalId} addSku="TEE-S" />);
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    await userEvent.click(screen.getByRole('button', { name: '确认下单' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      '这位顾客的资料已被总部合并或更新，请重新关联会员',
    );
    expect(
      (await openOutboxEntries(h.db.sealer, await h.db.outbox.toArray())).filter(
        (e) => e.kind === 'order',
      ),
    ).toEqual([]);
  });

  it('credits the member the hub mapped an offline registration to, without asking again', async () => {
    const { h, wang } = await setup();
    const provisionalId = await registerOffline(h);
    // The hub knew the phone: the registration became the existing member 王芳.
    const member = await h.db.customerStore.get(wang.id);
    await putCanonicalCustomer(h.db, provisionalId, toProfile(member!));
    await recordResults(h.db, [{ id: provisionalId, status: 'duplicate' }]);
    expect(await customerById(h.db, provisionalId)).toBeUndefined();

    h.show(<OrderScreen customerId={provisionalId} addSku="TEE-S" />);
    expect(await screen.findByText('王芳')).toBeTruthy();
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    await userEvent.click(screen.getByRole('button', { name: '确认下单' }));
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('receipt'));
    const orders = (await openOutboxEntries(h.db.sealer, await h.db.outbox.toArray())).flatMap(
      (e) => (e.kind === 'order' ? [e] : []),
    );
    expect(orders.map((e) => e.order.customerId)).toEqual([wang.id]);
  });

  it("still takes the order for an arrival's customer not cached yet", async () => {
    const { h } = await setup({ online: false });
    const customerId = newId();
    h.show(<OrderScreen customerId={customerId} addSku="TEE-S" />);
    expect(await screen.findByText('会员（资料尚未同步到本机）')).toBeTruthy();
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    await userEvent.click(screen.getByRole('button', { name: '确认下单' }));
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('receipt'));
    const [entry] = await openOutboxEntries(h.db.sealer, await h.db.outbox.toArray());
    expect(entry?.kind === 'order' && entry.order.customerId).toBe(customerId);
  });

  it('registers a new member from the order and comes back with them attached', async () => {
    const { h } = await setup();
    const view = h.show(<OrderScreen addSku="TEE-S" />);
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    await userEvent.click(screen.getByRole('button', { name: '关联会员' }));
    await userEvent.type(screen.getByRole('searchbox', { name: '搜索顾客' }), '13500135000');
    await userEvent.click(await screen.findByRole('button', { name: '用 13500135000 注册新会员' }));
    expect(useAppStore.getState().screen).toEqual({ name: 'register', phone: '13500135000' });
    view.unmount();
    h.show(<RegisterScreen phone="13500135000" />);
    await userEvent.type(screen.getByRole('textbox', { name: '姓名' }), '孙丽');
    await userEvent.click(screen.getByRole('button', { name: '保存并注册' }));
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('order'));
    const draft = useAppStore.getState().orderDraft;
    expect((await customerById(h.db, draft.customerId!))?.name).toBe('孙丽');
    expect(draft.lines.map((l) => l.sku)).toEqual(['TEE-S']);
  });

  it('cannot confirm without a signed-in guide', async () => {
    const { h } = await setup({ signedIn: false });
    h.show(<OrderScreen addSku="TEE-S" />);
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    expect(screen.getByText('导购：请先登录导购账号')).toBeTruthy();
    expect(screen.getByRole('button', { name: '确认下单' })).toHaveProperty('disabled', true);
  });

  it('takes orders offline and says they will be sent later', async () => {
    const { h } = await setup({ online: false });
    h.show(<OrderScreen addSku="TEE-S" />);
    expect(screen.getByText('离线中：订单会先保存在本机，联网后自动上传')).toBeTruthy();
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    await userEvent.click(screen.getByRole('button', { name: '确认下单' }));
    await waitFor(() => expect(useAppStore.getState().screen.name).toBe('receipt'));
    expect(await h.db.outbox.where('status').equals('pending').count()).toBe(1);
  });

  it('shows the error and keeps the basket when saving fails', async () => {
    const { h } = await setup();
    h.show(<OrderScreen addSku="TEE-S" />);
    await waitFor(() => expect(lines().textContent).toContain('棉T恤'));
    h.db.close();
    await userEvent.click(screen.getByRole('button', { name: '确认下单' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^保存失败：/);
    expect(useAppStore.getState().orderDraft.lines).toHaveLength(1);
    expect(useAppStore.getState().screen.name).not.toBe('receipt');
  });
});
