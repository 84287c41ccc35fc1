import { useTranslation } from 'react-i18next';
import type { DwellStats } from '../../shared/protocol';

/**
 * Time in store (#16 item 6): the median visit of recognised customers who bought and of those
 * who did not, from their first to their last presence sighting.
 */
export function DwellCard({ dwell }: { dwell: DwellStats }) {
  const { t, i18n } = useTranslation('dashboard');
  const rows = [
    ['converted', dwell.converted],
    ['notConverted', dwell.notConverted],
  ] as const;
  return (
    <section className="dashboard-card dwell" aria-labelledby="dwell-title">
      <h2 id="dwell-title">{t('dwell.title')}</h2>
      <dl>
        {rows.map(([key, group]) => (
          <div key={key}>
            <dt>{t(`dwell.${key}`)}</dt>
            <dd>
              <strong>
                {group.medianMinutes === null
                  ? t('dwell.none')
                  : t('dwell.minutes', {
                      minutes: group.medianMinutes.toLocaleString(i18n.language),
                    })}
              </strong>{' '}
              <span className="dwell__visits">{t('dwell.visits', { count: group.visits })}</span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
