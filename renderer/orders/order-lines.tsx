import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen, lineTotal, parseYuanToFen } from '../../shared/domain/money';
import { useAppStore } from '../core/store';
import { itemLabel } from '../../shared/domain/variant';
import { moneyLocale } from '../ui/format';
import { LineItem } from '../ui/line-item';
import { MAX_QUANTITY, type DraftLine } from '../core/order-slice';

/** The basket: one row per SKU with quantity −/+, a whole-line discount in yuan, and its total. */
export function OrderLines({ lines }: { lines: DraftLine[] }) {
  const { t } = useTranslation('orders');
  if (lines.length === 0)
    return (
      <p className="lines-empty" role="status">
        {t('order.empty')}
      </p>
    );
  return (
    <table className="order-lines" aria-label={t('order.lines')}>
      <thead>
        <tr>
          <th scope="col">{t('receipt.item')}</th>
          <th scope="col">{t('order.quantity')}</th>
          <th scope="col">{t('order.discount')}</th>
          <th scope="col" className="num">
            {t('order.lineTotal')}
          </th>
          <th scope="col">
            <span className="visually-hidden">{t('order.remove', { name: '' })}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line) => (
          <LineRow key={line.sku} line={line} />
        ))}
      </tbody>
    </table>
  );
}

function LineRow({ line }: { line: DraftLine }) {
  const { t, i18n } = useTranslation('orders');
  const setQuantity = useAppStore((s) => s.setDraftQuantity);
  const removeLine = useAppStore((s) => s.removeDraftLine);
  const money = (fen: number) => formatFen(fen, moneyLocale(i18n.language));
  const label = itemLabel(line);
  return (
    <tr>
      <th scope="row" className="line-name">
        <LineItem name={line.name} colour={line.colour} size={line.size} sku={line.sku}>
          {' · '}
          {money(line.unitPrice)}
        </LineItem>
      </th>
      <td>
        <div className="stepper">
          <button
            type="button"
            aria-label={t('order.decrease', { name: label })}
            onClick={() => setQuantity(line.sku, line.quantity - 1)}
          >
            −
          </button>
          <output aria-label={t('order.quantity')}>{line.quantity}</output>
          <button
            type="button"
            aria-label={t('order.increase', { name: label })}
            disabled={line.quantity >= MAX_QUANTITY}
            onClick={() => setQuantity(line.sku, line.quantity + 1)}
          >
            +
          </button>
        </div>
      </td>
      <td>
        <DiscountInput line={line} label={t('order.discountLabel', { name: label })} />
      </td>
      <td className="num line-total">{money(lineTotal(line))}</td>
      <td>
        <button
          type="button"
          className="remove"
          aria-label={t('order.remove', { name: label })}
          onClick={() => removeLine(line.sku)}
        >
          ×
        </button>
      </td>
    </tr>
  );
}

const fenToYuanText = (fen: number) =>
  fen === 0
    ? ''
    : `${Math.floor(fen / 100)}${fen % 100 ? `.${String(fen % 100).padStart(2, '0')}` : ''}`;

/**
 * The typed discount stays as text while the guide edits it; only a valid amount no larger than
 * the line reaches the draft (parsed to fen, never through floating point).
 */
function DiscountInput({ line, label }: { line: DraftLine; label: string }) {
  const { t } = useTranslation('orders');
  const setDiscount = useAppStore((s) => s.setDraftDiscount);
  const [text, setText] = useState(() => fenToYuanText(line.discount));
  const fen = text.trim() === '' ? 0 : parseYuanToFen(text);
  const problem =
    fen === null
      ? t('order.discountInvalid')
      : fen > line.quantity * line.unitPrice
        ? t('order.discountTooBig')
        : null;
  const id = `discount-${line.sku}`;
  return (
    <div className="discount">
      <input
        inputMode="decimal"
        aria-label={label}
        value={text}
        placeholder="0"
        aria-invalid={problem !== null}
        aria-describedby={problem ? `${id}-error` : undefined}
        onChange={(e) => {
          const next = e.target.value;
          setText(next);
          const value = next.trim() === '' ? 0 : parseYuanToFen(next);
          if (value !== null && value <= line.quantity * line.unitPrice)
            setDiscount(line.sku, value);
        }}
      />
      {problem && (
        <span id={`${id}-error`} role="alert" className="field-error">
          {problem}
        </span>
      )}
    </div>
  );
}
