import { useTranslation } from 'react-i18next';
import { formatChange, formatKpi, formatPointChange, NO_VALUE, type KpiFormat } from './format';

export type KpiTileProps = {
  label: string;
  value: number | null;
  format: KpiFormat;
  /** change against the same weekday last week, as a fraction; null when undefined */
  change: number | null;
  /** for rates: the comparison value, so the change shows in percentage points instead */
  baseline?: number | null;
  /** how a ratio is computed, for the manager who asks "of what?" */
  hint?: string;
  /** no figures yet (first load): a placeholder, not a zero */
  loading?: boolean;
  /** what the change is against; "vs last week" unless said */
  changeLabel?: string;
  /** twice as wide, for a figure that runs long (revenue in yuan) */
  wide?: boolean;
  /** a rise is bad news (refunds, returns rate): ▲ in the "down" colour, ▼ in the "up" one */
  lowerIsBetter?: boolean;
};

/**
 * One KPI: the figure, and ▲/▼ against last week. A group labelled with the KPI name, so a
 * screen reader (and the end-to-end test) finds "订单数" and reads its value and change.
 */
export function KpiTile({
  label,
  value,
  format,
  change,
  hint,
  loading = false,
  wide = false,
  changeLabel,
  baseline,
  lowerIsBetter = false,
}: KpiTileProps) {
  const { t, i18n } = useTranslation('dashboard');
  const locale = i18n.language;
  const against = changeLabel ?? t('vsLastWeek');
  const shown = loading ? NO_VALUE : formatKpi(value, format, locale);
  const LONG_VALUE = 7;
  const delta = loading
    ? { text: NO_VALUE, direction: 'none' as const }
    : baseline !== undefined
      ? formatPointChange(value, baseline, locale)
      : formatChange(change, locale);
  // The colour says good or bad; the arrow keeps saying up or down.
  const tone =
    lowerIsBetter && delta.direction === 'up'
      ? 'down'
      : lowerIsBetter && delta.direction === 'down'
        ? 'up'
        : delta.direction;
  return (
    <div
      role="group"
      aria-label={label}
      aria-busy={loading}
      className={`kpi-tile${loading ? ' kpi-tile--loading' : ''}${wide ? ' kpi-tile--wide' : ''}`}
    >
      <div className="kpi-tile__label">{label}</div>
      <div
        // Long amounts (¥1,223.75) get a smaller size instead of being cut off in a narrow tile.
        className={`kpi-tile__value${!wide && shown.length > LONG_VALUE ? ' kpi-tile__value--long' : ''}`}
        data-testid="kpi-value"
      >
        {loading ? <span className="kpi-tile__skeleton" aria-label={t('loading')} /> : shown}
      </div>
      <div
        className={`kpi-tile__change kpi-change--${tone}`}
        aria-label={`${against} ${delta.text}`}
      >
        <span className="kpi-tile__change-text">{delta.text}</span>
        <span className="kpi-tile__change-label">{against}</span>
      </div>
      {hint !== undefined && <div className="kpi-tile__hint">{hint}</div>}
    </div>
  );
}
