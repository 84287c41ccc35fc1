import type { KpiCounts, KpiRatios } from '../../shared/domain/kpi';
import type { AfterSaleStats } from '../../shared/protocol';
import type { Figures } from './figures';
import { NO_VALUE } from './format';

export type CsvCell = string | number | null;

/** Byte-order mark: without it Excel opens UTF-8 as the local ANSI code page and garbles Chinese. */
export const UTF8_BOM = '\uFEFF';

/**
 * One CSV cell. Quoted when it holds a separator, quote or line break (RFC 4180, quotes doubled).
 * Text that Excel would run as a formula (=, +, -, @ at the start; a guide's name is free text)
 * gets a leading apostrophe so opening the file can never execute anything.
 */
export function csvCell(value: CsvCell): string {
  if (value === null) return NO_VALUE;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : NO_VALUE;
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Rows to a CSV document: BOM first, CRLF line ends (what Excel writes itself). */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return UTF8_BOM + rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Fen to a plain yuan figure Excel can sum ("1234.50"), exact because fen are integers. */
export const yuan = (fen: number | null): string | null =>
  fen === null
    ? null
    : `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

/** A ratio as a percentage with one decimal ("23.5%"), which Excel reads back as a number. */
export const percent = (value: number | null): string | null =>
  value === null || !Number.isFinite(value) ? null : `${(value * 100).toFixed(1)}%`;

export type CsvLabels = {
  period: string;
  hour: string;
  date: string;
  total: string;
  guide: string;
  footfall: string;
  recognizedVisits: string;
  alerts: string;
  claimedAlerts: string;
  convertedVisits: string;
  orders: string;
  units: string;
  revenue: string;
  conversionRate: string;
  recognizedConversion: string;
  atv: string;
  upt: string;
  salesPerVisitor: string;
  claimConversion: string;
  afterSale: string;
  returns: string;
  returnedUnits: string;
  refunds: string;
  netRevenue: string;
  returnsRate: string;
};

const afterSaleRow = (a: AfterSaleStats): CsvCell[] => [
  a.returns,
  a.returnedUnits,
  yuan(a.refunds),
  yuan(a.netRevenue),
  percent(a.returnsRate),
];

const figureRow = (f: KpiCounts & KpiRatios): CsvCell[] => [
  f.footfall,
  f.recognizedVisits,
  f.alerts,
  f.claimedAlerts,
  f.convertedVisits,
  f.orders,
  f.units,
  yuan(f.revenue),
  percent(f.conversionRate),
  percent(f.recognizedConversion),
  yuan(f.atv),
  f.upt === null ? null : Number(f.upt.toFixed(2)),
  yuan(f.salesPerVisitor),
];

/**
 * The day (by hour) or the range (by day) with a total row, then the after-sale figures (by day
 * and in total; none per hour: a return counts on its day), then the per-guide table: the same
 * figures the screen shows, for the manager's own spreadsheet or head office. A hub without
 * after-sale figures (before issue #16) leaves that table and the guides' net column out.
 */
export function figuresCsv(figures: Figures, labels: CsvLabels): string {
  const single = figures.from === figures.to;
  const header = [
    single ? labels.hour : labels.date,
    labels.footfall,
    labels.recognizedVisits,
    labels.alerts,
    labels.claimedAlerts,
    labels.convertedVisits,
    labels.orders,
    labels.units,
    labels.revenue,
    labels.conversionRate,
    labels.recognizedConversion,
    labels.atv,
    labels.upt,
    labels.salesPerVisitor,
  ];
  const rows: CsvCell[][] = [
    [labels.period, single ? figures.from : `${figures.from} ~ ${figures.to}`],
    [],
    header,
  ];
  if (single) for (const h of figures.days[0]?.byHour ?? []) rows.push([h.label, ...figureRow(h)]);
  else for (const d of figures.days) rows.push([d.date, ...figureRow(d)]);
  rows.push([labels.total, ...figureRow(figures.totals)]);
  const { afterSale } = figures;
  if (afterSale) {
    rows.push([], [labels.afterSale]);
    rows.push([
      single ? labels.period : labels.date,
      labels.returns,
      labels.returnedUnits,
      labels.refunds,
      labels.netRevenue,
      labels.returnsRate,
    ]);
    if (!single)
      for (const d of figures.days)
        if (d.afterSale) rows.push([d.date, ...afterSaleRow(d.afterSale)]);
    rows.push([labels.total, ...afterSaleRow(afterSale)]);
  }
  rows.push([]);
  rows.push([
    labels.guide,
    labels.claimedAlerts,
    labels.convertedVisits,
    labels.claimConversion,
    labels.orders,
    labels.revenue,
    labels.atv,
    ...(afterSale ? [labels.netRevenue] : []),
  ]);
  for (const g of figures.byGuide)
    rows.push([
      g.name,
      g.claimedAlerts,
      g.convertedVisits,
      percent(g.claimConversion),
      g.orders,
      yuan(g.revenue),
      yuan(g.atv),
      ...(afterSale ? [yuan(g.afterSale?.netRevenue ?? g.revenue)] : []),
    ]);
  return toCsv(rows);
}

/** File name for the export, e.g. 门店看板_2026-11-22.csv. */
export const csvFileName = (prefix: string, figures: Pick<Figures, 'from' | 'to'>) =>
  `${prefix}_${figures.from === figures.to ? figures.from : `${figures.from}_${figures.to}`}.csv`;
