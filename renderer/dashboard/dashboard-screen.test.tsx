// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { useAppStore } from '../core/store';
import { enqueueOrder } from '../data/outbox';
import { makeDay, makeRange, performance, withReturns, FIXTURE_STORE } from './dashboard-fixtures';
import { createDashboardHarness } from '../testing/dashboard-testing';
import { DashboardScreen } from './dashboard-screen';

afterEach(cleanup);

const LI = { id: '0190f0a0-0000-7000-8000-0000000000a1', name: '李娜' };
const WANG = { id: '0190f0a0-0000-7000-8000-0000000000a2', name: '王芳' };
const ZHAO = { id: '0190f0a0-0000-7000-8000-0000000000a3', name: '赵敏' };

/** Friday 20 Nov: 200 through the door, 40 recognised, 30 alerts, 24 claimed, 10 bought. */
const today = makeDay(
  '2026-11-20',
  {
    10: {
      footfall: 80,
      recognizedVisits: 15,
      alerts: 12,
      claimedAlerts: 10,
      convertedVisits: 4,
      orders: 20,
      units: 30,
      revenue: 1_200_000,
    },
    14: {
      footfall: 120,
      recognizedVisits: 25,
      alerts: 18,
      claimedAlerts: 14,
      convertedVisits: 6,
      orders: 30,
      units: 45,
      revenue: 1_800_000,
    },
  },
  [
    {
      ...LI,
      counts: { claimedAlerts: 12, convertedVisits: 6, orders: 20, units: 30, revenue: 1_500_000 },
    },
    {
      ...WANG,
      counts: { claimedAlerts: 12, convertedVisits: 4, orders: 25, units: 40, revenue: 1_200_000 },
    },
    { ...ZHAO, counts: { orders: 5, units: 5, revenue: 300_000 } },
  ],
  {
    creditedOnline: 120_000,
    creditedOnlinePool: 30_000,
    // as the hub sends it: best credited revenue first (a refund made 李娜's credit negative)
    guides: [
      performance(WANG, {
        boundCustomers: 3,
        followUpsDone: 2,
        convertedVisits: 4,
        inStoreRevenue: 1_200_000,
        creditedOnline: 90_000,
        noPurchaseReasons: { price: 2, size_missing: 1 },
      }),
      performance(LI, {
        boundCustomers: 5,
        followUpsDone: 4,
        followUpsOverdue: 1,
        convertedVisits: 6,
        inStoreRevenue: 1_500_000,
        creditedOnline: -250_000,
      }),
    ],
  },
);
/** Friday a week earlier: 250 footfall, 40 orders, ¥25,000. */
const lastWeek = makeDay('2026-11-13', {
  11: {
    footfall: 250,
    recognizedVisits: 40,
    alerts: 30,
    claimedAlerts: 20,
    convertedVisits: 10,
    orders: 40,
    units: 50,
    revenue: 2_500_000,
  },
});

const tileValue = (name: string) =>
  within(screen.getByRole('group', { name })).getByTestId('kpi-value').textContent;
const tileChange = (name: string) =>
  within(screen.getByRole('group', { name })).getByLabelText(/较上周同期/).textContent;

