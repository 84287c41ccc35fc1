import { useTranslation } from 'react-i18next';
import { change, type KpiCounts, type KpiRatios } from '../../shared/domain/kpi';
import type { KpiFormat } from './format';
import { KpiTile } from './kpi-tile';

type KpiKey = keyof (KpiCounts & KpiRatios);

/** The tiles in reading order: traffic, then what it turned into, then the ratios. */
export const KPI_TILES: readonly { key: KpiKey; format: KpiFormat; ratio?: true }[] = [
  { key: 'footfall', format: 'count' },
  { key: 'recognizedVisits', format: 'count' },
  { key: 'alerts', format: 'count' },
  { key: 'claimedAlerts', format: 'count' },
  { key: 'convertedVisits', format: 'count' },
  { key: 'orders', format: 'count' },
  { key: 'units', format: 'count' },
  { key: 'revenue', format: 'fen' },
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
}: {
  current: Figures | null;
  baseline: Figures | null;
  loading: boolean;
}) {
  const { t } = useTranslation('dashboard');
  return (
    <div className="kpi-tiles">
      {KPI_TILES.map(({ key, format, ratio }) => (
        <KpiTile
          key={key}
          label={t(`kpi.${key}`)}
          value={current ? current[key] : null}
          format={format}
          change={current && baseline ? change(current[key], baseline[key]) : null}
          hint={ratio ? t(`kpiHint.${key as 'atv'}`) : undefined}
          loading={loading && current === null}
        />
      ))}
    </div>
  );
}
