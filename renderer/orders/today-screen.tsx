import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BridgeError, Receipt } from '../../shared/bridge';
import { formatFen } from '../../shared/domain/money';
import type { StoreOrder } from '../../shared/protocol';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { useAsync } from '../core/use-async';
import { productsBySku } from '../data/catalog';
import { activeGuides } from '../data/staff';
import { formatStoreTime, moneyLocale } from '../ui/format';
import { LineItem } from '../ui/line-item';
import { ReceiptQr } from '../ui/receipt-qr';
import { PrintFailure } from './print-failure';
import { useTodayOrders, type TodayOrder, type TodayScope } from './use-today-orders';
import '../ui/screens.css';
import './orders.css';

/**
 * 今日订单: the store-local day's orders of this counter (offline too, with their sync state) or of
 * the whole store (from the hub), by guide. This counter's open on their receipt screen; another
 * counter's open here, and either can be printed again.
 */
export function TodayScreen() {
  const { t, i18n } = useTranslation('orders');
  const { db, terminal } = useServices();
  const navigate = useAppStore((s) => s.navigate);
  const [scope, setScope] = useState<TodayScope>('terminal');
  const [guideId, setGuideId] = useState<string | null>(null);
  const [open, setOpen] = useState<StoreOrder | null>(null);
  const { view, refresh } = useTodayOrders(scope, guideId);
  const loadGuides = useCallback(() => activeGuides(db), [db]);
  const guides = useAsync(loadGuides);
  const money = (fen: number) => formatFen(fen, moneyLocale(i18n.language));
  const counted = view.orders.filter((o) => o.status !== 'rejected' && o.status !== 'discarded');
  const sum = counted.reduce((s, o) => s + o.total, 0);

  const openOrder = (o: TodayOrder) => {
    if (o.mine) navigate({ name: 'receipt', orderId: o.id });
    else if (o.remote) setOpen(o.remote);
  };

  return (
    <section className="feature-screen today-screen" aria-labelledby="today-title">
      <header className="today-head">
        <h1 id="today-title">{t('today.title')}</h1>
        <div role="group" aria-label={t('today.scope')} className="segmented">
          {(['terminal', 'store'] as const).map((s) => (
            <button key={s} type="button" aria-pressed={scope === s} onClick={() => setScope(s)}>
              {s === 'terminal'
                ? t('today.thisCounter', { name: terminal.name })
                : t('today.store')}
            </button>
          ))}
        </div>
        <label className="today-guide">
          {t('today.guide')}
          <select
            value={guideId ?? ''}
            onChange={(event) => setGuideId(event.target.value || null)}
          >
            <option value="">{t('today.allGuides')}</option>
            {guides.status === 'ready' &&
              guides.value.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
          </select>
        </label>
        <button type="button" onClick={refresh}>
          {t('today.refresh')}
        </button>
      </header>
      {view.offline && (
        <p role="status" className="offline-note">
          {scope === 'store' ? t('today.offlineStore') : t('today.offlineTerminal')}
        </p>
      )}
      {view.state === 'loading' ? (
        <p role="status">{t('today.loading')}</p>
      ) : view.orders.length === 0 ? (
        <p>{t('today.empty')}</p>
      ) : (
        <>
          <p className="today-sum" role="status" aria-label={t('today.sumLabel')}>
            {t('today.sum', { count: counted.length, amount: money(sum) })}
          </p>
          <table className="today-table">
            <thead>
              <tr>
                <th>{t('today.time')}</th>
                <th>{t('today.counter')}</th>
                <th>{t('today.guide')}</th>
                <th>{t('today.units')}</th>
                <th>{t('today.total')}</th>
                <th>{t('order.payment')}</th>
                <th>{t('today.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {view.orders.map((o) => (
                <tr key={o.id} className={`today-row is-${o.status}`}>
                  <td>
                    {formatStoreTime(o.createdAt, terminal.store.timezone, i18n.language).slice(-5)}
                  </td>
                  <td>{o.terminalName}</td>
                  <td>{o.guideName}</td>
                  <td>{o.units}</td>
                  <td className="num">{money(o.total)}</td>
                  <td>{t(`payment.${o.paymentMethod}`)}</td>
                  <td>
                    {t(`today.states.${o.status}`)}
                    {o.afterSale !== 'none' && (
                      <span className={`after-sale-tag is-${o.afterSale}`}>
                        {' · '}
                        {t(`today.afterSale.${o.afterSale}`)}
                      </span>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      disabled={!o.mine && !o.remote}
                      onClick={() => openOrder(o)}
                      aria-label={t('today.openLabel', {
                        time: o.createdAt,
                        total: money(o.total),
                      })}
                    >
                      {t('today.open')}
                    </button>{' '}
                    <button
                      type="button"
                      disabled={
                        o.afterSale === 'voided' ||
                        o.afterSale === 'returned' ||
                        o.status === 'rejected' ||
                        o.status === 'discarded'
                      }
                      onClick={() => navigate({ name: 'afterSale', orderId: o.id })}
                    >
                      {t('today.afterSaleOpen')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {open && <RemoteOrder order={open} onClose={() => setOpen(null)} />}
    </section>
  );
}

/** Another counter's order as the hub has it, with a reprint. */
function RemoteOrder({ order, onClose }: { order: StoreOrder; onClose: () => void }) {
  const { t, i18n } = useTranslation('orders');
  const { bridge, terminal, db } = useServices();
  const [printed, setPrinted] = useState<'idle' | 'busy' | 'done' | BridgeError>('idle');
  const money = (fen: number) => formatFen(fen, moneyLocale(i18n.language));
  // The hub's order line carries the colour; an older hub's has none: this terminal's catalog has
  // it for the SKUs it knows.
  const loadCached = useCallback(
    () =>
      productsBySku(
        db,
        order.lines.map((l) => l.sku),
      ),
    [db, order],
  );
  const cached = useAsync(loadCached);
  const colourOf = ({ sku, colour }: StoreOrder['lines'][number]) =>
    colour !== undefined
      ? colour
      : cached.status === 'ready'
        ? (cached.value.get(sku)?.colour ?? null)
        : null;
  const print = async () => {
    setPrinted('busy');
    // Paper carries the order, not the customer (shared/bridge.ts receipt).
    const receipt: Receipt = {
      orderId: order.id,
      storeName: terminal.store.name,
      guideName: order.guide.name || null,
      at: order.createdAt,
      timezone: terminal.store.timezone,
      lines: order.lines.map((l) => ({
        name: l.name.slice(0, 120),
        sku: l.sku,
        size: l.size,
        colour: colourOf(l)?.slice(0, 32) ?? null,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        discount: l.discount,
      })),
      total: order.total,
    };
    const result = await bridge.printReceipt(receipt);
    setPrinted(result.ok ? 'done' : result.error);
  };
  return (
    <article className="receipt remote-order" aria-label={t('today.remoteTitle')}>
      <h2>{t('today.remoteTitle')}</h2>
      <p>
        {formatStoreTime(order.createdAt, terminal.store.timezone, i18n.language)} ·{' '}
        {order.terminal.name} · {order.guide.name}
      </p>
      <ul>
        {order.lines.map((l, i) => (
          <li key={i} className="remote-line">
            <LineItem name={l.name} colour={colourOf(l)} size={l.size} sku={l.sku} />
            <span className="num">
              × {l.quantity} · {money(l.unitPrice * l.quantity - l.discount)}
            </span>
          </li>
        ))}
      </ul>
      <p className="receipt-total">
        {t('order.total')} {money(order.total)}
      </p>
      <p className="receipt-id">{order.id}</p>
      <ReceiptQr orderId={order.id} label={t('receipt.qr')} />
      <div className="today-actions">
        <button
          type="button"
          className="primary"
          disabled={printed === 'busy'}
          onClick={() => void print()}
        >
          {t('receipt.print')}
        </button>
        <button type="button" onClick={onClose}>
          {t('today.close')}
        </button>
      </div>
      {printed === 'done' && <p role="status">{t('receipt.printed')}</p>}
      {typeof printed === 'object' && <PrintFailure error={printed} />}
    </article>
  );
}
