import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BridgeError, Receipt } from '../../shared/bridge';
import { formatFen, lineTotal, orderTotals } from '../../shared/domain/money';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { OfflineNote, PhoneTail } from '../ui/customer-badges';
import { formatStoreTime, moneyLocale } from '../ui/format';
import { useIsOnline } from '../core/use-online';
import { LineItem } from '../ui/line-item';
import { ReceiptQr } from '../ui/receipt-qr';
import { PrintFailure } from './print-failure';
import { useReceipt, type ReceiptData } from './use-orders';
import '../ui/screens.css';
import './orders.css';

/** The confirmed order as a receipt, its sync state, and printing through the platform bridge. */
export function ReceiptScreen({ orderId }: { orderId: string }) {
  const { t } = useTranslation('orders');
  const state = useReceipt(orderId);
  const navigate = useAppStore((s) => s.navigate);
  if (state.status === 'loading')
    return (
      <section className="feature-screen" aria-label={t('receipt.title')} aria-busy="true">
        <p role="status">{t('receipt.loading')}</p>
      </section>
    );
  if (state.status === 'error' || state.value === null)
    return (
      <section className="feature-screen" aria-label={t('receipt.title')}>
        <p role="alert" className="error">
          {state.status === 'error' ? state.error : t('receipt.notFound')}
        </p>
        <button type="button" onClick={() => navigate({ name: 'order' })}>
          {t('receipt.newOrder')}
        </button>
      </section>
    );
  return <ReceiptView data={state.value} />;
}

function ReceiptView({ data }: { data: ReceiptData }) {
  const { t, i18n } = useTranslation('orders');
  const { bridge, terminal } = useServices();
  const navigate = useAppStore((s) => s.navigate);
  const online = useIsOnline();
  const [printing, setPrinting] = useState<'idle' | 'busy' | 'done'>('idle');
  const [printError, setPrintError] = useState<BridgeError | null>(null);
  const { entry, products } = data;
  const order = entry.order;
  const money = (fen: number) => formatFen(fen, moneyLocale(i18n.language));
  const { total } = orderTotals(order.lines);
  // A product no longer in the local catalog still has its SKU to show.
  const nameOf = (sku: string) => products.get(sku)?.name ?? sku;

  const print = async () => {
    setPrinting('busy');
    setPrintError(null);
    // Paper carries the order, not the customer: no name or phone (shared/bridge.ts receipt).
    const receipt: Receipt = {
      orderId: order.id,
      storeName: terminal.store.name,
      guideName: data.guideName,
      at: order.createdAt,
      timezone: terminal.store.timezone,
      lines: order.lines.map((l) => ({
        name: nameOf(l.sku).slice(0, 120),
        sku: l.sku,
        size: products.get(l.sku)?.size ?? null,
        colour: products.get(l.sku)?.colour?.slice(0, 32) ?? null,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        discount: l.discount,
      })),
      total,
    };
    const result = await bridge.printReceipt(receipt);
    if (result.ok) setPrinting('done');
    else {
      setPrinting('idle');
      setPrintError(result.error);
    }
  };

  const syncText =
    entry.status === 'synced'
      ? t('receipt.synced')
      : entry.status === 'rejected'
        ? t('receipt.rejected')
        : entry.status === 'discarded'
          ? t('receipt.discarded')
          : t('receipt.pending');

  return (
    <section className="feature-screen receipt-screen" aria-labelledby="receipt-title">
      {!online && entry.status === 'pending' && <OfflineNote text={t('receipt.offlineNote')} />}
      <article className="receipt" aria-labelledby="receipt-title">
        <h1 id="receipt-title">{terminal.store.name}</h1>
        <p className="receipt-sub">{t('receipt.title')}</p>
        <dl className="receipt-meta">
          <dt>{t('receipt.time')}</dt>
          <dd>{formatStoreTime(order.createdAt, terminal.store.timezone, i18n.language)}</dd>
          <dt>{t('receipt.guide')}</dt>
          <dd>{data.guideName ?? '—'}</dd>
          <dt>{t('receipt.customer')}</dt>
          <dd>
            {data.customer ? (
              <>
                {`${data.customer.name.slice(0, 1)}** `}
                <PhoneTail last4={data.customer.phoneLast4} />
              </>
            ) : order.customerId ? (
              '—'
            ) : (
              t('receipt.walkIn')
            )}
          </dd>
          <dt>{t('receipt.payment')}</dt>
          <dd>{t(`payment.${order.paymentMethod}`)}</dd>
          <dt>{t('receipt.orderId')}</dt>
          <dd className="order-id">{order.id}</dd>
        </dl>
        <table className="receipt-lines">
          <thead>
            <tr>
              <th scope="col">{t('receipt.item')}</th>
              <th scope="col" className="num">
                {t('receipt.qty')}
              </th>
              <th scope="col" className="num">
                {t('receipt.amount')}
              </th>
            </tr>
          </thead>
          <tbody>
            {order.lines.map((l) => (
              <tr key={l.sku}>
                <td>
                  <LineItem
                    name={nameOf(l.sku)}
                    colour={products.get(l.sku)?.colour}
                    size={products.get(l.sku)?.size}
                    sku={l.sku}
                  >
                    {' · '}
                    {money(l.unitPrice)}
                  </LineItem>
                  {l.discount > 0 && (
                    <div className="line-discount">
                      {t('receipt.discount', { amount: money(l.discount) })}
                    </div>
                  )}
                </td>
                <td className="num">{l.quantity}</td>
                <td className="num">{money(lineTotal(l))}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="receipt-total">
          <span>{t('receipt.total')}</span>
          <output aria-label={t('receipt.total')} className="money">
            {money(total)}
          </output>
        </p>
        <ReceiptQr orderId={order.id} label={t('receipt.qr')} />
        <p className="receipt-sync">
          {t('receipt.sync')}：
          <span
            role="status"
            aria-label={t('receipt.sync')}
            className={`sync-state ${entry.status}`}
          >
            {syncText}
          </span>
        </p>
      </article>
      <div className="receipt-actions">
        <button
          type="button"
          className="primary big"
          disabled={printing === 'busy'}
          onClick={() => void print()}
        >
          {printing === 'busy' ? t('receipt.printing') : t('receipt.print')}
        </button>
        <button type="button" className="big" onClick={() => navigate({ name: 'order' })}>
          {t('receipt.newOrder')}
        </button>
        {entry.status !== 'rejected' && entry.status !== 'discarded' && (
          <button
            type="button"
            className="big"
            onClick={() => navigate({ name: 'afterSale', orderId: order.id })}
          >
            {t('receipt.afterSale')}
          </button>
        )}
      </div>
      {printing === 'done' && <p role="status">{t('receipt.printed')}</p>}
      {printError && <PrintFailure error={printError} />}
    </section>
  );
}
