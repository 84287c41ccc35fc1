import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { looksLikeFullPhone } from '../../shared/domain/phone';
import { useAppStore } from '../core/store';
import { PhoneTail, TierBadge } from '../ui/customer-badges';
import { useCustomerSearch } from '../core/customer-lookup';
import { useCachedCustomer } from './use-orders';

/**
 * Who the order is for: the attached member (and the arrival alert it came from), or a walk-in.
 * A guide can attach a member here without leaving the basket (尾号, phone, code or name).
 */
export function OrderCustomer() {
  const { t } = useTranslation('orders');
  const customerId = useAppStore((s) => s.orderDraft.customerId);
  const alertId = useAppStore((s) => s.orderDraft.alertId);
  const attach = useAppStore((s) => s.attachDraftCustomer);
  const customer = useCachedCustomer(customerId);
  const [picking, setPicking] = useState(false);

  return (
    <section className="order-customer card" aria-labelledby="order-customer-title">
      <h2 id="order-customer-title">{t('order.customer')}</h2>
      {customerId === null ? (
        <p className="muted">{t('order.walkIn')}</p>
      ) : customer.status === 'ready' && customer.value ? (
        <p className="attached">
          <strong>{customer.value.name}</strong> <TierBadge tier={customer.value.tier} />{' '}
          <span>
            <PhoneTail last4={customer.value.phoneLast4} />
          </span>
          {alertId && <span className="pill">{t('order.fromAlert')}</span>}
        </p>
      ) : (
        <p className="muted">
          {customer.status === 'loading' ? t('order.loading') : t('order.customerNotCached')}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={() => setPicking((p) => !p)} aria-expanded={picking}>
          {t('order.attachCustomer')}
        </button>
        {customerId !== null && (
          <button type="button" onClick={() => attach(null, null)}>
            {t('order.detachCustomer')}
          </button>
        )}
      </div>
      {picking && (
        <CustomerPicker
          onPick={(id) => {
            attach(id);
            setPicking(false);
          }}
        />
      )}
    </section>
  );
}

function CustomerPicker({ onPick }: { onPick: (customerId: string) => void }) {
  const { t } = useTranslation('customers');
  const [query, setQuery] = useState('');
  const search = useCustomerSearch(query);
  const navigate = useAppStore((s) => s.navigate);
  const trimmed = query.trim();
  return (
    <div className="picker">
      <input
        type="search"
        aria-label={t('lookup.searchLabel')}
        placeholder={t('lookup.placeholder')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        autoFocus
        autoComplete="off"
      />
      <p className="status-line" role="status">
        {trimmed === ''
          ? ''
          : search.searching
            ? t('lookup.searching')
            : search.results.length === 0
              ? t('lookup.noMatch')
              : t('lookup.resultCount', { count: search.results.length })}
      </p>
      {trimmed !== '' && !search.searching && !search.error && search.results.length === 0 && (
        <button
          type="button"
          onClick={() =>
            navigate(
              looksLikeFullPhone(trimmed)
                ? { name: 'register', phone: trimmed }
                : { name: 'register' },
            )
          }
        >
          {looksLikeFullPhone(trimmed)
            ? t('lookup.registerWithPhone', { phone: trimmed })
            : t('lookup.registerWith')}
        </button>
      )}
      <ul className="results" aria-label={t('lookup.results')}>
        {trimmed !== '' &&
          search.results.slice(0, 6).map((c) => (
            <li key={c.id}>
              <button type="button" className="result" onClick={() => onPick(c.id)}>
                <span className="result-name">{c.name}</span>
                <TierBadge tier={c.tier} />
                <span className="result-phone">
                  <PhoneTail last4={c.phoneLast4} />
                </span>
              </button>
            </li>
          ))}
      </ul>
    </div>
  );
}
