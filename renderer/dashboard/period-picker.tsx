import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { periodFor, shiftDate, type Period, type PeriodKind } from './period';

const RANGES: readonly Exclude<PeriodKind, 'day'>[] = ['week', 'month', 'last7', 'last30'];

/**
 * Today, any past day (date field and ◀ ▶), or a range ending today. All dates are store-local:
 * `today` comes from the store's time zone, not the PC's.
 */
export function PeriodPicker({
  period,
  today,
  onChange,
}: {
  period: Period;
  today: string;
  onChange(period: Period): void;
}) {
  const { t } = useTranslation('dashboard');
  const isDay = period.kind === 'day';
  const day = isDay ? period.from : today;
  const pickDay = (date: string) => {
    // A future day has no figures; the field's max stops the picker, this stops typing.
    if (date && date <= today) onChange(periodFor('day', today, date));
  };
  // Alt+← / Alt+→ step through days from anywhere on the screen (plain keys belong to the
  // barcode scanner, which types like a keyboard).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      const next = shiftDate(day, e.key === 'ArrowLeft' ? -1 : 1);
      if (next <= today) onChange(periodFor('day', today, next));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [day, today, onChange]);
  return (
    <div className="period-picker" role="toolbar" aria-label={t('period.label')}>
      <div className="period-picker__day">
        <button
          type="button"
          aria-label={t('period.previousDay')}
          aria-keyshortcuts="Alt+ArrowLeft"
          title={`${t('period.previousDay')} (Alt+←)`}
          onClick={() => pickDay(shiftDate(day, -1))}
        >
          ◀
        </button>
        <input
          type="date"
          aria-label={t('period.pickDay')}
          value={day}
          max={today}
          onChange={(e) => pickDay(e.target.value)}
          className={isDay ? 'is-active' : undefined}
        />
        <button
          type="button"
          aria-label={t('period.nextDay')}
          aria-keyshortcuts="Alt+ArrowRight"
          title={`${t('period.nextDay')} (Alt+→)`}
          disabled={day >= today}
          onClick={() => pickDay(shiftDate(day, 1))}
        >
          ▶
        </button>
        <button
          type="button"
          aria-pressed={isDay && period.from === today}
          onClick={() => onChange(periodFor('day', today))}
        >
          {t('period.today')}
        </button>
      </div>
      <div className="period-picker__ranges">
        {RANGES.map((kind) => (
          <button
            key={kind}
            type="button"
            aria-pressed={period.kind === kind}
            onClick={() => onChange(periodFor(kind, today))}
          >
            {t(`period.${kind}`)}
          </button>
        ))}
      </div>
    </div>
  );
}
