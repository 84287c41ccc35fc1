import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen } from '../../shared/domain/money';
import type { StockedItem } from '../../shared/protocol';
import { useAppStore } from '../core/store';
import type { StoredAlert } from '../data/alerts';
import { useIsOnline } from '../core/use-online';
import { arrivalState, minutesSince } from './arrival-state';
import type { ClaimOutcome } from './arrival-actions';
import { useArrivals, useClaim } from './use-arrivals';
import { PhoneTail } from '../ui/customer-badges';
import { VisitOutcomePicker } from './visit-outcome-picker';
import './arrivals.css';

const TOP_ITEMS = 3;

/** Home: recognised customers who just walked in, newest first, from the local database. */
export function ArrivalsScreen() {
  const { t } = useTranslation('arrivals');
  const { view, dismiss, reload } = useArrivals();
  const online = useIsOnline();

  return (
    <section className="arrivals" aria-labelledby="arrivals-title">
      <h1 id="arrivals-title">{t('title')}</h1>
      {!online && (
        <p role="status" className="arrivals-offline">
          {t('offline')}
        </p>
      )}
      {view.state === 'loading' && (
        <p role="status" aria-busy="true">
          {t('loading')}
        </p>
      )}
      {view.state === 'error' && <p role="alert">{t('error', { message: view.message })}</p>}
      {view.state === 'ready' && view.arrivals.length === 0 && (
        <p className="arrivals-empty">{t('empty')}</p>
      )}
      {view.state === 'ready' && view.arrivals.length > 0 && (
        <ul className="arrival-list" aria-label={t('title')}>
          {view.arrivals.map((alert) => (
            <li key={alert.alertId}>
              <ArrivalCard
                alert={alert}
                now={view.now}
                online={online}
                onDismiss={() => dismiss(alert.alertId)}
                onChanged={reload}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ArrivalCard({
  alert,
  now,
  online,
  onDismiss,
  onChanged,
}: {
  alert: StoredAlert;
  now: Date;
  online: boolean;
  onDismiss(): void;
  onChanged(): void;
}) {
  const { t, i18n } = useTranslation('arrivals');
  const guide = useAppStore((s) => s.guide);
  const navigate = useAppStore((s) => s.navigate);
  const claim = useClaim();
  const [claiming, setClaiming] = useState(false);
  const [outcome, setOutcome] = useState<ClaimOutcome | null>(null);
  const state = arrivalState(alert, guide?.id ?? null, now);
  const card = alert.card;
  const minutes = minutesSince(alert.at, now);
  const sizes = Object.entries(card.sizes).filter(([, v]) => v);

  const onClaim = async () => {
    setClaiming(true);
    setOutcome(await claim(alert));
    setClaiming(false);
    onChanged();
  };

  const outcomeText =
    outcome === null || outcome.kind === 'won'
      ? null
      : outcome.kind === 'lost'
        ? outcome.by
          ? t('lost', { name: outcome.by })
          : t('lostUnknown')
        : outcome.kind === 'offline'
          ? t('claimOffline')
          : t('claimFailed', { message: outcome.message });

  return (
    <article
      className={`arrival-card arrival-${state.kind}`}
      aria-label={card.name}
      data-alert-id={alert.alertId}
    >
      <header className="arrival-head">
        <button
          type="button"
          className="arrival-name"
          aria-label={t('openProfile', { name: card.name })}
          onClick={() => navigate({ name: 'customer', customerId: card.customerId })}
        >
          {card.name}
        </button>
        <span className={`tier-badge tier-${card.tier}`}>{t(`tiers.${card.tier}`)}</span>
        <span className="arrival-phone">
          <PhoneTail last4={card.phoneLast4} fallback={t('phoneUnknown')} />
        </span>
        <span className="arrival-when">
          {minutes === 0 ? t('justNow') : t('minutesAgo', { count: minutes })} ·{' '}
          {t(`sources.${alert.source}`)}
        </span>
      </header>
      <p className="arrival-sizes">
        {sizes.length === 0
          ? t('noSizes')
          : sizes.map(([k, v]) => `${t(`sizes.${k}`)} ${v}`).join(' · ')}
      </p>
      <div className="arrival-items">
        <ItemList title={t('wishlisted')} items={card.wishlisted} lang={i18n.language} />
        <ItemList title={t('carted')} items={card.carted} lang={i18n.language} />
        <ItemList title={t('viewed')} items={card.viewed} lang={i18n.language} />
      </div>
      <footer className="arrival-actions">
        {state.kind === 'open' && (
          <button
            type="button"
            className="arrival-claim"
            disabled={claiming || !online}
            onClick={() => void onClaim()}
          >
            {claiming ? t('claiming') : t('claim')}
          </button>
        )}
        {state.kind === 'mine' && <strong className="arrival-status mine">{t('mine')}</strong>}
        {state.kind === 'taken' && (
          <strong className="arrival-status taken">{t('taken', { name: state.by })}</strong>
        )}
        {state.kind === 'converted' && <strong className="arrival-status">{t('converted')}</strong>}
        {state.kind === 'expired' && <strong className="arrival-status">{t('expired')}</strong>}
        <button
          type="button"
          onClick={() =>
            navigate({ name: 'order', customerId: card.customerId, alertId: alert.alertId })
          }
        >
          {t('startOrder')}
        </button>
        <button type="button" className="arrival-dismiss" onClick={onDismiss}>
          {t('dismiss')}
        </button>
      </footer>
      {(state.kind === 'mine' || (state.kind === 'taken' && guide?.role === 'manager')) && (
        <VisitOutcomePicker alertId={alert.alertId} />
      )}
      {outcomeText !== null && (
        <p role="alert" className="arrival-outcome">
          {outcomeText}
        </p>
      )}
    </article>
  );
}

function ItemList({ title, items, lang }: { title: string; items: StockedItem[]; lang: string }) {
  const { t } = useTranslation('arrivals');
  if (items.length === 0) return null;
  return (
    <div className="arrival-item-group">
      <h2>{title}</h2>
      <ul>
        {items.slice(0, TOP_ITEMS).map((item) => (
          <li key={`${item.sku}-${item.at}`}>
            <span className="item-name">{item.name ?? item.sku}</span>
            {item.price !== null && (
              <span className="item-price">{formatFen(item.price, lang)}</span>
            )}
            <span
              className={`stock ${item.stockHere === null ? 'unknown' : item.stockHere > 0 ? 'in' : 'out'}`}
            >
              {item.stockHere === null
                ? t('stockUnknown')
                : item.stockHere > 0
                  ? t('inStock', { count: item.stockHere })
                  : t('outOfStock')}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
