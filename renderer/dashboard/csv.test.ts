import { describe, expect, it } from 'vitest';
import { emptyCounts, kpiRatios, type KpiCounts } from '../../shared/domain/kpi';
import type { DayStats, GuideStats } from '../../shared/protocol';
import { csvCell, figuresCsv, toCsv, UTF8_BOM, yuan, type CsvLabels } from './csv';
import { figuresFromDay } from './figures';
import { dashboardLocales } from './locales';

const STORE = '0190f0a0-0000-7000-8000-000000000001';
const GUIDE = '0190f0a0-0000-7000-8000-0000000000a1';

const withRatios = (c: KpiCounts) => ({ ...c, ...kpiRatios(c) });

function day(): DayStats {
  const hour9 = { ...emptyCounts(), footfall: 20, orders: 4, units: 6, revenue: 123450 };
  const guide: GuideStats = {
    guideId: GUIDE,
    name: '王, "小丽"',
    ...withRatios({
      ...emptyCounts(),
      claimedAlerts: 3,
      convertedVisits: 1,
      orders: 4,
      units: 6,
      revenue: 123450,
    }),
    claimConversion: 1 / 3,
  };
  return {
    storeId: STORE,
    date: '2026-11-20',
    timezone: 'Asia/Shanghai',
    from: '2026-11-19T16:00:00.000Z',
    to: '2026-11-20T16:00:00.000Z',
    ...withRatios(hour9),
    byHour: [
      { index: 0, start: '2026-11-19T16:00:00.000Z', label: '00:00', ...withRatios(emptyCounts()) },
      { index: 9, start: '2026-11-20T01:00:00.000Z', label: '09:00', ...withRatios(hour9) },
    ],
    byGuide: [guide],
  };
}

const labels = dashboardLocales['zh-CN'].csv satisfies CsvLabels;

describe('CSV export', () => {
  it('starts with a BOM and ends lines with CRLF so Excel shows Chinese correctly', () => {
    const csv = toCsv([
      ['导购', '销售额'],
      ['李雷', '12.00'],
    ]);
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(csv).toBe(`${UTF8_BOM}导购,销售额\r\n李雷,12.00\r\n`);
  });

  it('quotes separators, quotes and line breaks, and defuses formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('—');
    expect(csvCell(Number.NaN)).toBe('—');
  });

  it('writes yuan exactly from fen', () => {
    expect(yuan(123450)).toBe('1234.50');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(null)).toBeNull();
  });

  it('exports a day by hour with a total row and the guide table', () => {
    const lines = figuresCsv(figuresFromDay(day()), labels).slice(1).split('\r\n');
    expect(lines[0]).toBe('统计期间,2026-11-20');
    expect(lines[2]).toBe(
      '时段,客流,识别到店,到店提醒,已认领,成交到店,订单数,件数,销售额(元),转化率,识别转化率,客单价(元),连带率,客流产值(元)',
    );
    // An empty hour: counts are 0, every ratio undefined.
    expect(lines[3]).toBe('00:00,0,0,0,0,0,0,0,0.00,—,—,—,—,—');
    expect(lines[4]).toBe('09:00,20,0,0,0,0,4,6,1234.50,20.0%,—,308.63,1.5,61.73');
    expect(lines[5]).toBe('合计,20,0,0,0,0,4,6,1234.50,20.0%,—,308.63,1.5,61.73');
    expect(lines[7]).toBe('导购,已认领,成交到店,认领转化率,订单数,销售额(元),客单价(元)');
    expect(lines[8]).toBe('"王, ""小丽""",3,1,33.3%,4,1234.50,308.63');
  });

  it('adds the after-sale figures and the guides’ net revenue when the hub sends them', () => {
    // ¥1,234.50 sold, one piece of ¥234.50 back the same day: net ¥1,000.00, rate 19.0%.
    const returned = { returns: 1, returnedUnits: 1, refunds: 23450 };
    const afterSale = { ...returned, netRevenue: 100000, returnsRate: 23450 / 123450 };
    const base = day();
    const withReturns: DayStats = {
      ...base,
      afterSale,
      byGuide: base.byGuide.map((g) => ({ ...g, afterSale })),
    };
    const lines = figuresCsv(figuresFromDay(withReturns), labels).slice(1).split('\r\n');
    expect(lines[5]).toBe('合计,20,0,0,0,0,4,6,1234.50,20.0%,—,308.63,1.5,61.73');
    expect(lines[6]).toBe('');
    expect(lines[7]).toBe('售后（退货按退回当日计）');
    expect(lines[8]).toBe('统计期间,退货单数,退货件数,退款(元),净销售额(元),退货率');
    expect(lines[9]).toBe('合计,1,1,234.50,1000.00,19.0%');
    expect(lines[11]).toBe(
      '导购,已认领,成交到店,认领转化率,订单数,销售额(元),客单价(元),净销售额(元)',
    );
    expect(lines[12]).toBe('"王, ""小丽""",3,1,33.3%,4,1234.50,308.63,1000.00');
  });

  it('lists a range’s after-sale figures by day, then the total', () => {
    const none = { returns: 0, returnedUnits: 0, refunds: 0, netRevenue: 123450, returnsRate: 0 };
    const some = { returns: 2, returnedUnits: 3, refunds: 50000, netRevenue: 73450 };
    const first: DayStats = { ...day(), afterSale: none };
    const second: DayStats = {
      ...day(),
      date: '2026-11-21',
      afterSale: { ...some, returnsRate: 50000 / 123450 },
    };
    const lines = figuresCsv(
      {
        ...figuresFromDay(first),
        to: '2026-11-21',
        days: [first, second],
        afterSale: { ...some, netRevenue: 196900, returnsRate: 50000 / 246900 },
      },
      labels,
    )
      .slice(1)
      .split('\r\n');
    const table = lines.indexOf('售后（退货按退回当日计）');
    expect(lines.slice(table + 1, table + 5)).toEqual([
      '日期,退货单数,退货件数,退款(元),净销售额(元),退货率',
      '2026-11-20,0,0,0.00,1234.50,0.0%',
      '2026-11-21,2,3,500.00,734.50,40.5%',
      '合计,2,3,500.00,1969.00,20.3%',
    ]);
  });
});
