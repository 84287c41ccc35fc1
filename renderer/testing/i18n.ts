import { createAppI18n } from '../app/locales';
import type { Language } from '../i18n/i18n';

/**
 * A fresh i18n instance with every namespace, for a component test of one feature (features do
 * not import the composition root; test support may).
 */
export const testI18n = (language?: Language) => createAppI18n(language);
