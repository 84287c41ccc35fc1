import { useTranslation } from 'react-i18next';
import type { NextBestItem, NextBestReason } from '../../shared/domain/next-best';
import { formatFen } from '../../shared/domain/money';
import './next-best.css';

/**
 * 推荐给她 (#16 item 5): up to three items to bring her, each with why ("心愿单 · M 码有货 3 件")
 * and one tap to add it to the order. Used by the arrival card and the 360.
 */
export function NextBest({
  items,
  onAdd,
}: {
  items: readonly NextBestItem[];
  onAdd: (sku: string) => void;
}) {
  const { t, i18n } = useTranslation('ui');
  const reason = (r: NextBestReason): string => {
    switch (r.kind) {
      case 'viewed':
        return t('nextBest.reasons.viewed', { count: r.count });
      case 'favourite':
      case 'boughtCategory':
        return t(`nextBest.reasons.${r.kind}`, { category: r.category });
      case 'herSize':
        return t('nextBest.reasons.herSize', { size: r.size, stock: r.stock });
      case 'oneSize':
        return t('nextBest.reasons.oneSize', { stock: r.stock });
      default:
        return t(`nextBest.reasons.${r.kind}`);
    }
  };
  return (
    <section className="next-best" aria-label={t('nextBest.title')}>
      <h3>{t('nextBest.title')}</h3>
      {items.length === 0 ? (
        <p className="next-best-none">{t('nextBest.none')}</p>
      ) : (
        <ol>
          {items.map((item) => (
            <li key={item.styleKey}>
              <span className="next-best-name">
                {item.product.name}
                {item.product.size ? ` ${item.product.size}` : ''}
              </span>
              <span className="next-best-price">
                {formatFen(item.product.price, i18n.language)}
              </span>
              <span className="next-best-why">{item.reasons.map(reason).join(' · ')}</span>
              <button
                type="button"
                aria-label={t('nextBest.addLabel', {
                  name: item.product.name,
                  size: item.product.size ?? '',
                })}
                onClick={() => onAdd(item.product.sku)}
              >
                {t('nextBest.add')}
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
