import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localToday, periodOf, validPeriod, type Period, type PeriodKind } from './period';

/** Day / week / month around a date, or any period of up to 92 days. */
export function PeriodBar({ period, onChange }: { period: Period; onChange(p: Period): void }) {
  const { t } = useTranslation('console');
  const [kind, setKind] = useState<PeriodKind>('week');
  const [anchor, setAnchor] = useState(localToday);
  const [custom, setCustom] = useState<Period>(period);
  const invalid = kind === 'custom' && !validPeriod(custom);

  const choose = (next: PeriodKind, date = anchor) => {
    setKind(next);
    if (next !== 'custom' && date) onChange(periodOf(next, date));
  };
  return (
    <section className="period" aria-label={t('period.label')}>
      <div role="group" aria-label={t('period.label')}>
        {(['day', 'week', 'month', 'custom'] as const).map((k) => (
          <button key={k} type="button" aria-pressed={kind === k} onClick={() => choose(k)}>
            {t(`period.${k}`)}
          </button>
        ))}
      </div>
      {kind === 'custom' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!invalid) onChange(custom);
          }}
        >
          <label>
            {t('period.from')}
            <input
              type="date"
              value={custom.from}
              onChange={(e) => setCustom({ ...custom, from: e.target.value })}
            />
          </label>
          <label>
            {t('period.to')}
            <input
              type="date"
              value={custom.to}
              onChange={(e) => setCustom({ ...custom, to: e.target.value })}
            />
          </label>
          <button type="submit" disabled={invalid}>
            {t('period.show')}
          </button>
          {invalid && <span className="error">{t('period.tooLong')}</span>}
        </form>
      ) : (
        <label>
          {t('period.date')}
          <input
            type="date"
            value={anchor}
            onChange={(e) => {
              setAnchor(e.target.value);
              if (e.target.value) choose(kind, e.target.value);
            }}
          />
        </label>
      )}
      <output aria-live="polite">
        {period.from === period.to ? period.from : `${period.from} – ${period.to}`}
      </output>
    </section>
  );
}
