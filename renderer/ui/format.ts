import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { enUS, zhCN } from 'date-fns/locale';

/** An ISO instant as the store's wall-clock time, in the UI language (zh-CN: 2026年11月2日 18:05). */
export function formatStoreTime(iso: string, timezone: string, language: string): string {
  const date = new TZDate(iso, timezone);
  return language.startsWith('zh')
    ? format(date, 'yyyy年M月d日 HH:mm', { locale: zhCN })
    : format(date, 'd MMM yyyy HH:mm', { locale: enUS });
}

/** Only the store-local calendar day. */
export function formatStoreDay(iso: string, timezone: string, language: string): string {
  const date = new TZDate(iso, timezone);
  return language.startsWith('zh')
    ? format(date, 'yyyy年M月d日', { locale: zhCN })
    : format(date, 'd MMM yyyy', { locale: enUS });
}

/** Locale tag for money formatting (formatFen) from the UI language. */
export const moneyLocale = (language: string) => (language.startsWith('zh') ? 'zh-CN' : 'en-US');

/** A birthday as terminals get it ("MM-DD", no year) in the UI language: 3月14日 / 14 Mar. */
export function formatMonthDay(monthDay: string, language: string): string {
  const month = Number(monthDay.slice(0, 2));
  const day = Number(monthDay.slice(3, 5));
  // A leap year, so 02-29 formats.
  const date = new Date(Date.UTC(2000, month - 1, day));
  return language.startsWith('zh')
    ? `${month}月${day}日`
    : format(new TZDate(date, 'UTC'), 'd MMM', { locale: enUS });
}
