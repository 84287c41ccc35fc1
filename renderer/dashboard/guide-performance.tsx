import { useTranslation } from 'react-i18next';
import { formatFen } from '../../shared/domain/money';
import {
  NO_PURCHASE_REASONS,
  type GuidePerformance as GuidePerformanceRow,
  type NoPurchaseReason,
  type StorePerformance,
} from '../../shared/protocol';

const COUNT_COLUMNS = [
  'boundCustomers',
  'followUpsDone',
  'followUpsOverdue',
  'convertedVisits',
] as const;
const MONEY_COLUMNS = ['inStoreRevenue', 'creditedOnline', 'creditedRevenue'] as const;

/** The reason the guide's customers gave most often (ties: the protocol's order), or null. */
function topReason(g: GuidePerformanceRow): { reason: NoPurchaseReason; count: number } | null {
  let top: { reason: NoPurchaseReason; count: number } | null = null;
  for (const reason of NO_PURCHASE_REASONS) {
    const count = g.noPurchaseReasons[reason];
    if (count > 0 && (top === null || count > top.count)) top = { reason, count };
  }
  return top;
}

/**
 * 导购业绩 (#15 item 6): per guide the relationship (专属顾客, follow-ups done and overdue), the
 * counter (conversions, sales) and what head office credited them online; the total the benefit
 * sharing is computed on, best first. The store's credited online sales stand above the table.
 */
export function GuidePerformance({ performance }: { performance: StorePerformance }) {
  const { t, i18n } = useTranslation('dashboard');
  const money = (fen: number) => formatFen(fen, i18n.language);
  return (
    <section className="dashboard-card guide-table guide-performance" aria-labelledby="perf-title">
      <h2 id="perf-title">{t('performance.title')}</h2>
      <p className="guide-performance__store">
        {t('performance.storeCredited', {
          amount: money(performance.creditedOnline),
          pool: money(performance.creditedOnlinePool),
        })}
      </p>
      {performance.guides.length === 0 ? (
        <p className="dashboard-empty">{t('guides.empty')}</p>
      ) : (
        <table aria-labelledby="perf-title">
          <thead>
            <tr>
              <th scope="col">{t('guides.name')}</th>
              {[...COUNT_COLUMNS, ...MONEY_COLUMNS].map((key) => (
                <th key={key} scope="col" className="num">
                  {t(`performance.${key}`)}
                </th>
              ))}
              <th scope="col">{t('performance.topReason')}</th>
            </tr>
          </thead>
          <tbody>
            {performance.guides.map((g) => {
              const top = topReason(g);
              return (
                <tr key={g.guideId}>
                  <th scope="row">{g.name}</th>
                  {COUNT_COLUMNS.map((key) => (
                    <td
                      key={key}
                      className={`num${key === 'followUpsOverdue' && g[key] > 0 ? ' overdue' : ''}`}
                    >
                      {g[key]}
                    </td>
                  ))}
                  {MONEY_COLUMNS.map((key) => (
                    <td key={key} className={`num${key === 'creditedRevenue' ? ' total' : ''}`}>
                      {money(g[key])}
                    </td>
                  ))}
                  <td>
                    {top === null
                      ? '—'
                      : t('performance.reason', {
                          reason: t(`noPurchase.reasons.${top.reason}`),
                          count: top.count,
                        })}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="guide-performance__hint">{t('performance.hint')}</p>
    </section>
  );
}
