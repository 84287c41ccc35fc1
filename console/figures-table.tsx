import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChainFigures } from '../shared/protocol';
import { formatKpi, type KpiFormat } from '../renderer/dashboard/format';

/** The KPIs every tile and table shows, with how each is formatted. */
export const FIGURES: readonly [keyof ChainFigures, KpiFormat][] = [
  ['footfall', 'count'],
  ['recognizedVisits', 'count'],
  ['claimedAlerts', 'count'],
  ['convertedVisits', 'count'],
  ['orders', 'count'],
  ['revenue', 'fen'],
  ['creditedOnline', 'fen'],
  // after-sale (issue #16): returns count on the day the goods came back
  ['refunds', 'fen'],
  ['netRevenue', 'fen'],
  ['returnsRate', 'percent'],
  ['conversionRate', 'percent'],
  ['atv', 'fen'],
];

export type Row = ChainFigures & { id: string; label: string; extra?: string };

/**
 * A table of figures per store or region, sortable by any column (a click sorts descending, a
 * second ascending; undefined ratios sort last either way).
 */
export function FiguresTable({
  caption,
  labelHeader,
  extraHeader,
  extraIsCount = false,
  rows,
}: {
  caption: string;
  labelHeader: string;
  extraHeader?: string;
  /** the extra column holds a number (a region's stores), aligned with the figures */
  extraIsCount?: boolean;
  rows: readonly Row[];
}) {
  const { t, i18n } = useTranslation('console');
  const [sort, setSort] = useState<{ by: keyof ChainFigures | 'label'; desc: boolean }>({
    by: 'label',
    desc: false,
  });
  const sorted = [...rows].sort((a, b) => {
    if (sort.by === 'label') {
      const c = a.label.localeCompare(b.label, 'zh-CN');
      return sort.desc ? -c : c;
    }
    const [x, y] = [a[sort.by], b[sort.by]];
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return sort.desc ? y - x : x - y;
  });
  const header = (by: keyof ChainFigures | 'label', text: string) => (
    <th
      scope="col"
      className={by === 'label' ? 'text' : undefined}
      aria-sort={sort.by === by ? (sort.desc ? 'descending' : 'ascending') : 'none'}
    >
      <button
        type="button"
        title={t('table.sortBy', { column: text })}
        onClick={() => setSort((s) => ({ by, desc: s.by === by ? !s.desc : by !== 'label' }))}
      >
        {text}
      </button>
    </th>
  );
  return (
    <table className="figures">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {header('label', labelHeader)}
          {extraHeader && (
            <th scope="col" className={extraIsCount ? undefined : 'text'}>
              {extraHeader}
            </th>
          )}
          {FIGURES.map(([key]) => header(key, t(`kpi.${key}`)))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((row) => (
          <tr key={row.id}>
            <th scope="row">{row.label}</th>
            {extraHeader && <td className={extraIsCount ? undefined : 'text'}>{row.extra}</td>}
            {FIGURES.map(([key, format]) => (
              <td key={key}>{formatKpi(row[key], format, i18n.language)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
