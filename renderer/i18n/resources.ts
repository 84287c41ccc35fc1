import { commonLocales } from './common-locales';
import { dashboardLocales } from '../dashboard/locales';

/**
 * Every feature's strings, by language then namespace. A feature adds one line here:
 * `import { ordersLocales } from '../orders/locales'` and `orders: ordersLocales[lang]` below.
 */
export const resources = {
  'zh-CN': { common: commonLocales['zh-CN'], dashboard: dashboardLocales['zh-CN'] },
  en: { common: commonLocales.en, dashboard: dashboardLocales.en },
};
