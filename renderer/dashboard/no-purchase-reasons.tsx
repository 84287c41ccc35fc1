import { useTranslation } from 'react-i18next';
import { NO_PURCHASE_REASONS, type NoPurchaseCounts } from '../../shared/protocol';

/**
 * Why claimed customers left without buying in the period (#15 item 5): one bar per reason, the
 * count beside it (the text carries the figure; the bar is decoration), largest reason first.
 */
export function NoPurchaseReasons({ counts }: { counts: NoPurchaseCounts }) {
  const { t } = useTranslation('dashboard');
  const total = NO_PURCHASE_REASONS.reduce((sum, r) => sum + counts[r], 0);
  const max = Math.max(1, ...NO_PURCHASE_REASONS.map((r) => counts[r]));
  const rows = [...NO_PURCHASE_REASONS].sort((a, b) => counts[b] - counts[a]);
  return (
    <section className="no-purchase" aria-labelledby="no-purchase-title">
      <h2 id="no-purchase-title">
        {t('noPurchase.title')}{' '}
        <span className="no-purchase__total">{t('noPurchase.total', { count: total })}</span>
      </h2>
      {total === 0 ? (
        <p className="no-purchase__empty">{t('noPurchase.none')}</p>
      ) : (
        <table className="no-purchase__table">
          <tbody>
            {rows.map((reason) => (
              <tr key={reason}>
                <th scope="row">{t(`noPurchase.reasons.${reason}`)}</th>
                <td className="no-purchase__bar-cell">
                  <span
                    className="no-purchase__bar"
                    style={{ width: `${(counts[reason] / max) * 100}%` }}
                    aria-hidden="true"
                  />
                </td>
                <td className="no-purchase__count">{counts[reason]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
