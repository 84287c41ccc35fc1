import { useTranslation } from 'react-i18next';
import { funnel, type KpiCounts } from '../../shared/domain/kpi';
import { formatKpi } from './format';

/**
 * Footfall → recognised → alerted → claimed → converted as bars (width = share of footfall),
 * with how many dropped between steps. Plain CSS: five bars need no chart library.
 */
export function FunnelChart({ counts }: { counts: KpiCounts | null }) {
  const { t, i18n } = useTranslation('dashboard');
  const locale = i18n.language;
  const steps = counts ? funnel(counts) : [];
  const widest = Math.max(1, ...steps.map((s) => s.value));
  return (
    <section className="dashboard-card funnel" aria-labelledby="dashboard-funnel-title">
      <h2 id="dashboard-funnel-title">{t('funnel.title')}</h2>
      <ol className="funnel__steps">
        {steps.map((step) => (
          <li
            key={step.key}
            className="funnel__step"
            aria-label={`${t(`kpi.${step.key}`)} ${formatKpi(step.value, 'count', locale)}`}
          >
            {step.drop !== null && (
              <div className={`funnel__drop${step.drop > 0 ? '' : ' funnel__drop--none'}`}>
                <span>
                  {step.drop >= 0
                    ? t('funnel.drop', { count: formatKpi(step.drop, 'count', locale) })
                    : t('funnel.gain', { count: formatKpi(-step.drop, 'count', locale) })}
                </span>
                <span className="funnel__drop-rate">
                  {t('funnel.ofPrevious', {
                    rate: formatKpi(step.fromPrevious, 'percent', locale),
                  })}
                </span>
              </div>
            )}
            <div className="funnel__row">
              <span className="funnel__label">{t(`kpi.${step.key}`)}</span>
              <span className="funnel__track">
                <span
                  className="funnel__bar"
                  style={{ width: `${Math.max(0.5, (step.value / widest) * 100)}%` }}
                />
              </span>
              <span className="funnel__value">{formatKpi(step.value, 'count', locale)}</span>
              <span className="funnel__share">{formatKpi(step.ofFirst, 'percent', locale)}</span>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
