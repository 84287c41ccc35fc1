import { commonLocales } from './common-locales';
import { dashboardLocales } from '../dashboard/locales';
import { customersLocales } from '../customers/locales';
import { ordersLocales } from '../orders/locales';

/**
 * Every feature's strings, by language then namespace. A feature adds one line here:
 * `import { ordersLocales } from '../orders/locales'` and `orders: ordersLocales[lang]` below.
 */
export const resources = {
  'zh-CN': {
    common: commonLocales['zh-CN'],
    dashboard: dashboardLocales['zh-CN'],
    customers: customersLocales['zh-CN'],
    orders: ordersLocales['zh-CN'],
  },
  en: {
    common: commonLocales.en,
    dashboard: dashboardLocales.en,
    customers: customersLocales.en,
    orders: ordersLocales.en,
  },
};
