import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiClient } from '../shared/api-client';
import { endpoints, type ChainStats } from '../shared/protocol';
import { formatKpi } from '../renderer/dashboard/format';
import { UPlotChart, type ChartSeries } from '../renderer/dashboard/uplot-chart';
import { FIGURES, FiguresTable } from './figures-table';
import type { Failure } from './hub';
import type { Period } from './period';
import { LoadStatus } from './load-status';
import { useHub } from './use-hub';

const PALETTE = ['#1f6feb', '#d9480f', '#2b8a3e', '#ae3ec9', '#f59f00', '#0c8599', '#e64980'];

/** The chain's KPIs for the period: tiles, regions, stores and a chart per store. */
export function ChainView({
  api,
  period,
  onFailure,
}: {
  api: ApiClient;
  period: Period;
  onFailure(f: Failure): void;
}) {
  const loaded = useHub(
    `${period.from}/${period.to}`,
    () => api.call(endpoints.adminChainStats, { query: period }),
    onFailure,
  );
  if (loaded.state !== 'ready') return <LoadStatus loaded={loaded} />;
  return <ChainFiguresView stats={loaded.value} />;
}

function ChainFiguresView({ stats }: { stats: ChainStats }) {
  const { t, i18n } = useTranslation('console');
  const locale = i18n.language;
  const noRegion = t('table.noRegion');
  return (
    <>
      <section className="tiles" aria-label={t('tabs.kpis')}>
        <div role="group" aria-label={t('kpi.stores')} className="tile">
          <span>{t('kpi.stores')}</span>
          <strong data-testid="kpi-value">{formatKpi(stats.total.stores, 'count', locale)}</strong>
        </div>
        {FIGURES.map(([key, format]) => (
          <div key={key} role="group" aria-label={t(`kpi.${key}`)} className="tile">
            <span>{t(`kpi.${key}`)}</span>
            <strong data-testid="kpi-value">{formatKpi(stats.total[key], format, locale)}</strong>
          </div>
        ))}
      </section>
      <FiguresTable
        caption={t('table.regions')}
        labelHeader={t('table.region')}
        extraHeader={t('kpi.stores')}
        extraIsCount
        rows={stats.regions.map((r) => ({
          ...r,
          id: r.region ?? '',
          label: r.region ?? noRegion,
          extra: String(r.stores),
        }))}
      />
      <FiguresTable
        caption={t('table.stores')}
        labelHeader={t('table.store')}
        extraHeader={t('table.region')}
        rows={stats.stores.map((s) => ({
          ...s,
          id: s.storeId,
          label: s.name,
          extra: s.region ?? noRegion,
        }))}
      />
      <StoreCharts stats={stats} />
    </>
  );
}

/** Daily revenue and conversion, one line per store (the figures are in the tables too). */
function StoreCharts({ stats }: { stats: ChainStats }) {
  const { t } = useTranslation('console');
  const xLabels = useMemo(() => stats.stores[0]?.days.map((d) => d.date.slice(5)) ?? [], [stats]);
  const [revenue, conversion] = useMemo(() => {
    const series = (pick: (d: ChainStats['stores'][number]['days'][number]) => number) =>
      stats.stores.map((s, i): ChartSeries => ({
        label: s.name,
        values: s.days.map(pick),
        color: PALETTE[i % PALETTE.length]!,
        kind: 'line',
      }));
    return [
      // Thousands of yuan, one decimal: a busy store's day stays legible on the chart's axis.
      series((d) => Math.round(d.revenue / 10_000) / 10),
      // A day without footfall has no conversion: drawn at 0, shown as "—" in the tables.
      series((d) => Math.round((d.conversionRate ?? 0) * 1000) / 10),
    ];
  }, [stats]);
  if (stats.stores.length === 0) return null;
  return (
    <div className="charts">
      <section aria-label={t('chart.revenue')}>
        <h3>{t('chart.revenue')}</h3>
        <UPlotChart title={t('chart.revenue')} xLabels={xLabels} series={revenue} />
      </section>
      <section aria-label={t('chart.conversion')}>
        <h3>{t('chart.conversion')}</h3>
        <UPlotChart title={t('chart.conversion')} xLabels={xLabels} series={conversion} />
      </section>
    </div>
  );
}
