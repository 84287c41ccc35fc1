import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { enUS, zhCN } from 'date-fns/locale';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen } from '../../shared/domain/money';
import { useAppStore } from '../core/store';
import { useServices } from '../core/services';
import { ManagerOnly } from '../core/manager-gate';
import { csvFileName, figuresCsv, type CsvLabels } from './csv';
import { HourlyChart, TrendChart } from './dashboard-charts';
import { downloadText } from './download';
import { FunnelChart } from './funnel-chart';
import { DwellCard } from './dwell-card';
import { GuidePerformance } from './guide-performance';
import { GuideTable } from './guide-table';
import { KpiTiles } from './kpi-tiles';
import { NoPurchaseReasons } from './no-purchase-reasons';
import { comparisonPeriod, periodFor, storeToday, type Period } from './period';
import { PeriodPicker } from './period-picker';
import { useDashboard, useExportAudit } from './use-dashboard';
import { useLocalOrders } from './use-local-orders';
import { dashboardLocales } from './locales';
import './dashboard.css';

/** The CSV's column names in the screen's language. */
function csvLabels(t: (key: string) => string): CsvLabels {
  const keys = Object.keys(dashboardLocales['zh-CN'].csv) as (keyof CsvLabels)[];
  return Object.fromEntries(keys.map((k) => [k, t(`csv.${k}`)])) as CsvLabels;
}

/**
 * The store manager's daily review. The shell shows it only to a signed-in manager; the screen
 * guards again so that a guide who reaches it by any other path never sees the figures, and asks
 * the manager for their PIN again when their sign-in is older than `STEP_UP_MINUTES` (the
 * session's step-up, plugged in as the manager gate by the composition root).
 */
export function DashboardScreen() {
  const guide = useAppStore((s) => s.guide);
  const { t } = useTranslation('dashboard');
  if (guide?.role !== 'manager')
    return (
      <section className="dashboard dashboard--refused" aria-label={t('managerOnly')}>
        <div role="alert">
          <h1>{t('managerOnly')}</h1>
          <p>{t('managerOnlyHint')}</p>
        </div>
      </section>
    );
  return (
    <ManagerOnly>
      <ManagerDashboard />
    </ManagerOnly>
  );
}

function ManagerDashboard() {
  const { t, i18n } = useTranslation('dashboard');
  const { terminal, now } = useServices();
  const recordExport = useExportAudit();
  const timezone = terminal.store.timezone;
  const today = storeToday(now(), timezone);
  const [period, setPeriod] = useState<Period>(() => periodFor('day', today));
  const { current, baseline, loading, offline, error, refresh } = useDashboard(period);
  const localOrders = useLocalOrders();
  const locale = i18n.language;
  const dateLocale = locale.startsWith('zh') ? zhCN : enUS;
  const showDate = (date: string) =>
    format(
      new TZDate(`${date}T12:00:00Z`, 'UTC'),
      locale.startsWith('zh') ? 'M月d日 EEE' : 'EEE d MMM',
      {
        locale: dateLocale,
      },
    );
  const showPeriod = (p: Pick<Period, 'from' | 'to'>) =>
    p.from === p.to ? showDate(p.from) : `${showDate(p.from)} – ${showDate(p.to)}`;
  const asOf = current
    ? format(
        new TZDate(current.fetchedAt, timezone),
        locale.startsWith('zh') ? 'M月d日 HH:mm' : 'd MMM HH:mm',
        {
          locale: dateLocale,
        },
      )
    : null;
  const figures = current?.figures ?? null;
  const single = period.from === period.to;

  const exportCsv = () => {
    if (!figures) return;
    downloadText(csvFileName(t('exportFile'), figures), figuresCsv(figures, csvLabels(t)));
    recordExport();
  };

  return (
    <section
      className="dashboard"
      aria-label={t('title')}
      aria-busy={loading}
      data-updown={locale.startsWith('zh') ? 'cn' : 'west'}
    >
      <header className="dashboard__header">
        <div>
          <h1>{t('title')}</h1>
          <p className="dashboard__subtitle">
            {terminal.store.name} · {showPeriod(period)}
            <span className="dashboard__compare">
              {t('comparedWith', { period: showPeriod(comparisonPeriod(period)) })}
            </span>
          </p>
        </div>
        <div className="dashboard__actions">
          <button type="button" onClick={refresh} disabled={loading}>
            {t('refresh')}
          </button>
          <button type="button" onClick={exportCsv} disabled={!figures}>
            {t('export')}
          </button>
        </div>
      </header>

      <PeriodPicker period={period} today={today} onChange={setPeriod} />

      <div className="dashboard__status" role="status" aria-live="polite">
        {offline && asOf !== null && (
          <span className="status-pill status-pill--offline">
            {t('offlineAsOf', { time: asOf })}
          </span>
        )}
        {offline && asOf === null && (
          <span className="status-pill status-pill--offline">{t('offlineNoData')}</span>
        )}
        {error && (
          <span className="status-pill status-pill--error">
            {error.code === 'forbidden' ? t('forbidden') : t('error', { message: error.message })}
          </span>
        )}
        {!offline && !error && asOf !== null && (
          <span className="status-pill">{loading ? t('loading') : t('asOf', { time: asOf })}</span>
        )}
        {loading && asOf === null && <span className="status-pill">{t('loading')}</span>}
      </div>

      {localOrders !== null && localOrders.count > 0 && (
        <div
          className="local-orders"
          role="note"
          aria-label={t('localOrders', {
            count: localOrders.count,
            amount: formatFen(localOrders.total, locale),
          })}
        >
          <strong>
            {t('localOrders', {
              count: localOrders.count,
              amount: formatFen(localOrders.total, locale),
            })}
          </strong>
          <span>{t('localOrdersHint')}</span>
        </div>
      )}

      <KpiTiles
        current={figures?.totals ?? null}
        baseline={baseline?.figures.totals ?? null}
        afterSale={figures?.afterSale}
        baselineAfterSale={baseline?.figures.afterSale}
        loading={loading}
        singleDay={single}
      />

      {figures && (
        <div className="dashboard__grid">
          <FunnelChart counts={figures.totals} />
          {single ? <HourlyChart figures={figures} /> : <TrendChart figures={figures} />}
        </div>
      )}
      {figures?.performance && <GuidePerformance performance={figures.performance} />}
      {figures && <GuideTable guides={figures.byGuide} />}
      {figures?.noPurchaseReasons && <NoPurchaseReasons counts={figures.noPurchaseReasons} />}
      {figures?.dwell && <DwellCard dwell={figures.dwell} />}
    </section>
  );
}
