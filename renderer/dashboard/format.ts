import { formatFen } from '../../shared/domain/money';

/** Shown for every figure that is undefined (a zero denominator, no baseline): never NaN. */
export const NO_VALUE = '—';

export type KpiFormat = 'count' | 'fen' | 'percent' | 'decimal';

const usable = (value: number | null | undefined): value is number =>
  value !== null && value !== undefined && Number.isFinite(value);

/** Formats a KPI for a tile or table cell; undefined figures read "—". */
export function formatKpi(
  value: number | null | undefined,
  kind: KpiFormat,
  locale: string,
): string {
  if (!usable(value)) return NO_VALUE;
  switch (kind) {
    case 'count':
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
    case 'fen':
      return formatFen(Math.round(value), locale);
    case 'percent':
      return new Intl.NumberFormat(locale, {
        style: 'percent',
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }).format(value);
    case 'decimal':
      return new Intl.NumberFormat(locale, {
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
      }).format(value);
  }
}

export type ChangeDirection = 'up' | 'down' | 'flat' | 'none';

/** A change as a manager reads it: ▲ 12.5% / ▼ 3.0% / ±0.0%, or "—" when there is no baseline. */
export function formatChange(
  change: number | null | undefined,
  locale: string,
): { text: string; direction: ChangeDirection } {
  if (!usable(change)) return { text: NO_VALUE, direction: 'none' };
  const pct = new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(Math.abs(change));
  // Rounded to what is shown, so "▲ 0.0%" never appears.
  if (Math.round(Math.abs(change) * 1000) === 0) return { text: `±${pct}`, direction: 'flat' };
  return change > 0
    ? { text: `▲ ${pct}`, direction: 'up' }
    : { text: `▼ ${pct}`, direction: 'down' };
}

/**
 * The change of a rate in percentage points (22.3% → 24.1% is ▲ 1.8pp), which is how a manager
 * compares conversion; a relative change of a rate ("▲ 8.1%") reads as a different claim.
 */
export function formatPointChange(
  current: number | null | undefined,
  baseline: number | null | undefined,
  locale: string,
): { text: string; direction: ChangeDirection } {
  if (!usable(current) || !usable(baseline)) return { text: NO_VALUE, direction: 'none' };
  const points = (current - baseline) * 100;
  const text = new Intl.NumberFormat(locale, {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(Math.abs(points));
  if (Math.round(Math.abs(points) * 10) === 0) return { text: `±${text}pp`, direction: 'flat' };
  return points > 0
    ? { text: `▲ ${text}pp`, direction: 'up' }
    : { text: `▼ ${text}pp`, direction: 'down' };
}
