import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen } from '../../shared/domain/money';
import { needsManagerApproval, returnTotals } from '../../shared/domain/returns';
import { returnReason, type ReturnKind, type ReturnReason } from '../../shared/protocol';
import { useManagerApproval } from '../core/manager-approval';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { useAsync } from '../core/use-async';
import { activeGuides } from '../data/staff';
import { formatStoreTime, moneyLocale } from '../ui/format';
import { LineItem } from '../ui/line-item';
import {
  useAfterSaleOrder,
  useQueueReturn,
  type AfterSaleLine,
  type AfterSaleOrder,
} from './use-after-sale';
import { storeToday } from './use-today-orders';
import '../ui/screens.css';
import './orders.css';

/**
 * 售后: a void, return or exchange of one order, opened from 今日订单 or by scanning the receipt's
 * QR code. The guide picks the lines and units, a reason (required); above the hub's threshold
 * the store manager types their PIN here (checked at the hub online, against the cached verifier
 * offline) and the return carries the manager's id, which the hub checks and audits.
 */
export function AfterSaleScreen({ orderId }: { orderId: string }) {
  const { t } = useTranslation('after-sale');
  const state = useAfterSaleOrder(orderId);
  if (state.status === 'loading') return <Frame busy>{t('loading')}</Frame>;
  if (state.status === 'error' || state.value === null)
    return <Frame>{state.status === 'error' ? state.error : t('notFound')}</Frame>;
  return <AfterSaleForm order={state.value} />;
}

function Frame({ children, busy }: { children: React.ReactNode; busy?: boolean }) {
  const { t } = useTranslation('after-sale');
  return (
    <section className="feature-screen" aria-label={t('title')} aria-busy={busy ?? false}>
      <p role={busy ? 'status' : 'alert'}>{children}</p>
    </section>
  );
}

const left = (l: AfterSaleLine) => l.quantity - l.returned;

