import { useTranslation } from 'react-i18next';
import { useAppStore } from '../app/store';

/**
 * The store manager's daily review. The shell shows it only to a signed-in manager; the screen
 * guards again so that a guide who reaches it by any other path never sees the figures.
 */
export function DashboardScreen() {
  const guide = useAppStore((s) => s.guide);
  const { t } = useTranslation('dashboard');
  if (guide?.role !== 'manager')
    return (
      <section className="dashboard dashboard--refused" role="alert" aria-label={t('managerOnly')}>
        <h1>{t('managerOnly')}</h1>
        <p>{t('managerOnlyHint')}</p>
      </section>
    );
  return (
    <section className="dashboard" aria-label={t('title')}>
      <h1>{t('title')}</h1>
    </section>
  );
}
