// First: tells zod there is no eval here, before any module parses (shared/web/no-eval.ts).
import '../shared/web/no-eval';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from '../renderer/i18n/i18n';
import { ConsoleApp } from './console-app';
import { consoleLocales } from './locales';
import './console.css';

/** Head office's web console (issue #15 item 6), served by the hub at /console/. */
const i18n = createI18n({
  'zh-CN': { console: consoleLocales['zh-CN'] },
  en: { console: consoleLocales.en },
});
i18n.on('languageChanged', (lng) => document.documentElement.setAttribute('lang', lng));

createRoot(document.getElementById('root')!).render(
  <I18nextProvider i18n={i18n}>
    <ConsoleApp />
  </I18nextProvider>,
);
