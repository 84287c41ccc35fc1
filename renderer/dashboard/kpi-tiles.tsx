import { useTranslation } from 'react-i18next';
import { change, type KpiCounts, type KpiRatios } from '../../shared/domain/kpi';
import type { KpiFormat } from './format';
import { KpiTile } from './kpi-tile';

type KpiKey = keyof (KpiCounts & KpiRatios);

/** The tiles in reading order: traffic, then what it turned into, then the ratios. */
export const KPI_TILES: readonly { key: KpiKey; format: KpiFormat; ratio?: true; wide?: true }[] = [
  { key: 'footfall', format: 'count' },
  { key: 'recognizedVisits', format: 'count' },
  { key: 'alerts', format: 'count' },
  { key: 'claimedAlerts', format: 'count' },
  { key: 'convertedVisits', format: 'count' },
  { key: 'orders', format: 'count' },
  { key: 'units', format: 'count' },
  { key: 'revenue', format: 'fen', wide: true },
  { key: 'conversionRate', format: 'percent', ratio: true },
  { key: 'recognizedConversion', format: 'percent', ratio: true },
  { key: 'atv', format: 'fen', ratio: true },
  { key: 'upt', format: 'decimal', ratio: true },
  { key: 'salesPerVisitor', format: 'fen', ratio: true },
];

type Figures = KpiCounts & KpiRatios;

export function KpiTiles({
  current,
  baseline,
  loading,
  singleDay = true,
}: {
  current: Figures | null;
  baseline: Figures | null;
  loading: boolean;
  /** a single day compares with the same weekday last week; a range with its earlier weeks */
  singleDay?: boolean;
}) {
  const { t } = useTranslation('dashboard');
  return (
    <div className="kpi-tiles">
      {KPI_TILES.map(({ key, format, ratio, wide }) => (
        <KpiTile
          key={key}
          label={t(`kpi.${key}`)}
          value={current ? current[key] : null}
          format={format}
          change={current && baseline ? change(current[key], baseline[key]) : null}
          hint={ratio ? t(`kpiHint.${key as 'atv'}`) : undefined}
          loading={loading && current === null}
          wide={wide}
          baseline={format === 'percent' ? (baseline ? baseline[key] : null) : undefined}
          changeLabel={singleDay ? t('vsLastWeek') : t('vsEarlierWeeks')}
        />
      ))}
    </div>
  );
}
