import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen, orderTotals } from '../../shared/domain/money';
import { itemLabel } from '../../shared/domain/variant';
import type { PaymentMethod, ProductItem } from '../../shared/protocol';
import { useAppStore } from '../core/store';
import { useScanner } from '../core/use-scanner';
import { OfflineNote } from '../ui/customer-badges';
import { moneyLocale } from '../ui/format';
import { useMemberCodeLookup } from '../core/customer-lookup';
import { useIsOnline } from '../core/use-online';
import { OrderCustomer } from './order-customer';
import { OrderLines } from './order-lines';
import {
  useCatalogSearch,
  useConfirmOrder,
  useProductByCode,
  useRecentAlertLookup,
} from './use-orders';
import '../ui/screens.css';
import './orders.css';

const PAYMENTS: PaymentMethod[] = ['wechat', 'alipay', 'card', 'cash', 'unionpay'];

/**
 * Which navigations have already put their customer / SKU into the draft. Keyed by the Screen
 * object itself: Back restores the same object (no second add), a new navigation is a new object,
 * and StrictMode's double effect sees the same object too.
 */
const appliedIntents = new WeakSet<object>();

/**
 * A new order at the counter: scan or type items, set quantities, discounts and payment, attach
 * the customer, confirm. The basket lives in the app store so it survives a detour to lookup.
 */
