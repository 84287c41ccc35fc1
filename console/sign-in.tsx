import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { endpoints } from '../shared/protocol';
import { consoleApi, failureOf, type Failure } from './hub';

/** The admin key, checked against the hub (a cheap admin read) before it is kept for the tab. */
export function SignIn({
  notice,
  onSignedIn,
}: {
  notice: string | null;
  onSignedIn(key: string): void;
}) {
  const { t } = useTranslation('console');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const typed = key.trim();
    if (!typed) return;
    setBusy(true);
    setFailure(null);
    const result = await consoleApi(() => typed).call(endpoints.adminListStores);
    setBusy(false);
    if (result.ok) onSignedIn(typed);
    else setFailure(failureOf(result.error));
  };

  const message =
    failure === null
      ? notice
      : failure.kind === 'wrong_key'
        ? t('signIn.wrongKey')
        : failure.kind === 'rate_limited'
          ? t('signIn.rateLimited', { seconds: failure.seconds })
          : t('signIn.network', { message: failure.message });
  return (
    <form className="sign-in" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading">{t('signIn.heading')}</h2>
      <label>
        {t('signIn.key')}
        <input
          type="password"
          autoComplete="off"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          required
        />
      </label>
      <p className="hint">{t('signIn.hint')}</p>
      {message && (
        <p role="alert" className="error">
          {message}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('signIn.submit')}
      </button>
    </form>
  );
}