describe('dashboard screen', () => {
  it('refuses a guide who is not the manager, without showing any figure', async () => {
    const h = createDashboardHarness({ role: 'guide' });
    h.source.put(today);
    h.show(<DashboardScreen />);
    expect(screen.getByRole('alert').textContent).toContain('店长专用');
    expect(screen.queryByRole('group', { name: '销售额' })).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    expect(h.source.calls).toEqual([]);
  });

  it('refuses when nobody is signed in', () => {
    createDashboardHarness({ role: null }).show(<DashboardScreen />);
    expect(screen.getByRole('alert').textContent).toContain('店长专用');
  });

  it("shows today's figures in the store's zone with the change against the same weekday last week", async () => {
    const h = createDashboardHarness();
    h.source.put(today).put(lastWeek);
    h.show(<DashboardScreen />);
    await waitFor(() => expect(tileValue('订单数')).toBe('50'));
    // It asked for today and last Friday, both store-local dates.
    expect(h.source.calls).toEqual([
      { from: '2026-11-20', to: '2026-11-20' },
      { from: '2026-11-13', to: '2026-11-13' },
    ]);
    expect(tileValue('客流')).toBe('200');
    expect(tileValue('销售额')).toBe('¥30,000.00');
    expect(tileValue('转化率')).toBe('25.0%');
    expect(tileValue('客单价')).toBe('¥600.00');
    expect(tileValue('连带率')).toBe('1.50');
    expect(tileValue('客流产值')).toBe('¥150.00');
    expect(tileValue('识别转化率')).toBe('25.0%');
    expect(tileChange('客流')).toContain('▼ 20.0%');
    expect(tileChange('订单数')).toContain('▲ 25.0%');
    expect(tileChange('销售额')).toContain('▲ 20.0%');
    // Rates move in percentage points: 16.0% last Friday, 25.0% today.
    expect(tileChange('转化率')).toContain('▲ 9.0pp');
    // ATV ¥625 → ¥600.
    expect(tileChange('客单价')).toContain('▼ 4.0%');
    expect(screen.getByRole('status').textContent).toBe('数据更新于 11月20日 14:30');
    // The funnel shows each step and the drop from the one before.
    const funnel = screen.getByRole('region', { name: '到店转化漏斗' });
    expect(within(funnel).getByLabelText('识别到店 40')).toBeTruthy();
    expect(funnel.textContent).toContain('流失 160');
  });

  it('shows "—" on ratio tiles of a day without footfall or orders, never NaN', async () => {
    const h = createDashboardHarness();
    h.show(<DashboardScreen />);
    await waitFor(() => expect(tileValue('订单数')).toBe('0'));
    for (const name of ['转化率', '识别转化率', '客单价', '连带率', '客流产值'])
      expect(tileValue(name)).toBe('—');
    expect(document.body.textContent).not.toMatch(/NaN|Infinity/);
  });

  it('keeps the last figures visible offline, with the time they are from', async () => {
    const first = createDashboardHarness();
    first.source.put(today).put(lastWeek);
    first.show(<DashboardScreen />);
    await waitFor(() => expect(tileValue('订单数')).toBe('50'));
    cleanup();

    const later = createDashboardHarness({ storage: first.storage });
    // Same terminal (the cache is per terminal and store): reuse its identity.
    later.services.terminal = first.services.terminal;
    later.source.failure = { code: 'offline', message: 'Failed to fetch' };
    later.show(<DashboardScreen />);
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toMatch(/离线 · 显示 .+ 的数据/),
    );
    expect(tileValue('订单数')).toBe('50');
    expect(tileChange('订单数')).toContain('▲ 25.0%');
  });

  it('says so when offline with nothing fetched before', async () => {
    const h = createDashboardHarness();
    h.source.failure = { code: 'offline', message: 'Failed to fetch' };
    h.show(<DashboardScreen />);
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toContain('离线，且本机没有这段时间的数据'),
    );
    expect(tileValue('订单数')).toBe('—');
  });

  it('shows an error when the hub refuses the figures', async () => {
    const h = createDashboardHarness();
    h.source.failure = { code: 'forbidden', message: 'another store' };
    h.show(<DashboardScreen />);
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toContain('本终端无权查看该门店的数据'),
    );
  });

  it('shows a loading state until the first figures arrive', async () => {
    const h = createDashboardHarness();
    h.source.put(today);
    h.source.hold();
    h.show(<DashboardScreen />);
    expect(screen.getByRole('group', { name: '订单数' }).getAttribute('aria-busy')).toBe('true');
    expect(screen.getByRole('status').textContent).toContain('正在读取门店数据');
    h.source.releaseAll();
    await waitFor(() => expect(tileValue('订单数')).toBe('50'));
  });

  it("shows this terminal's unsynced orders apart from the hub's figures", async () => {
    const h = createDashboardHarness();
    h.source.put(today);
    for (const amount of [19_900, 30_000])
      await enqueueOrder(h.db, {
        id: newId(),
        storeId: FIXTURE_STORE,
        terminalId: h.services.terminal.terminalId,
        guideId: LI.id,
        paymentMethod: 'wechat',
        createdAt: '2026-11-20T06:00:00.000Z',
        lines: [{ sku: 'TS-001', quantity: 1, unitPrice: amount, discount: 0 }],
      });
    h.show(<DashboardScreen />);
    const note = await screen.findByRole('note');
    expect(note.textContent).toContain('本机未同步订单 2 笔 ¥499.00');
    await waitFor(() => expect(tileValue('订单数')).toBe('50'));
  });

  it('sorts the guide table by the header clicked', async () => {
    const user = userEvent.setup();
    const h = createDashboardHarness();
    h.source.put(today);
    h.show(<DashboardScreen />);
    const table = await screen.findByRole('table', { name: '导购接待' });
    const names = () =>
      within(table)
        .getAllByRole('rowheader')
        .map((c) => c.textContent);
    // Revenue, highest first, by default.
    expect(names()).toEqual(['李娜', '王芳', '赵敏']);
    await user.click(within(table).getByRole('button', { name: /订单数/ }));
    expect(names()).toEqual(['王芳', '李娜', '赵敏']);
    expect(
      within(table)
        .getByRole('columnheader', { name: /订单数/ })
        .getAttribute('aria-sort'),
    ).toBe('descending');
    await user.click(within(table).getByRole('button', { name: /订单数/ }));
    expect(names()).toEqual(['赵敏', '李娜', '王芳']);
    // No claims means no claim conversion: "—", and last whichever way it is sorted.
    await user.click(within(table).getByRole('button', { name: /认领转化率/ }));
    expect(names()).toEqual(['李娜', '王芳', '赵敏']);
    const zhao = within(table).getByRole('row', { name: /赵敏/ });
    expect(within(zhao).getAllByRole('cell')[2]!.textContent).toBe('—');
  });

  it('shows 导购业绩: relationship, counter and online credit per guide, best credited first', async () => {
    const h = createDashboardHarness();
    h.source.put(today);
    h.show(<DashboardScreen />);
    const table = await screen.findByRole('table', { name: '导购业绩' });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent));
    expect(rows).toEqual([
      ['王芳', '3', '2', '0', '4', '¥12,000.00', '¥900.00', '¥12,900.00', '价格 ×2'],
      ['李娜', '5', '4', '1', '6', '¥15,000.00', '-¥2,500.00', '¥12,500.00', '—'],
    ]);
    expect(screen.getByText('线上订单归属本店 ¥1,200.00（其中门店公共池 ¥300.00）')).toBeTruthy();
    // An overdue follow-up stands out.
    expect(
      within(table).getByRole('row', { name: /李娜/ }).querySelector('td.overdue'),
    ).toBeTruthy();
  });

  it('shows the median time in store of visits that bought and that did not', async () => {
    const h = createDashboardHarness();
    h.source.put({
      ...today,
      dwell: {
        converted: { visits: 10, medianMinutes: 14.5 },
        notConverted: { visits: 30, medianMinutes: 6 },
      },
    });
    h.show(<DashboardScreen />);
    const card = await screen.findByRole('region', { name: '停留时长（中位数）' });
    expect(card.textContent).toBe(
      '停留时长（中位数）成交的到店14.5 分钟 10 次到店未成交的到店6 分钟 30 次到店',
    );
  });

  it('switches to the last 7 days and compares with the 7 days before', async () => {
    const user = userEvent.setup();
    const h = createDashboardHarness();
    const week = ['14', '15', '16', '17', '18', '19', '20'].map((d) =>
      makeDay(`2026-11-${d}`, { 12: { footfall: 100, orders: 10, units: 12, revenue: 500_000 } }),
    );
    h.source.put(makeRange(week));
    h.show(<DashboardScreen />);
    await user.click(screen.getByRole('button', { name: '近 7 天' }));
    await waitFor(() => expect(tileValue('客流')).toBe('700'));
    expect(tileValue('销售额')).toBe('¥35,000.00');
    expect(h.source.calls).toContainEqual({ from: '2026-11-14', to: '2026-11-20' });
    expect(h.source.calls).toContainEqual({ from: '2026-11-07', to: '2026-11-13' });
    expect(screen.getByRole('region', { name: '每日趋势' })).toBeTruthy();
  });

  it('switches to this month, the 1st to today, with 导购业绩 for the month', async () => {
    const user = userEvent.setup();
    const h = createDashboardHarness();
    const month = Array.from({ length: 20 }, (_, i) =>
      makeDay(`2026-11-${String(i + 1).padStart(2, '0')}`, {
        12: { footfall: 100, orders: 10, units: 12, revenue: 500_000 },
      }),
    );
    h.source.put({ ...makeRange(month), performance: today.performance! });
    h.show(<DashboardScreen />);
    await user.click(screen.getByRole('button', { name: '本月' }));
    await waitFor(() => expect(tileValue('客流')).toBe('2,000'));
    expect(tileValue('销售额')).toBe('¥100,000.00');
    expect(screen.getByRole('button', { name: '本月' }).getAttribute('aria-pressed')).toBe('true');
    // 1–20 November, compared with the same weekdays three weeks earlier
    expect(h.source.calls).toContainEqual({ from: '2026-11-01', to: '2026-11-20' });
    expect(h.source.calls).toContainEqual({ from: '2026-10-11', to: '2026-10-30' });
    expect(await screen.findByRole('table', { name: '导购业绩' })).toBeTruthy();
  });

  it('exports the day as a CSV file Excel opens in Chinese', async () => {
    const user = userEvent.setup();
    const h = createDashboardHarness();
    h.source.put(today);
    // jsdom has no object URLs: keep the blob the screen hands to the download link.
    let blob: Blob | null = null;
    URL.createObjectURL = (b: Blob | MediaSource) => {
      blob = b as Blob;
      return 'blob:dashboard-test';
    };
    URL.revokeObjectURL = () => undefined;
    let fileName = '';
    const onClick = (e: MouseEvent) => {
      if (e.target instanceof HTMLAnchorElement) {
        fileName = e.target.download;
        e.preventDefault();
      }
    };
    document.addEventListener('click', onClick);
    try {
      h.show(<DashboardScreen />);
      await waitFor(() => expect(tileValue('订单数')).toBe('50'));
      await user.click(screen.getByRole('button', { name: '导出 CSV' }));
      expect(fileName).toBe('门店看板_2026-11-20.csv');
      const bytes = new Uint8Array(await blob!.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder().decode(bytes.slice(3));
      expect(text).toContain('合计,200,40,30,24,10,50,75,30000.00,25.0%,25.0%,600.00,1.5,150.00');
      expect(text).toContain('李娜,12,6,50.0%,20,15000.00,750.00');
      // Figures left the app: the audit says who exported, when.
      await waitFor(async () =>
        expect(await h.db.audit.toArray()).toMatchObject([
          { action: 'csv_export', guideId: useAppStore.getState().guide?.id, customerId: null },
        ]),
      );
    } finally {
      document.removeEventListener('click', onClick);
    }
  });

  it('steps back and forward through days with Alt+arrows, never past today', async () => {
    const user = userEvent.setup();
    const h = createDashboardHarness();
    h.source
      .put(today)
      .put(
        makeDay('2026-11-19', { 13: { footfall: 90, orders: 18, units: 20, revenue: 900_000 } }),
      );
    h.show(<DashboardScreen />);
    await waitFor(() => expect(tileValue('订单数')).toBe('50'));
    await user.keyboard('{Alt>}{ArrowLeft}{/Alt}');
    await waitFor(() => expect(tileValue('订单数')).toBe('18'));
    expect((screen.getByLabelText('选择日期') as HTMLInputElement).value).toBe('2026-11-19');
    await user.keyboard('{Alt>}{ArrowRight}{/Alt}');
    await waitFor(() => expect(tileValue('订单数')).toBe('50'));
    expect(screen.getByRole('button', { name: '后一天' })).toHaveProperty('disabled', true);
    await user.keyboard('{Alt>}{ArrowRight}{/Alt}');
    expect((screen.getByLabelText('选择日期') as HTMLInputElement).value).toBe('2026-11-20');
  });

  it('reads completely in English, with the up/down colours of a Western board', async () => {
    const h = createDashboardHarness();
    h.source.put(today).put(lastWeek);
    h.show(<DashboardScreen />, 'en');
    const orders = screen.getByRole('group', { name: 'Orders' });
    await waitFor(() => expect(within(orders).getByTestId('kpi-value').textContent).toBe('50'));
    expect(within(orders).getByLabelText(/vs last week/).textContent).toContain('▲ 25.0%');
    expect(
      screen.getByRole('region', { name: 'Store dashboard' }).getAttribute('data-updown'),
    ).toBe('west');
    expect(screen.getByRole('table', { name: 'Guides at the counter' })).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Guide performance' })).toBeTruthy();
    expect(
      screen.getByText(
        /^Online orders credited to this store: .*1,200\.00 \(store pool .*300\.00\)$/,
      ),
    ).toBeTruthy();
    // No untranslated key shows through (e.g. "kpi.orders").
    expect(document.body.textContent).not.toMatch(
      /\b(kpi|kpiHint|guides|funnel|period|chart|performance|noPurchase)\.\w/,
    );
  });

  describe('after-sale figures (issue #16 item 1)', () => {
    const sold = { orders: 5, units: 6 };
    /** Friday: ¥1,000 sold (李娜 ¥600, 王芳 ¥400); 李娜's customer brought back ¥150. */
    const returnsDay = withReturns(
      makeDay('2026-11-20', { 15: { footfall: 40, ...sold, revenue: 100_000 } }, [
        { ...LI, counts: { orders: 3, units: 4, revenue: 60_000 } },
        { ...WANG, counts: { orders: 2, units: 2, revenue: 40_000 } },
      ]),
      { returns: 1, returnedUnits: 1, refunds: 15_000 },
      { [LI.id]: { returns: 1, returnedUnits: 1, refunds: 15_000 } },
    );
    /** A week earlier: ¥800 sold, ¥80 refunded (10%). */
    const returnsLastWeek = withReturns(
      makeDay('2026-11-13', { 15: { footfall: 40, ...sold, revenue: 80_000 } }),
      { returns: 1, returnedUnits: 1, refunds: 8_000 },
    );

    it('shows refunds, net revenue and returns rate for the day, against last week', async () => {
      const h = createDashboardHarness();
      h.source.put(returnsDay).put(returnsLastWeek);
      h.show(<DashboardScreen />);
      await waitFor(() => expect(tileValue('退款')).toBe('¥150.00'));
      expect(tileValue('销售额')).toBe('¥1,000.00');
      expect(tileValue('净销售额')).toBe('¥850.00');
      // 退款 ÷ 同期销售额: ¥150 ÷ ¥1,000
      expect(tileValue('退货率')).toBe('15.0%');
      expect(
        within(screen.getByRole('group', { name: '退货率' })).getByText('退款 ÷ 同期销售额'),
      ).toBeTruthy();
      // ¥80 → ¥150; ¥720 → ¥850 (+18.06%); 10.0% → 15.0%
      expect(tileChange('退款')).toContain('▲ 87.5%');
      expect(tileChange('净销售额')).toContain('▲ 18.1%');
      expect(tileChange('退货率')).toContain('▲ 5.0pp');
    });

    it('shows each guide’s net sales, and sorts by them', async () => {
      const user = userEvent.setup();
      const h = createDashboardHarness();
      h.source.put(returnsDay);
      h.show(<DashboardScreen />);
      const table = await screen.findByRole('table', { name: '导购接待' });
      const net = () =>
        within(table)
          .getAllByRole('row')
          .slice(1)
          .map(
            (r) =>
              `${within(r).getByRole('rowheader').textContent} ${within(r).getAllByRole('cell')[5]!.textContent}`,
          );
      expect(within(table).getAllByRole('columnheader')[6]!.textContent).toContain('净销售额');
      // by revenue: 李娜 ¥600 first, her net is ¥600 − ¥150
      expect(net()).toEqual(['李娜 ¥450.00', '王芳 ¥400.00']);
      await user.click(within(table).getByRole('button', { name: /净销售额/ }));
      expect(net()).toEqual(['李娜 ¥450.00', '王芳 ¥400.00']);
      await user.click(within(table).getByRole('button', { name: /净销售额/ }));
      expect(net()).toEqual(['王芳 ¥400.00', '李娜 ¥450.00']);
    });

    it('sums the period: net revenue and returns rate over the 7 days', async () => {
      const user = userEvent.setup();
      const h = createDashboardHarness();
      const week = ['14', '15', '16', '17', '18', '19', '20'].map((d) =>
        withReturns(
          makeDay(`2026-11-${d}`, {
            12: { footfall: 100, orders: 10, units: 12, revenue: 100_000 },
          }),
          {
            returns: d === '18' ? 2 : 0,
            returnedUnits: d === '18' ? 2 : 0,
            refunds: d === '18' ? 35_000 : 0,
          },
        ),
      );
      h.source.put(makeRange(week));
      h.show(<DashboardScreen />);
      await user.click(screen.getByRole('button', { name: '近 7 天' }));
      await waitFor(() => expect(tileValue('销售额')).toBe('¥7,000.00'));
      expect(tileValue('退款')).toBe('¥350.00');
      expect(tileValue('净销售额')).toBe('¥6,650.00');
      // ¥350 ÷ ¥7,000
      expect(tileValue('退货率')).toBe('5.0%');
    });

    it('leaves the after-sale tiles and the net column out for a hub that does not send them', async () => {
      const h = createDashboardHarness();
      h.source.put(today);
      h.show(<DashboardScreen />);
      await waitFor(() => expect(tileValue('订单数')).toBe('50'));
      expect(screen.queryByRole('group', { name: '净销售额' })).toBeNull();
      expect(screen.queryByRole('group', { name: '退货率' })).toBeNull();
      const table = screen.getByRole('table', { name: '导购接待' });
      expect(table.textContent).not.toContain('净销售额');
    });

    it('reads in English', async () => {
      const h = createDashboardHarness();
      h.source.put(returnsDay);
      h.show(<DashboardScreen />, 'en');
      const net = await screen.findByRole('group', { name: 'Net revenue' });
      await waitFor(() =>
        expect(within(net).getByTestId('kpi-value').textContent).toBe('CN¥850.00'),
      );
      const rate = screen.getByRole('group', { name: 'Returns rate' });
      expect(within(rate).getByTestId('kpi-value').textContent).toBe('15.0%');
      expect(within(rate).getByText('refunds ÷ revenue of the same period')).toBeTruthy();
      expect(screen.getByRole('group', { name: 'Refunds' })).toBeTruthy();
      expect(screen.getByRole('table', { name: 'Guides at the counter' }).textContent).toContain(
        'Net sales',
      );
    });
  });
});
