import { commonLocales } from '../i18n/common-locales';
import { shellLocales } from './shell-locales';
import { arrivalsLocales } from '../arrivals/locales';
import { enrolLocales } from '../enrol/locales';
import { sessionLocales } from '../session/locales';
import { syncStatusLocales } from '../sync-status/locales';
import { dashboardLocales } from '../dashboard/locales';
import { customersLocales } from '../customers/locales';
import { ordersLocales } from '../orders/locales';
import { afterSaleLocales } from '../orders/after-sale-locales';
import { followUpsLocales } from '../follow-ups/locales';
import { outreachLocales } from '../outreach/locales';
import { uiLocales } from '../ui/locales';
import { createI18n, type Language } from '../i18n/i18n';

/**
 * Every feature's strings, by language then namespace (the composition root collects them, so
 * i18n/ depends on no feature). A feature adds one line here:
 * `import { ordersLocales } from '../orders/locales'` and `orders: ordersLocales[lang]` below.
 */
export const resources = {
  'zh-CN': {
    common: commonLocales['zh-CN'],
    ui: uiLocales['zh-CN'],
    shell: shellLocales['zh-CN'],
    enrol: enrolLocales['zh-CN'],
    session: sessionLocales['zh-CN'],
    arrivals: arrivalsLocales['zh-CN'],
    'sync-status': syncStatusLocales['zh-CN'],
    dashboard: dashboardLocales['zh-CN'],
    customers: customersLocales['zh-CN'],
    orders: ordersLocales['zh-CN'],
    'after-sale': afterSaleLocales['zh-CN'],
    'follow-ups': followUpsLocales['zh-CN'],
    outreach: outreachLocales['zh-CN'],
  },
  en: {
    common: commonLocales.en,
    ui: uiLocales.en,
    shell: shellLocales.en,
    enrol: enrolLocales.en,
    session: sessionLocales.en,
    arrivals: arrivalsLocales.en,
    'sync-status': syncStatusLocales.en,
    dashboard: dashboardLocales.en,
    customers: customersLocales.en,
    orders: ordersLocales.en,
    'after-sale': afterSaleLocales.en,
    'follow-ups': followUpsLocales.en,
    outreach: outreachLocales.en,
  },
};

/** The app's i18n instance: every namespace above. */
export const createAppI18n = (language?: Language) => createI18n(resources, language);
