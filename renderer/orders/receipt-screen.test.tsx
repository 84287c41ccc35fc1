// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { receipt as receiptSchema } from '../../shared/bridge';
import { newId } from '../../shared/domain/ids';
import type { Order } from '../../shared/protocol';
import { useAppStore } from '../core/store';
import { enqueueOrder, recordResults } from '../data/outbox';
import { makeGuide, makeProduct, makeProfile } from '../data/testing';
import { createHarness } from '../testing/screen-testing';
import { ReceiptScreen } from './receipt-screen';

afterEach(cleanup);

async function setup(options: { online?: boolean; customer?: boolean } = {}) {
  const h = createHarness(options);
  await h.db.staff.put(makeGuide({ id: h.guide.id, name: '李娜', storeId: h.storeId }));
  await h.seedProducts([
    makeProduct({ sku: 'COAT-M', name: '羊毛大衣', colour: '驼色', size: 'M', price: 129_900 }),
    makeProduct({ sku: 'TEE-S', name: '棉T恤', colour: null, size: 'S', price: 9_990 }),
  ]);
  const wang = await makeProfile({ name: '王芳', phone: '+8613812345678' });
  await h.seedCustomers([wang]);
  const order: Order = {
    id: newId(),
    storeId: h.storeId,
    terminalId: h.services.terminal.terminalId,
    guideId: h.guide.id,
    ...(options.customer === false ? {} : { customerId: wang.id }),
    paymentMethod: 'wechat',
    // 16:30 UTC is 00:30 the next day in Shanghai.
    createdAt: '2026-11-02T16:30:00.000Z',
    lines: [
      { sku: 'COAT-M', quantity: 1, unitPrice: 129_900, discount: 10_000 },
      { sku: 'TEE-S', quantity: 2, unitPrice: 9_990, discount: 0 },
    ],
  };
  const saved = await enqueueOrder(h.db, order);
  if (!saved.ok) throw new Error(saved.error.message);
  return { h, order };
}

describe('ReceiptScreen', () => {
  it('shows store, store-local time, guide, masked customer, lines, discount, total, payment and 待同步', async () => {
    const { h, order } = await setup();
    h.show(<ReceiptScreen orderId={order.id} />);
    expect(screen.getByText('正在读取订单…')).toBeTruthy();
    expect(await screen.findByRole('heading', { name: '上海南京西路店' })).toBeTruthy();
    const page = document.body.textContent ?? '';
    for (const text of [
      '2026年11月3日 00:30',
      '李娜',
      '王** 尾号 5678',
      '羊毛大衣',
      '棉T恤',
      '优惠 −¥100.00',
      '¥1,199.00',
      '¥199.80',
      '微信',
      order.id,
    ])
      expect(page).toContain(text);
    expect(page).not.toContain('王芳');
    expect(screen.getByRole('status', { name: '合计' }).textContent).toBe('¥1,398.80');
    expect(screen.getByRole('status', { name: '同步状态' }).textContent).toBe('待同步');
  });

  it('reads each line by colour and size; the SKU is small; a product not cached shows its SKU', async () => {
    const { h, order } = await setup();
    await h.db.products.where('sku').equals('TEE-S').delete();
    h.show(<ReceiptScreen orderId={order.id} />);
    const table = await screen.findByRole('table');
    const [coat, tee] = within(table).getAllByRole('row').slice(1);
    expect(within(coat!).getAllByRole('cell')[0]!.textContent).toBe(
      '羊毛大衣 驼色 · M COAT-M · ¥1,299.00优惠 −¥100.00',
    );
    expect(within(coat!).getByText(/COAT-M/).tagName).toBe('SMALL');
    expect(within(tee!).getAllByRole('cell')[0]!.textContent).toBe('TEE-S TEE-S · ¥99.90');
  });

  it('turns to 已同步 on screen when the hub accepts the order', async () => {
    const { h, order } = await setup();
    h.show(<ReceiptScreen orderId={order.id} />);
    await screen.findByText('待同步');
    await act(() => recordResults(h.db, [{ id: order.id, status: 'accepted' }]));
    await waitFor(() =>
      expect(screen.getByRole('status', { name: '同步状态' }).textContent).toBe('已同步'),
    );
  });

  it('says a rejected order waits for the guide under 同步状态 (the reason is shown there)', async () => {
    const { h, order } = await setup();
    await recordResults(h.db, [
      { id: order.id, status: 'rejected', code: 'unknown_sku', reason: 'unknown SKU: COAT-M' },
    ]);
    h.show(<ReceiptScreen orderId={order.id} />);
    expect((await screen.findByRole('status', { name: '同步状态' })).textContent).toBe(
      '被总部退回，请在“同步状态”中查看原因并处理',
    );
  });

  it('prints through the bridge a receipt with no customer name or phone', async () => {
    const { h, order } = await setup();
    h.show(<ReceiptScreen orderId={order.id} />);
    await userEvent.click(await screen.findByRole('button', { name: '打印小票' }));
    expect(await screen.findByText('已发送到打印机')).toBeTruthy();
    expect(h.bridge.printed).toHaveLength(1);
    const printed = h.bridge.printed[0]!;
    expect(receiptSchema.safeParse(printed).success).toBe(true);
    expect(printed).toMatchObject({
      orderId: order.id,
      storeName: '上海南京西路店',
      guideName: '李娜',
      timezone: 'Asia/Shanghai',
      total: 139_880,
      lines: [
        {
          name: '羊毛大衣',
          sku: 'COAT-M',
          colour: '驼色',
          size: 'M',
          quantity: 1,
          unitPrice: 129_900,
        },
        { name: '棉T恤', sku: 'TEE-S', colour: null, size: 'S', quantity: 2, unitPrice: 9_990 },
      ],
    });
    expect(JSON.stringify(printed)).not.toMatch(/王|5678/);
  });

  it('shows a printing failure', async () => {
    const { h, order } = await setup();
    h.bridge.failPrint = true;
    h.show(<ReceiptScreen orderId={order.id} />);
    await userEvent.click(await screen.findByRole('button', { name: '打印小票' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      '打印失败：打印机不可用，请检查打印机已开机、已连接并有纸',
    );
    expect(screen.getByText('技术详情：打印机未连接')).toBeTruthy();
  });

  it('says a walk-in, and offline that the order waits here', async () => {
    const { h, order } = await setup({ online: false, customer: false });
    h.show(<ReceiptScreen orderId={order.id} />);
    expect(await screen.findByText('散客')).toBeTruthy();
    expect(screen.getByText('离线中：订单已保存在本机，联网后自动上传')).toBeTruthy();
  });

  it('says when the order is not on this terminal, and New order leaves', async () => {
    const { h } = await setup();
    h.show(<ReceiptScreen orderId={newId()} />);
    expect((await screen.findByRole('alert')).textContent).toBe('本机没有这张订单');
    await userEvent.click(screen.getByRole('button', { name: '新建订单' }));
    expect(useAppStore.getState().screen).toEqual({ name: 'order' });
  });
});
