import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen } from '../../shared/domain/money';
import { namedSize, shownStock, type HerSizeAnswer } from '../../shared/domain/styles';
import type { ProductItem, StockedItem } from '../../shared/protocol';
import { useHerSize } from '../core/her-size';
import { useNextBest } from '../core/next-best';
import { HerSize } from '../ui/her-size';
import { NextBest } from '../ui/next-best';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import type { StoredAlert } from '../data/alerts';
import { useIsOnline } from '../core/use-online';
import { arrivalState, minutesSince, presenceOf } from './arrival-state';
import type { ClaimOutcome } from './arrival-actions';
import { useArrivals, useClaim } from './use-arrivals';
import { PhoneTail } from '../ui/customer-badges';
import { BindingBadge } from '../ui/binding-badge';
import { useCustomerBinding } from '../core/use-binding';
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
  const { terminal } = useServices();
  const guide = useAppStore((s) => s.guide);
  const navigate = useAppStore((s) => s.navigate);
  const claim = useClaim();
  const [claiming, setClaiming] = useState(false);
  const [outcome, setOutcome] = useState<ClaimOutcome | null>(null);
  const state = arrivalState(alert, guide?.id ?? null, now);
  const card = alert.card;
  const minutes = minutesSince(alert.at, now);
  const presence = presenceOf(alert, now, terminal.settings.presenceSilenceMinutes);
  const sizes = Object.entries(card.sizes).filter(([, v]) => v);
  // Whose customer: from the cached profile (the feed carries the binding), so offline too.
  const binding = useCustomerBinding(card.customerId);
  // Her size and this store's stock from the cached catalog (the hub's latest figure less this
  // terminal's own unsynced sales); the card's own figure is from the moment she walked in.
  const shown = [card.wishlisted, card.carted, card.viewed].flatMap((l) => l.slice(0, TOP_ITEMS));
  const herSize = useHerSize(
    shown.map((i) => i.sku),
    card.sizes,
  );
  const cached = herSize.status === 'ready' ? herSize.value : null;
  // What to bring her, ranked on this terminal from the card and the cached catalog (offline).
  const nextBest = useNextBest({
    sizes: card.sizes,
    favouriteCategories: card.favouriteCategories,
    online: { viewed: card.viewed, carted: card.carted, wishlisted: card.wishlisted },
    lastPurchases: card.lastPurchases,
  });
  const addToOrder = (sku: string) =>
    navigate({ name: 'order', customerId: card.customerId, alertId: alert.alertId, addSku: sku });

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
        <BindingBadge binding={binding} signedInGuideId={guide?.id ?? null} />
        <span className="arrival-phone">
          <PhoneTail last4={card.phoneLast4} fallback={t('phoneUnknown')} />
        </span>
        <span className="arrival-when">
          {presence.kind === 'here' && presence.minutes > 0 ? (
            <span className="arrival-presence here">
              {t('inStore', { count: presence.minutes })}
            </span>
          ) : presence.kind === 'left' ? (
            <span className="arrival-presence left">
              {t('mayHaveLeft', { count: presence.silentMinutes })}
            </span>
          ) : minutes === 0 ? (
            t('justNow')
          ) : (
            t('minutesAgo', { count: minutes })
          )}{' '}
          · {t(`sources.${alert.source}`)}
        </span>
      </header>
      <p className="arrival-sizes">
        {sizes.length === 0
          ? t('noSizes')
          : sizes.map(([k, v]) => `${t(`sizes.${k}`)} ${v}`).join(' · ')}
      </p>
      <div className="arrival-items">
        <ItemList
          title={t('wishlisted')}
          items={card.wishlisted}
          lang={i18n.language}
          cached={cached}
          online={online}
          onAdd={addToOrder}
        />
        <ItemList
          title={t('carted')}
          items={card.carted}
          lang={i18n.language}
          cached={cached}
          online={online}
          onAdd={addToOrder}
        />
        <ItemList
          title={t('viewed')}
          items={card.viewed}
          lang={i18n.language}
          cached={cached}
          online={online}
          onAdd={addToOrder}
        />
      </div>
      {nextBest.status === 'ready' && <NextBest items={nextBest.value} onAdd={addToOrder} />}
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

function ItemList({
  title,
  items,
  lang,
  cached,
  online,
  onAdd,
}: {
  title: string;
  items: StockedItem[];
  lang: string;
  cached: { products: Map<string, ProductItem>; answers: Map<string, HerSizeAnswer> } | null;
  online: boolean;
  onAdd: (sku: string) => void;
}) {
  const { t } = useTranslation('arrivals');
  const titleId = useId();
  if (items.length === 0) return null;
  // The list is named by its heading (心愿单 / 加购 / 浏览): a screen reader, and a test, can
  // tell it from the 推荐给她 list beside it, which names the same products.
  return (
    <div className="arrival-item-group">
      <h2 id={titleId}>{title}</h2>
      <ul aria-labelledby={titleId}>
        {items.slice(0, TOP_ITEMS).map((item) => {
          const product = cached?.products.get(item.sku);
          const answer = cached?.answers.get(item.sku);
          const here = product ? shownStock(product.stock) : item.stockHere;
          const size = namedSize(product?.size);
          return (
            <li key={`${item.sku}-${item.at}`}>
              <span className="item-name">
                {item.name ?? item.sku}
                {/* which size she looked at: two sizes of one style otherwise read as twins */}
                {size !== null && <span className="item-size">{t('itemSize', { size })}</span>}
              </span>
              {item.price !== null && (
                <span className="item-price">{formatFen(item.price, lang)}</span>
              )}
              <span className={`stock ${here === null ? 'unknown' : here > 0 ? 'in' : 'out'}`}>
                {here === null
                  ? t('stockUnknown')
                  : here > 0
                    ? t('inStock', { count: here })
                    : t('outOfStock')}
              </span>
              {answer && (
                <HerSize
                  answer={answer}
                  name={item.name ?? item.sku}
                  onAdd={onAdd}
                  online={online}
                  compact
                />
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
