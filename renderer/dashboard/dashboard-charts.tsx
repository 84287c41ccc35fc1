import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Figures } from './figures';
import { formatKpi } from './format';
import { UPlotChart, type ChartSeries } from './uplot-chart';

const COLORS = {
  footfall: '#8aa4c8',
  recognized: '#1f6feb',
  orders: '#d9480f',
  revenue: '#2b8a3e',
};

/**
 * The hours from the first with any activity to the last, one either side: a store open 10–22
 * should not spend half its chart on the night. A day with no activity keeps all its hours.
 */
export function activeHours<
  H extends { footfall: number; recognizedVisits: number; orders: number },
>(hours: readonly H[]): H[] {
  const busy = (h: H) => h.footfall + h.recognizedVisits + h.orders > 0;
  const first = hours.findIndex(busy);
  if (first < 0) return [...hours];
  const last = hours.length - 1 - [...hours].reverse().findIndex(busy);
  return hours.slice(Math.max(0, first - 1), Math.min(hours.length, last + 2));
}

/** The day by hour (DST days have 23 or 25 entries, labelled by wall-clock time). */
export function HourlyChart({ figures }: { figures: Figures }) {
  const { t } = useTranslation('dashboard');
  const hours = useMemo(() => activeHours(figures.days[0]?.byHour ?? []), [figures]);
  const xLabels = useMemo(() => hours.map((h) => h.label), [hours]);
  const series = useMemo<ChartSeries[]>(
    () => [
      {
        label: t('kpi.footfall'),
        values: hours.map((h) => h.footfall),
        color: COLORS.footfall,
        kind: 'bars',
      },
      {
        label: t('kpi.recognizedVisits'),
        values: hours.map((h) => h.recognizedVisits),
        color: COLORS.recognized,
        kind: 'line',
      },
      {
        label: t('kpi.orders'),
        values: hours.map((h) => h.orders),
        color: COLORS.orders,
        kind: 'line',
      },
    ],
    [hours, t],
  );
  return (
    <section className="dashboard-card" aria-labelledby="dashboard-hourly-title">
      <h2 id="dashboard-hourly-title">{t('chart.hourly')}</h2>
      <UPlotChart title={t('chart.hourly')} xLabels={xLabels} series={series} />
    </section>
  );
}

/** A range by day: footfall and orders, with revenue on its own axis. */
export function TrendChart({ figures }: { figures: Figures }) {
  const { t, i18n } = useTranslation('dashboard');
  const days = figures.days;
  const xLabels = useMemo(() => days.map((d) => d.date.slice(5)), [days]);
  const series = useMemo<ChartSeries[]>(
    () => [
      {
        label: t('kpi.footfall'),
        values: days.map((d) => d.footfall),
        color: COLORS.footfall,
        kind: 'bars',
      },
      {
        label: t('kpi.orders'),
        values: days.map((d) => d.orders),
        color: COLORS.orders,
        kind: 'line',
      },
      {
        label: t('kpi.revenue'),
        values: days.map((d) => d.revenue),
        color: COLORS.revenue,
        kind: 'line',
        rightAxis: true,
      },
    ],
    [days, t],
  );
  const locale = i18n.language;
  const formatRight = useMemo(
    () => (fen: number) =>
      formatKpi(Math.round(fen / 100) * 100, 'fen', locale).replace(/\.00$/, ''),
    [locale],
  );
  return (
    <section className="dashboard-card" aria-labelledby="dashboard-trend-title">
      <h2 id="dashboard-trend-title">{t('chart.trend')}</h2>
      <UPlotChart
        title={t('chart.trend')}
        xLabels={xLabels}
        series={series}
        formatRight={formatRight}
      />
    </section>
  );
}
