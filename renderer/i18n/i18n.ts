import i18next, { type i18n as I18n, type Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
/** Chinese first: the counter's default. */
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

/**
 * One i18next instance for the app (and a fresh one per component test). Each feature keeps its
 * strings in `renderer/<feature>/locales.ts` as its own namespace; the composition root collects
 * them (app/locales.ts, `createAppI18n`) and hands them in here.
 */
export function createI18n(resources: Resource, language: Language = DEFAULT_LANGUAGE): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng: language,
    fallbackLng: DEFAULT_LANGUAGE,
    resources,
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return instance;
}
