import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HerSizeAnswer, StyleSku } from '../../shared/domain/styles';
import { useOtherStores } from '../core/her-size';
import './her-size.css';

/**
 * "Her size" for one item she showed interest in (issue #16, item 4): whether her size is here,
 * which other sizes and colours of the style are, one tap to add her size to the order, and —
 * online — which other stores have it, nearest first. Used by the arrival card and the 360.
 */
export function HerSize({
  answer,
  name,
  onAdd,
  online,
  compact = false,
}: {
  answer: HerSizeAnswer;
  /** the item's name, for the add button's label */
  name: string;
  onAdd: (sku: string) => void;
  online: boolean;
  /** the arrival card: her size and the add button, the rest in one short line */
  compact?: boolean;
}) {
  const { t } = useTranslation('ui');
  const { herSku, herSize, herSizeInStock, oneSize, otherSizes, otherColours } = answer;
  const units = (list: StyleSku[]) =>
    list.map((s) => t('herSize.sizeUnits', { size: s.size ?? '', count: s.stock })).join(' · ');
  const otherColour = herSku !== null && herSku.colour !== answer.product.colour;

  let line: string;
  if (oneSize)
    line = herSizeInStock
      ? t('herSize.oneSizeIn', { count: herSku!.stock })
      : t('herSize.oneSizeOut');
  else if (herSize === null) line = t('herSize.unknown');
  else if (herSku === null) line = t('herSize.notMade', { size: herSize });
  else if (!herSizeInStock) line = t('herSize.out', { size: herSize });
  else if (otherColour)
    line = t('herSize.inColour', { size: herSize, colour: herSku.colour, count: herSku.stock });
  else line = t('herSize.in', { size: herSize, count: herSku.stock });

  return (
    <div className={`her-size${compact ? ' compact' : ''}`}>
      <span className={`her-size-line stock ${herSizeInStock ? 'in' : 'out'}`}>{line}</span>
      {herSku !== null && herSizeInStock && (
        <button
          type="button"
          className="her-size-add"
          aria-label={t('herSize.addLabel', {
            name,
            size: oneSize ? t('herSize.oneSize') : herSku.size,
            colour: herSku.colour ?? '',
          })}
          onClick={() => onAdd(herSku.sku)}
        >
          {oneSize ? t('herSize.addOneSize') : t('herSize.add', { size: herSku.size })}
        </button>
      )}
      {otherSizes.length > 0 && (
        <span className="her-size-more">
          {t('herSize.otherSizes')}: {units(otherSizes)}
        </span>
      )}
      {otherColours.length > 0 && (
        <span className="her-size-more">
          {t('herSize.otherColours')}:{' '}
          {otherColours.map((c) => `${c.colour} ${units(c.sizes)}`).join('；')}
        </span>
      )}
      {online && !compact && (
        <OtherStores sku={answer.wantedSku?.sku ?? herSku?.sku ?? answer.product.sku} />
      )}
    </div>
  );
}

/** The chain's other stores holding the SKU, asked for when the guide taps (online only). */
function OtherStores({ sku }: { sku: string }) {
  const { t, i18n } = useTranslation('ui');
  const [asked, setAsked] = useState(false);
  const state = useOtherStores(asked ? sku : null);
  if (!asked)
    return (
      <button type="button" className="her-size-stores link" onClick={() => setAsked(true)}>
        {t('herSize.otherStores')}
      </button>
    );
  if (state.status === 'loading')
    return (
      <span role="status" className="her-size-more">
        {t('herSize.storesLoading')}
      </span>
    );
  if (state.status === 'error')
    return (
      <span role="alert" className="her-size-more">
        {t('herSize.storesError', { message: state.error })}
      </span>
    );
  const stores = state.value?.stores ?? [];
  if (stores.length === 0) return <span className="her-size-more">{t('herSize.storesNone')}</span>;
  const km = (m: number) =>
    (m / 1000).toLocaleString(i18n.language, { maximumFractionDigits: m < 10_000 ? 1 : 0 });
  return (
    <ul className="her-size-stores-list" aria-label={t('herSize.otherStores')}>
      {stores.map((s) => (
        <li key={s.storeId}>
          {t('herSize.storeLine', { name: s.name, km: km(s.distanceM), count: s.stock })}
        </li>
      ))}
    </ul>
  );
}