export function OrderScreen({
  customerId,
  alertId,
  addSku,
}: {
  customerId?: string;
  alertId?: string;
  addSku?: string;
}) {
  const { t, i18n } = useTranslation('orders');
  const screen = useAppStore((s) => s.screen);
  const draft = useAppStore((s) => s.orderDraft);
  const guide = useAppStore((s) => s.guide);
  const navigate = useAppStore((s) => s.navigate);
  const addProduct = useAppStore((s) => s.addProductToDraft);
  const attach = useAppStore((s) => s.attachDraftCustomer);
  const setPayment = useAppStore((s) => s.setDraftPayment);
  const clearDraft = useAppStore((s) => s.clearOrderDraft);
  const online = useIsOnline();
  const productByCode = useProductByCode();
  const memberByCode = useMemberCodeLookup();
  const recentAlert = useRecentAlertLookup();
  const confirmOrder = useConfirmOrder();
  const money = (fen: number) => formatFen(fen, moneyLocale(i18n.language));

  const [code, setCode] = useState('');
  const [addError, setAddError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const confirming = useRef(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const catalog = useCatalogSearch(code);

  /** A scanned or typed code: exact SKU/barcode goes straight in; anything else is a search. */
  const addByCode = async (raw: string): Promise<boolean> => {
    const value = raw.trim();
    if (value === '') return false;
    const product = await productByCode(value);
    if (!product) {
      // The same scanner reads member QR codes: a member code attaches that customer.
      const member = await memberByCode(value);
      if (member) {
        attach(member.id);
        setAddError(null);
        setCode('');
        return true;
      }
      setAddError(t('order.notFound', { code: value }));
      return false;
    }
    if (!product.active) {
      setAddError(t('order.inactive'));
      return false;
    }
    addProduct(product);
    setAddError(null);
    setCode('');
    return true;
  };
  const pick = (product: ProductItem) => {
    addProduct(product);
    setAddError(null);
    setCode('');
  };

  useScanner((scanned) => void addByCode(scanned));

  // Rendered outside an order navigation (embedded, tests), the mount itself is the intent.
  const [mountKey] = useState<object>(() => ({}));
  const intent: object = screen.name === 'order' ? screen : mountKey;
  useEffect(() => {
    if (appliedIntents.has(intent)) return;
    appliedIntents.add(intent);
    if (customerId) attach(customerId, alertId ?? null);
    if (customerId && !alertId)
      void recentAlert(customerId).then((found) => {
        // Only if the guide has not switched customer meanwhile.
        if (found && useAppStore.getState().orderDraft.customerId === customerId)
          attach(customerId, found);
      });
    if (addSku)
      void productByCode(addSku).then((product) => {
        if (!product) setAddError(t('order.notFound', { code: addSku }));
        else if (!product.active) setAddError(t('order.inactive'));
        else addProduct(product);
      });
  }, [intent, customerId, alertId, addSku, attach, addProduct, productByCode, recentAlert, t]);

  const totals = orderTotals(draft.lines);
  const discountTotal = draft.lines.reduce((sum, l) => sum + l.discount, 0);
  const canConfirm = draft.lines.length > 0 && guide !== null && !saving;

  const onAdd = (event: FormEvent) => {
    event.preventDefault();
    const results = catalog.query === code.trim() && catalog.state.status === 'ready';
    void addByCode(code).then((added) => {
      // Enter on a name with exactly one catalog match adds it (the common "type a few letters").
      if (!added && results && catalog.state.status === 'ready' && catalog.state.value.length === 1)
        pick(catalog.state.value[0]!);
    });
  };

  const onConfirm = async () => {
    // A ref, not state: two taps in one frame both see the old `saving` and would save twice.
    if (!canConfirm || confirming.current) return;
    confirming.current = true;
    setSaving(true);
    setSaveError(null);
    const result = await confirmOrder(draft);
    confirming.current = false;
    setSaving(false);
    if (!result.ok) {
      setSaveError(
        result.error.code === 'no_guide'
          ? t('order.noGuide')
          : result.error.code === 'customer_gone'
            ? t('order.customerGone')
            : result.error.code === 'invalid_input'
              ? t('order.invalid', { message: result.error.message })
              : t('order.error', { message: result.error.message }),
      );
      return;
    }
    clearDraft();
    navigate({ name: 'receipt', orderId: result.orderId });
  };

  const suggestions =
    code.trim() !== '' && catalog.state.status === 'ready' ? catalog.state.value : [];

  return (
    <section
      className="feature-screen order"
      aria-labelledby="order-title"
      onKeyDown={(e) => {
        // Ctrl+Enter confirms from anywhere on the screen (keyboard-first counter).
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          void onConfirm();
        }
      }}
    >
      <h1 id="order-title">{t('order.title')}</h1>
      {!online && <OfflineNote text={t('order.offlineNote')} />}
      <div className="order-grid">
        <div className="order-main">
          <form className="add-item" onSubmit={onAdd}>
            <input
              type="search"
              aria-label={t('order.addLabel')}
              placeholder={t('order.addPlaceholder')}
              value={code}
              onChange={(e) => {
                setCode(e.target.value);
                setAddError(null);
              }}
              autoFocus
              autoComplete="off"
              spellCheck={false}
            />
            <button type="submit">{t('order.add')}</button>
          </form>
          <div className="add-feedback">
            {addError && (
              <p role="alert" className="error">
                {addError}
              </p>
            )}
            {suggestions.length > 0 && (
              <ul className="suggestions" aria-label={t('order.searchResults')}>
                {suggestions.map((p) => (
                  <li key={p.id}>
                    <button type="button" onClick={() => pick(p)}>
                      <span className="s-name">{itemLabel(p)}</span>
                      <span className="s-sku">{p.sku}</span>
                      <span className="s-stock">{t('order.stock', { count: p.stock })}</span>
                      <span className="money">{money(p.price)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <OrderLines lines={draft.lines} />
        </div>

        <aside className="order-side">
          <OrderCustomer />
          <section className="card" aria-labelledby="order-pay-title">
            <h2 id="order-pay-title">{t('order.payment')}</h2>
            <div role="radiogroup" aria-labelledby="order-pay-title" className="payments">
              {PAYMENTS.map((m) => (
                <label key={m} className={draft.paymentMethod === m ? 'pay on' : 'pay'}>
                  <input
                    type="radio"
                    name="payment"
                    value={m}
                    checked={draft.paymentMethod === m}
                    onChange={() => setPayment(m)}
                  />
                  {t(`payment.${m}`)}
                </label>
              ))}
            </div>
          </section>
          <section className="card totals" aria-label={t('order.total')}>
            <p>{t('order.guideLine', { name: guide ? guide.name : t('order.noGuide') })}</p>
            <p className="units">{t('order.units', { count: totals.units })}</p>
            {discountTotal > 0 && (
              <p className="discount-total">
                {t('order.discountTotal', { amount: money(discountTotal) })}
              </p>
            )}
            <p className="grand">
              <span>{t('order.total')}</span>
              <output aria-label={t('order.total')} className="money">
                {money(totals.total)}
              </output>
            </p>
            {saveError && (
              <p role="alert" className="error">
                {saveError}
              </p>
            )}
            <button
              type="button"
              className="primary big confirm"
              aria-keyshortcuts="Control+Enter"
              title="Ctrl+Enter"
              disabled={!canConfirm}
              onClick={() => void onConfirm()}
            >
              {saving ? t('order.saving') : t('order.confirm')}
            </button>
            <button
              type="button"
              className="clear"
              disabled={draft.lines.length === 0 && draft.customerId === null}
              onClick={() => clearDraft()}
            >
              {t('order.clear')}
            </button>
          </section>
        </aside>
      </div>
    </section>
  );
}
