import { useTranslation } from 'react-i18next';
import type { Loaded } from './use-hub';

/** Loading, or why a view could not load (a wrong key signs out; see console-app.tsx). */
export function LoadStatus({ loaded }: { loaded: Exclude<Loaded<unknown>, { state: 'ready' }> }) {
  const { t } = useTranslation('console');
  if (loaded.state === 'loading') return <p role="status">{t('loading')}</p>;
  const { failure } = loaded;
  return (
    <p role="alert" className="error">
      {failure.kind === 'rate_limited'
        ? t('signIn.rateLimited', { seconds: failure.seconds })
        : failure.kind === 'wrong_key'
          ? t('signIn.expired')
          : t('failed', { message: failure.message })}
    </p>
  );
}