function AfterSaleForm({ order }: { order: AfterSaleOrder }) {
  const { t, i18n } = useTranslation('after-sale');
  const { terminal, now, db } = useServices();
  const navigate = useAppStore((s) => s.navigate);
  const approve = useManagerApproval();
  const queue = useQueueReturn(order);
  const money = (fen: number) => formatFen(fen, moneyLocale(i18n.language));
  const tz = terminal.store.timezone;
  const sameDay =
    Date.parse(order.createdAt) >= storeToday(now(), tz).from.getTime() &&
    Date.parse(order.createdAt) < storeToday(now(), tz).to.getTime();
  const untouched = order.lines.every((l) => l.returned === 0);
  const canVoid = sameDay && untouched && !order.voided;

  const [kind, setKind] = useState<ReturnKind>('return');
  const [qty, setQty] = useState<Record<number, number>>({});
  const [reason, setReason] = useState<ReturnReason | ''>('');
  const [note, setNote] = useState('');
  const [managerId, setManagerId] = useState('');
  const [pin, setPin] = useState('');
  const [approvedBy, setApprovedBy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<'return' | 'exchange' | null>(null);
  const loadStaff = useCallback(() => activeGuides(db), [db]);
  const staff = useAsync(loadStaff);
  const managers = staff.status === 'ready' ? staff.value.filter((g) => g.role === 'manager') : [];

  const chosen =
    kind === 'void'
      ? order.lines.map((l) => ({ lineNo: l.lineNo, quantity: l.quantity }))
      : order.lines
          .map((l) => ({ lineNo: l.lineNo, quantity: Math.min(qty[l.lineNo] ?? 0, left(l)) }))
          .filter((l) => l.quantity > 0);
  const { amount } = returnTotals(
    order.lines.map((l) => ({ ...l })),
    chosen,
  );
  // An older hub does not say its threshold: ask the manager for every refund then.
  const threshold = terminal.settings.returnApprovalAboveFen;
  const needsManager = needsManagerApproval(amount, threshold === undefined ? 0 : threshold);
  const allBack = order.voided || order.lines.every((l) => left(l) === 0);
  const ready =
    chosen.length > 0 &&
    reason !== '' &&
    (reason !== 'other' || note.trim().length > 0) &&
    (!needsManager || approvedBy !== null);

  const checkPin = async () => {
    const typed = pin;
    setPin('');
    const result = await approve(managerId, typed);
    if (result.ok) {
      setApprovedBy(result.managerId);
      setMessage(null);
    } else setMessage(result.message);
  };
  const submit = async () => {
    if (reason === '') return;
    const saved = await queue({
      kind,
      reason,
      note,
      lines: chosen,
      managerId: needsManager ? approvedBy : null,
    });
    if (!saved.ok) return setMessage(t('failed', { message: saved.message }));
    setDone(saved.exchange ? 'exchange' : 'return');
  };

  if (done)
    return (
      <section className="feature-screen after-sale" aria-label={t('title')}>
        <p role="status">{done === 'exchange' ? t('doneExchange') : t('done')}</p>
        <button
          type="button"
          className="primary big"
          onClick={() => navigate(done === 'exchange' ? { name: 'order' } : { name: 'today' })}
        >
          {done === 'exchange' ? t('kinds.exchange') : t('toToday')}
        </button>
      </section>
    );

  return (
    <section className="feature-screen after-sale" aria-labelledby="after-sale-title">
      <h1 id="after-sale-title">{t('title')}</h1>
      <p>
        {t('orderOf', {
          time: formatStoreTime(order.createdAt, tz, i18n.language),
          total: money(order.lines.reduce((s, l) => s + l.quantity * l.unitPrice - l.discount, 0)),
        })}
        <small className="order-id"> {order.id}</small>
      </p>
      {allBack ? (
        <p role="status">{order.voided ? t('voided') : t('allReturned')}</p>
      ) : (
        <>
          <div role="group" aria-label={t('kind')} className="segmented">
            {(['return', 'void', 'exchange'] as const).map((k) => (
              <button
                key={k}
                type="button"
                aria-pressed={kind === k}
                disabled={k === 'void' && !canVoid}
                onClick={() => setKind(k)}
              >
                {t(`kinds.${k}`)}
              </button>
            ))}
          </div>
          <p className="hint">
            {kind === 'void' ? t('voidHelp') : kind === 'exchange' ? t('exchangeHelp') : ''}
          </p>
          <table className="today-table after-sale-lines">
            <thead>
              <tr>
                <th>{t('line')}</th>
                <th>{t('sold')}</th>
                <th>{t('returned')}</th>
                <th>{t('back')}</th>
              </tr>
            </thead>
            <tbody>
              {order.lines.map((l) => (
                <tr key={l.lineNo}>
                  <td>
                    <LineItem name={l.name} colour={l.colour} size={l.size} sku={l.sku} />
                  </td>
                  <td>{l.quantity}</td>
                  <td>{l.returned}</td>
                  <td>
                    <input
                      type="number"
                      min={0}
                      max={left(l)}
                      disabled={kind === 'void' || left(l) === 0}
                      aria-label={t('qtyLabel', { lineNo: l.lineNo, name: l.name })}
                      value={kind === 'void' ? l.quantity : (qty[l.lineNo] ?? 0)}
                      onChange={(e) =>
                        setQty({
                          ...qty,
                          [l.lineNo]: Math.max(0, Math.min(left(l), Number(e.target.value) || 0)),
                        })
                      }
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <label className="field">
            {t('reason')}
            <select value={reason} onChange={(e) => setReason(e.target.value as ReturnReason)}>
              <option value="">{t('choose')}</option>
              {returnReason.options.map((r) => (
                <option key={r} value={r}>
                  {t(`reasons.${r}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            {t('note')}
            <input value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} />
          </label>
          <p className="receipt-total">
            <span>{t('refund')}</span>
            <output aria-label={t('refund')} className="money">
              {money(amount)}
            </output>
          </p>
          {needsManager && (
            <fieldset className="manager-approval">
              <legend>{t('managerNeeded', { limit: money(threshold ?? 0) })}</legend>
              {approvedBy ? (
                <p role="status">
                  {t('approved', { name: managers.find((m) => m.id === approvedBy)?.name ?? '' })}
                </p>
              ) : (
                <>
                  <label className="field">
                    {t('manager')}
                    <select value={managerId} onChange={(e) => setManagerId(e.target.value)}>
                      <option value="" />
                      {managers.map((m) => (
                        <option key={m.id} value={m.id}>
                          {m.name}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label className="field">
                    {t('managerPin')}
                    <input
                      type="password"
                      inputMode="numeric"
                      autoComplete="off"
                      value={pin}
                      onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
                    />
                  </label>
                  <button
                    type="button"
                    disabled={!managerId || pin.length < 4}
                    onClick={() => void checkPin()}
                  >
                    {t('approve')}
                  </button>
                </>
              )}
            </fieldset>
          )}
          {message && <p role="alert">{message}</p>}
          <button
            type="button"
            className="primary big"
            disabled={!ready}
            onClick={() => void submit()}
          >
            {t('submit', { kind: t(`kinds.${kind}`) })}
          </button>
        </>
      )}
    </section>
  );
}
