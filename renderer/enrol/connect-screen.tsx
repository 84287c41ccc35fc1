import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeploymentInfo } from '../../shared/bridge';
import type { HubCheckError } from './hub-check';
import './enrol.css';

export type ConnectError = HubCheckError | { kind: 'storage'; message: string };

/**
 * First run: hub address and terminal token. A hub address fixed by deployment (browser mode
 * serves it; IT's config file in Electron) is shown but not editable; a pre-seeded token is
 * validated straight away without asking.
 */
export function ConnectScreen({
  deployment,
  preseeded,
  revoked,
  browserMode,
  onConnect,
}: {
  deployment: DeploymentInfo;
  preseeded: boolean;
  revoked: boolean;
  browserMode: boolean;
  onConnect(input: { hubUrl: string; token: string | null }): Promise<ConnectError | null>;
}) {
  const { t } = useTranslation('enrol');
  const fixedUrl = browserMode || deployment.source === 'config-file' ? deployment.hubUrl : null;
  const [hubUrl, setHubUrl] = useState(deployment.hubUrl ?? '');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConnectError | null>(null);
  const tried = useRef(false);
  const errorId = useId();

  const connect = async (input: { hubUrl: string; token: string | null }) => {
    setBusy(true);
    setError(null);
    const failure = await onConnect(input);
    setBusy(false);
    setError(failure);
  };

  useEffect(() => {
    if (!preseeded || revoked || tried.current || deployment.hubUrl === null) return;
    tried.current = true;
    void connect({ hubUrl: deployment.hubUrl, token: null });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, on first render
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void connect({ hubUrl: fixedUrl ?? hubUrl, token: token.trim() || null });
  };

  const message =
    error === null
      ? null
      : error.kind === 'storage'
        ? t('errors.storage', { message: error.message })
        : t(`errors.${error.kind}`);

  return (
    <main className="enrol" aria-labelledby="enrol-title">
      <h1 id="enrol-title">{t('title')}</h1>
      {revoked && (
        <p role="alert" className="enrol-revoked">
          {t('revoked')}
        </p>
      )}
      {browserMode && (
        <p role="note" className="enrol-warning">
          {t('browserWarning')}
        </p>
      )}
      {preseeded && busy && <p role="status">{t('preseeded')}</p>}
      <p>{t('intro')}</p>
      <form
        className="enrol-form"
        onSubmit={submit}
        aria-describedby={message ? errorId : undefined}
      >
        <label>
          {t('hubUrl')}
          <input
            type="url"
            required
            value={fixedUrl ?? hubUrl}
            readOnly={fixedUrl !== null}
            placeholder="http://192.168.1.20:4600"
            onChange={(event) => setHubUrl(event.target.value)}
          />
        </label>
        <label>
          {t('token')}
          <input
            type="password"
            autoComplete="off"
            required={!preseeded}
            value={token}
            onChange={(event) => setToken(event.target.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? t('connecting') : t('connect')}
        </button>
        {message !== null && (
          <p role="alert" id={errorId} className="enrol-error">
            {message}
          </p>
        )}
      </form>
    </main>
  );
}
