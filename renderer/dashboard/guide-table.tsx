import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GuideStats } from '../../shared/protocol';
import { formatKpi, type KpiFormat } from './format';

export type GuideColumn =
  | 'name'
  | 'claimedAlerts'
  | 'convertedVisits'
  | 'claimConversion'
  | 'orders'
  | 'revenue'
  | 'netRevenue'
  | 'atv';
export type SortState = { column: GuideColumn; direction: 'asc' | 'desc' };

const COLUMNS: readonly { key: GuideColumn; format: KpiFormat | null }[] = [
  { key: 'name', format: null },
  { key: 'claimedAlerts', format: 'count' },
  { key: 'convertedVisits', format: 'count' },
  { key: 'claimConversion', format: 'percent' },
  { key: 'orders', format: 'count' },
  { key: 'revenue', format: 'fen' },
  { key: 'netRevenue', format: 'fen' },
  { key: 'atv', format: 'fen' },
];

/** A column's figure for a guide; net sales are null from a hub without after-sale figures. */
function cell(g: GuideStats, column: Exclude<GuideColumn, 'name'>): number | null {
  return column === 'netRevenue' ? (g.afterSale?.netRevenue ?? null) : g[column];
}

const byName = new Intl.Collator('zh-CN');

/**
 * Sorts guides by a column. Undefined ratios ("—") go last in either direction: a guide with no
 * claims is not the best or the worst at converting them.
 */
export function sortGuides(guides: readonly GuideStats[], sort: SortState): GuideStats[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return [...guides].sort((a, b) => {
    if (sort.column === 'name') return sign * byName.compare(a.name, b.name);
    const x = cell(a, sort.column);
    const y = cell(b, sort.column);
    if (x === null || y === null)
      return x === y ? byName.compare(a.name, b.name) : x === null ? 1 : -1;
    return sign * (x - y) || byName.compare(a.name, b.name);
  });
}

/** Per-guide figures: how the chain shares credit between the store and its guides. */
export function GuideTable({ guides }: { guides: readonly GuideStats[] }) {
  const { t, i18n } = useTranslation('dashboard');
  const [sort, setSort] = useState<SortState>({ column: 'revenue', direction: 'desc' });
  const rows = sortGuides(guides, sort);
  // 净销售额 only when the hub sends per-guide after-sale figures (issue #16 and later).
  const withNet = guides.some((g) => g.afterSale !== undefined);
  const columns = withNet ? COLUMNS : COLUMNS.filter((c) => c.key !== 'netRevenue');
  const toggle = (column: GuideColumn) =>
    setSort((s) =>
      s.column === column
        ? { column, direction: s.direction === 'asc' ? 'desc' : 'asc' }
        : { column, direction: column === 'name' ? 'asc' : 'desc' },
    );
  return (
    <section className="dashboard-card guide-table" aria-labelledby="dashboard-guides-title">
      <h2 id="dashboard-guides-title">{t('guides.title')}</h2>
      {rows.length === 0 ? (
        <p className="dashboard-empty">{t('guides.empty')}</p>
      ) : (
        <table aria-labelledby="dashboard-guides-title">
          <thead>
            <tr>
              {columns.map(({ key, format }) => {
                const active = sort.column === key;
                return (
                  <th
                    key={key}
                    scope="col"
                    className={format ? 'num' : undefined}
                    aria-sort={
                      active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'
                    }
                  >
                    <button type="button" onClick={() => toggle(key)} title={t('guides.sortHint')}>
                      {t(`guides.${key}`)}
                      <span aria-hidden="true" className="sort-mark">
                        {active ? (sort.direction === 'asc' ? ' ↑' : ' ↓') : ''}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => (
              <tr key={g.guideId}>
                {columns.map(({ key, format }) =>
                  format === null ? (
                    <th key={key} scope="row">
                      {g.name}
                    </th>
                  ) : (
                    <td key={key} className="num">
                      {formatKpi(
                        cell(g, key as Exclude<GuideColumn, 'name'>),
                        format,
                        i18n.language,
                      )}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
