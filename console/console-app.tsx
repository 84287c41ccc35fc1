import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ChainView } from './chain-view';
import { consoleApi, forgetKey, savedKey, saveKey, type Failure } from './hub';
import { PeriodBar } from './period-bar';
import { localToday, periodOf, type Period } from './period';
import { SignIn } from './sign-in';
import { StatementView } from './statement-view';

type Tab = 'kpis' | 'statement';

/** Signed out: the sign-in form. Signed in: the period, then the chain's KPIs or the statement. */
export function ConsoleApp() {
  const { t, i18n } = useTranslation('console');
  const [key, setKey] = useState<string | null>(savedKey);
  const [notice, setNotice] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('kpis');
  const [period, setPeriod] = useState<Period>(() => periodOf('week', localToday()));
  const api = useMemo(() => consoleApi(savedKey), []);

  const signOut = (message: string | null = null) => {
    forgetKey();
    setKey(null);
    setNotice(message);
  };
  /** A call failed: a key that stopped working signs out; the rest is the view's to show. */
  const onFailure = (failure: Failure) => {
    if (failure.kind === 'wrong_key') signOut(t('signIn.expired'));
  };
  const switchLanguage = (
    <button
      type="button"
      className="link"
      onClick={() => void i18n.changeLanguage(i18n.language === 'en' ? 'zh-CN' : 'en')}
    >
      {t('language')}
    </button>
  );

  if (key === null)
    return (
      <main className="console signed-out">
        <header className="bar">
          <h1>{t('title')}</h1>
          {switchLanguage}
        </header>
        <SignIn
          notice={notice}
          onSignedIn={(k) => {
            saveKey(k);
            setKey(k);
            setNotice(null);
          }}
        />
      </main>
    );
  return (
    <main className="console">
      <header className="bar">
        <h1>{t('title')}</h1>
        <nav aria-label={t('title')}>
          {(['kpis', 'statement'] as const).map((name) => (
            <button
              key={name}
              type="button"
              aria-pressed={tab === name}
              onClick={() => setTab(name)}
            >
              {t(`tabs.${name}`)}
            </button>
          ))}
        </nav>
        {switchLanguage}
        <button type="button" className="link" onClick={() => signOut()}>
          {t('signIn.signOut')}
        </button>
      </header>
      <PeriodBar period={period} onChange={setPeriod} />
      {tab === 'kpis' ? (
        <ChainView api={api} period={period} onFailure={onFailure} />
      ) : (
        <StatementView api={api} period={period} onFailure={onFailure} />
      )}
    </main>
  );
}
