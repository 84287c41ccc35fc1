import { useTranslation } from 'react-i18next';
import { change, type KpiCounts, type KpiRatios } from '../../shared/domain/kpi';
import type { AfterSaleStats } from '../../shared/protocol';
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

type AfterSaleKey = 'refunds' | 'netRevenue' | 'returnsRate';

/**
 * The after-sale row (issue #16 item 1), as the hub computes it: refunds on the day the goods came
 * back, net revenue = revenue − refunds, returns rate = refunds ÷ revenue of the same period.
 */
export const AFTER_SALE_TILES: readonly {
  key: AfterSaleKey;
  format: KpiFormat;
  wide?: true;
  /** more refunds is bad news: a rise shows in the "down" colour */
  lowerIsBetter?: true;
}[] = [
  { key: 'refunds', format: 'fen', lowerIsBetter: true },
  { key: 'netRevenue', format: 'fen', wide: true },
  { key: 'returnsRate', format: 'percent', lowerIsBetter: true },
];

export function KpiTiles({
  current,
  baseline,
  loading,
  singleDay = true,
  afterSale,
  baselineAfterSale,
}: {
  current: Figures | null;
  baseline: Figures | null;
  /** the period's after-sale figures; undefined from a hub that does not send them */
  afterSale?: AfterSaleStats;
  baselineAfterSale?: AfterSaleStats;
  loading: boolean;
  /** a single day compares with the same weekday last week; a range with its earlier weeks */
  singleDay?: boolean;
}) {
  const { t } = useTranslation('dashboard');
  const changeLabel = singleDay ? t('vsLastWeek') : t('vsEarlierWeeks');
  // While the first figures load the row holds its place; an older hub's answer drops it.
  const showAfterSale = afterSale !== undefined || (current === null && loading);
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
          changeLabel={changeLabel}
        />
      ))}
      {showAfterSale &&
        AFTER_SALE_TILES.map(({ key, format, wide, lowerIsBetter }) => (
          <KpiTile
            key={key}
            label={t(`kpi.${key}`)}
            value={afterSale ? afterSale[key] : null}
            format={format}
            // A negative net (a week of more refunds than sales) gives no meaningful % change.
            change={
              afterSale && baselineAfterSale && (baselineAfterSale[key] ?? 0) > 0
                ? change(afterSale[key], baselineAfterSale[key])
                : null
            }
            hint={t(`kpiHint.${key}`)}
            loading={loading && afterSale === undefined}
            wide={wide}
            lowerIsBetter={lowerIsBetter}
            baseline={
              format === 'percent' ? (baselineAfterSale ? baselineAfterSale[key] : null) : undefined
            }
            changeLabel={changeLabel}
          />
        ))}
    </div>
  );
}
