import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen } from '../../shared/domain/money';
import { shownStock, type HerSizeAnswer } from '../../shared/domain/styles';
import type { BehaviourItem, CustomerProfile, ProductItem, Sizes } from '../../shared/protocol';
import { useHerSize } from '../core/her-size';
import { useNextBest } from '../core/next-best';
import { useAppStore } from '../core/store';
import { useServices } from '../core/services';
import { useScanner } from '../core/use-scanner';
import { OfflineNote, PhoneTail, TierBadge } from '../ui/customer-badges';
import { HerSize } from '../ui/her-size';
import { NextBest } from '../ui/next-best';
import { ConsentLine } from '../ui/consent-dialog';
import { formatMonthDay, formatStoreDay, moneyLocale } from '../ui/format';
import { useIsOnline } from '../core/use-online';
import { useCustomerProfile } from './use-customers';
import { CustomerBindingLine } from './binding-transfer';
import { ProfileEditForm } from './profile-edit-form';
import '../ui/screens.css';

type Profile = CustomerProfile & { provisional: boolean };

/**
 * The customer's 360: who they are, what they looked at online (with stock here and one tap to
 * sell it), what they bought, in store and online. Opening it records an audit entry.
 */
export function CustomerScreen({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  const navigate = useAppStore((s) => s.navigate);
  const online = useIsOnline();
  const state = useCustomerProfile(customerId);

  if (state.status === 'loading')
    return (
      <section className="feature-screen" aria-label={t('profile.title')} aria-busy="true">
        <p role="status">{t('profile.loading')}</p>
      </section>
    );
  if (state.status === 'error' || state.value === null)
    return (
      <section className="feature-screen" aria-label={t('profile.title')}>
        <p role="alert" className="error">
          {state.status === 'error'
            ? t('profile.error', { message: state.error })
            : t('profile.notFound')}
        </p>
        <button type="button" onClick={() => navigate({ name: 'lookup' })}>
          {t('profile.searchAgain')}
        </button>
      </section>
    );
  return <Profile360 profile={state.value} online={online} />;
}

function Profile360({ profile: loaded, online }: { profile: Profile; online: boolean }) {
  // An edit saved here shows at once (the cache has it too; the hub merges it when it syncs),
  // until the cache's next version of the profile arrives: that one already holds the edit, and
  // may hold a later one from another counter, which must not stay hidden behind this copy.
  const [edited, setEdited] = useState<{ over: Profile; profile: Profile } | null>(null);
  const [editing, setEditing] = useState(false);
  const profile = edited?.over === loaded ? edited.profile : loaded;
  const { t, i18n } = useTranslation('customers');
  const { terminal } = useServices();
  const navigate = useAppStore((s) => s.navigate);
  const money = (fen: number) => formatFen(fen, moneyLocale(i18n.language));
  const tz = terminal.store.timezone;
  const trail = [...profile.online.viewed, ...profile.online.carted, ...profile.online.wishlisted];
  // The cached catalog, with this terminal's own unsynced sales taken off (offline too).
  const herSize = useHerSize(
    trail.map((i) => i.sku),
    profile.sizes,
  );
  const stock =
    herSize.status === 'ready' ? herSize.value.products : new Map<string, ProductItem>();
  const answers =
    herSize.status === 'ready' ? herSize.value.answers : new Map<string, HerSizeAnswer>();
  const newOrder = (addSku?: string) =>
    navigate({ name: 'order', customerId: profile.id, ...(addSku ? { addSku } : {}) });
  const purchases = [...profile.inStore.lastPurchases].sort((a, b) => b.at.localeCompare(a.at));
  const nextBest = useNextBest({
    sizes: profile.sizes,
    favouriteCategories: profile.favouriteCategories,
    online: profile.online,
    lastPurchases: profile.inStore.lastPurchases,
  });
  const [transferring, setTransferring] = useState(false);
  // A tag scanned while the profile is open starts this customer's order with that item; the
  // order screen looks the code up (SKU or barcode) and says so if it is unknown. Not while the
  // transfer dialog is open: a manager's PIN typed fast and ended with Enter looks like a scan.
  useScanner((code) => (transferring || editing ? false : newOrder(code)));

  return (
    <section className="feature-screen profile" aria-labelledby="profile-name">
      {!online && <OfflineNote text={t('profile.offlineNote')} />}
      <header className="profile-head">
        <div>
          <h1 id="profile-name">{profile.name}</h1>
          <p className="profile-sub">
            <TierBadge tier={profile.tier} />
            <span aria-label={t('profile.phone')}>
              <PhoneTail last4={profile.phoneLast4} fallback={t('profile.noBehaviour')} />
            </span>
            {profile.memberCode && (
              <span>
                {t('profile.memberCode')} {profile.memberCode}
              </span>
            )}
          </p>
          {profile.provisional && <p className="pill">{t('profile.provisional')}</p>}
          <CustomerBindingLine
            customerId={profile.id}
            customerName={profile.name}
            canTransfer={!profile.provisional}
            open={transferring}
            onOpenChange={setTransferring}
          />
          <ConsentLine
            customerId={profile.id}
            customerName={profile.name}
            disabled={profile.provisional}
          />
        </div>
        <div className="profile-actions">
          <button type="button" className="primary big" onClick={() => newOrder()}>
            {t('profile.newOrder')}
          </button>
          <button
            type="button"
            className="big"
            onClick={() => navigate({ name: 'outreach', customerId: profile.id })}
          >
            {t('profile.outreach')}
          </button>
          <button
            type="button"
            className="big"
            disabled={profile.provisional || editing}
            onClick={() => setEditing(true)}
          >
            {t('edit.open')}
          </button>
        </div>
      </header>
      {editing && (
        <ProfileEditForm
          profile={profile}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            setEdited({ over: loaded, profile: { ...saved, provisional: false } });
            setEditing(false);
          }}
        />
      )}

      <div className="profile-grid">
        <section aria-labelledby="p-identity" className="card">
          <h2 id="p-identity">{t('profile.identity')}</h2>
          <dl className="facts">
            <dt>{t('profile.points')}</dt>
            <dd>{profile.points.toLocaleString(i18n.language)}</dd>
            <dt>{t('profile.lifetimeSpend')}</dt>
            <dd className="money">{money(profile.lifetimeSpend)}</dd>
            <dt>{t('profile.gender')}</dt>
            <dd>{t(`gender.${profile.gender}`)}</dd>
            {profile.birthday && (
              <>
                <dt>{t('profile.birthday')}</dt>
                <dd>{formatMonthDay(profile.birthday, i18n.language)}</dd>
              </>
            )}
            <dt>{t('profile.homeStore')}</dt>
            <dd>
              {profile.homeStoreId === null
                ? t('profile.noBehaviour')
                : profile.homeStoreId === terminal.store.id
                  ? t('profile.homeStoreHere')
                  : t('profile.homeStoreOther')}
            </dd>
            <dt>{t('profile.sizes')}</dt>
            <dd>
              <SizesLine sizes={profile.sizes} />
            </dd>
            <dt>{t('profile.favourites')}</dt>
            <dd>{profile.favouriteCategories.join('、') || t('profile.noBehaviour')}</dd>
            <dt>{t('profile.spend')}</dt>
            <dd>
              <div>
                {t('profile.onlineSpend', {
                  count: profile.online.onlineOrders,
                  amount: money(profile.online.onlineSpend),
                })}
              </div>
              <div>
                {t('profile.storeSpend', {
                  count: profile.inStore.storeOrders,
                  amount: money(profile.inStore.storeSpend),
                })}
              </div>
            </dd>
          </dl>
          {profile.tags.length > 0 && (
            <ul className="tags" aria-label={t('profile.tags')}>
              {profile.tags.map((tag) => (
                <li key={tag}>{tag}</li>
              ))}
            </ul>
          )}
          {profile.notes && (
            <p className="notes">
              <strong>{t('profile.notes')}</strong>
              {profile.notes}
            </p>
          )}
        </section>

        <section aria-labelledby="p-online" className="card">
          <h2 id="p-online">{t('profile.online')}</h2>
          <Trail
            title={t('profile.wishlisted')}
            items={profile.online.wishlisted}
            stock={stock}
            answers={answers}
            online={online}
            onAdd={newOrder}
          />
          <Trail
            title={t('profile.carted')}
            items={profile.online.carted}
            stock={stock}
            answers={answers}
            online={online}
            onAdd={newOrder}
          />
          <Trail
            title={t('profile.viewed')}
            items={profile.online.viewed}
            stock={stock}
            answers={answers}
            online={online}
            onAdd={newOrder}
          />
          {nextBest.status === 'ready' && <NextBest items={nextBest.value} onAdd={newOrder} />}
        </section>

        <section aria-labelledby="p-history" className="card wide">
          <h2 id="p-history">{t('profile.history')}</h2>
          {purchases.length === 0 ? (
            <p className="muted">{t('profile.noHistory')}</p>
          ) : (
            <table className="history">
              <tbody>
                {purchases.map((p) => (
                  <tr key={p.orderId}>
                    <td>{formatStoreDay(p.at, tz, i18n.language)}</td>
                    <td>
                      {t(`channel.${p.channel}`)}
                      {p.channel === 'store' && p.storeId === terminal.store.id
                        ? ` · ${t('profile.homeStoreHere')}`
                        : ''}
                    </td>
                    <td>{p.items.map((i) => `${i.name ?? i.sku} ×${i.quantity}`).join('，')}</td>
                    <td className="money">{money(p.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </section>
  );
}

function SizesLine({ sizes }: { sizes: Sizes }) {
  const { t } = useTranslation('customers');
  const entries = (Object.entries(sizes) as [keyof Sizes, string | undefined][]).filter(
    (e): e is [keyof Sizes, string] => Boolean(e[1]),
  );
  if (entries.length === 0) return <>{t('profile.noBehaviour')}</>;
  return (
    <>
      {entries.map(([kind, size]) => (
        <span key={kind} className="size">
          {t(`sizeKind.${kind}`)} {size}
        </span>
      ))}
    </>
  );
}

/** One list of the online trail; each item shows stock here and can start an order with it. */
function Trail({
  title,
  items,
  stock,
  answers,
  online,
  onAdd,
}: {
  title: string;
  items: BehaviourItem[];
  stock: Map<string, ProductItem>;
  answers: Map<string, HerSizeAnswer>;
  online: boolean;
  onAdd: (sku: string) => void;
}) {
  const { t } = useTranslation('customers');
  const recent = [...items].sort((a, b) => b.at.localeCompare(a.at)).slice(0, 6);
  return (
    <div className="trail">
      <h3>{title}</h3>
      {recent.length === 0 ? (
        <p className="muted">{t('profile.noBehaviour')}</p>
      ) : (
        <ul aria-label={title}>
          {recent.map((item) => {
            const product = stock.get(item.sku);
            const name = product?.name ?? item.name ?? item.sku;
            const inStock = product !== undefined && product.active && product.stock > 0;
            const answer = answers.get(item.sku);
            return (
              <li key={`${item.sku}-${item.at}`} className="trail-item">
                <span className="trail-name">
                  {name}
                  {product?.size ? ` · ${product.size}` : ''}
                  {item.dwellSeconds ? (
                    <small> {t('profile.dwell', { seconds: item.dwellSeconds })}</small>
                  ) : null}
                </span>
                <span className={inStock ? 'stock in' : 'stock out'}>
                  {product === undefined
                    ? t('profile.notInCatalog')
                    : inStock
                      ? t('profile.inStock', { count: shownStock(product.stock) })
                      : t('profile.outOfStock')}
                </span>
                <button
                  type="button"
                  // Stock counts lag the shop floor, so only an unsellable SKU is blocked.
                  disabled={product === undefined || !product.active}
                  aria-label={t('profile.addToOrderLabel', { name })}
                  onClick={() => onAdd(item.sku)}
                >
                  {t('profile.addToOrder')}
                </button>
                {answer && <HerSize answer={answer} name={name} onAdd={onAdd} online={online} />}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
