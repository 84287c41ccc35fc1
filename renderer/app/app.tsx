import { useCallback, useEffect, useMemo, useState } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { ConnectScreen, type ConnectError } from '../enrol/connect-screen';
import { InitialSyncScreen } from '../enrol/initial-sync-screen';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../i18n/i18n';
import { createAppI18n } from './locales';
import { LEGACY_LOCKOUT_KEY } from '../data/pin-lockouts';
import { AppShell } from './app-shell';
import { boot, enrol, type BootDeps, type BootState } from './bootstrap';
import { ServicesProvider } from '../core/services';
import { useAppStore } from '../core/store';

const LANGUAGE_KEY = 'shopguide-language';

export type AppProps = Omit<BootDeps, 'onRevoked'>;

/**
 * The renderer's root: picks up the deployment and stored secrets, then shows Connect (first run
 * or after a revocation), the initial sync, or the working shell.
 */
export function App(props: AppProps) {
  const { storage } = props;
  const [language, setLanguage] = useState<Language>(() => {
    const saved = storage.getItem(LANGUAGE_KEY);
    return (LANGUAGES as readonly string[]).includes(saved ?? '')
      ? (saved as Language)
      : DEFAULT_LANGUAGE;
  });
  const i18n = useMemo(() => createAppI18n(language), []); // eslint-disable-line react-hooks/exhaustive-deps -- one instance; language changes below
  useEffect(() => {
    void i18n.changeLanguage(language);
    document.documentElement.lang = language;
    storage.setItem(LANGUAGE_KEY, language);
  }, [i18n, language, storage]);

  return (
    <I18nextProvider i18n={i18n}>
      <Root {...props} onLanguage={setLanguage} />
    </I18nextProvider>
  );
}

function Root(props: AppProps & { onLanguage(language: Language): void }) {
  const { t } = useTranslation('shell');
  const [state, setState] = useState<BootState>({ stage: 'loading' });
  const [deps] = useState<BootDeps>(() => {
    const built: BootDeps = {
      ...props,
      onUpgrading: () =>
        setState((s) => (s.stage === 'loading' ? { stage: 'loading', upgrading: true } : s)),
      onRevoked: () => {
        // The engine has wiped the database and the secrets; forget the rest and start over.
        useAppStore.getState().resetSession();
        // (the PIN lockouts went with the database; a pre-v9 count in local storage goes here)
        props.storage.removeItem(LEGACY_LOCKOUT_KEY);
        void boot(built).then((next) =>
          setState(next.stage === 'connect' ? { ...next, revoked: true, preseeded: false } : next),
        );
      },
    };
    return built;
  });

  useEffect(() => {
    let live = true;
    // PIN lockouts live in IndexedDB since Dexie v9 (data/pin-lockouts.ts); drop the old copy.
    deps.storage.removeItem(LEGACY_LOCKOUT_KEY);
    void boot(deps).then((next) => live && setState(next));
    return () => {
      live = false;
    };
  }, [deps]);

  const services = state.stage === 'ready' || state.stage === 'syncing' ? state.services : null;
  useEffect(() => {
    if (state.stage !== 'ready' || !services) return;
    void services.engine.start();
  }, [state.stage, services]);
  useEffect(() => () => services?.engine.stop(), [services]);

  const onSynced = useCallback(
    () => setState((s) => (s.stage === 'syncing' ? { stage: 'ready', services: s.services } : s)),
    [],
  );

  switch (state.stage) {
    case 'loading':
      return (
        <p className="boot" role="status">
          {t(state.upgrading ? 'upgrading' : 'starting')}
        </p>
      );
    case 'failed':
      return (
        <p className="boot" role="alert">
          {t('startFailed', { message: state.message })}
        </p>
      );
    case 'connect':
      return (
        <ConnectScreen
          deployment={state.deployment}
          preseeded={state.preseeded}
          revoked={state.revoked}
          browserMode={deps.bridge.platform === 'browser'}
          onConnect={async (input): Promise<ConnectError | null> => {
            const result = await enrol(deps, state.deployment, input);
            if (!result.ok) return result.error;
            setState({ stage: 'syncing', services: result.value });
            return null;
          }}
        />
      );
    case 'syncing':
      return (
        <ServicesProvider services={state.services}>
          <InitialSyncScreen onDone={onSynced} />
        </ServicesProvider>
      );
    case 'ready':
      return (
        <ServicesProvider services={state.services}>
          <AppShell onLanguage={props.onLanguage} />
        </ServicesProvider>
      );
  }
}
