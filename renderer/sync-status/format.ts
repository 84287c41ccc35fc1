import type { TFunction } from 'i18next';

/** "3 分钟前" style age of an instant, for pending items and last sync. */
export function formatAge(t: TFunction<'sync-status'>, iso: string, now: Date): string {
  const minutes = Math.floor((now.getTime() - Date.parse(iso)) / 60_000);
  if (minutes < 1) return t('ageNow');
  if (minutes < 120) return t('ageMinutes', { count: minutes });
  return t('ageHours', { count: Math.floor(minutes / 60) });
}
