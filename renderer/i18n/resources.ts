import { commonLocales } from './common-locales';

/**
 * Every feature's strings, by language then namespace. A feature adds one line here:
 * `import { ordersLocales } from '../orders/locales'` and `orders: ordersLocales[lang]` below.
 */
export const resources = {
  'zh-CN': { common: commonLocales['zh-CN'] },
  en: { common: commonLocales.en },
};
