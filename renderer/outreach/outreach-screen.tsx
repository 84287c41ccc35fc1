import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen } from '../../shared/domain/money';
import type { CustomerProfile, FollowUpItem } from '../../shared/protocol';
import { useHerSize } from '../core/her-size';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { useConsent, useOutreachSettings } from '../core/use-consent';
import { ConsentLine } from '../ui/consent-dialog';
import { moneyLocale } from '../ui/format';
import { composeMessage, outreachItems, salutation, type OutreachItem } from './outreach-message';
import { QrCode } from '../ui/qr-code';
import { useCopyText, useOutreachSubject } from './use-outreach';
import '../ui/screens.css';
import './outreach.css';

/** How many of her items are ticked to begin with: a message, not a catalogue. */
const FIRST_PICKS = 3;

/**
 * 发送推荐 (#15 item 4), from the 360 or a follow-up task: a ready message — greeting, the picked
 * items with her size and price — to copy into WeChat Work or an SMS, and a QR code per item that
 * opens it in the chain's mini-store. Only for a member who agreed to marketing; otherwise the
 * screen says why and offers to record the member's choice with the notice shown.
 */
export function OutreachScreen({ customerId, taskId }: { customerId: string; taskId?: string }) {
  const { t } = useTranslation('outreach');
  const back = useAppStore((s) => s.back);
  const subject = useOutreachSubject(customerId, taskId);
  const title = subject.status === 'ready' && subject.value.customer?.name;
  return (
    <section className="feature-screen outreach" aria-labelledby="outreach-title">
      <header className="outreach-head">
        <h1 id="outreach-title">{title ? t('titleFor', { name: title }) : t('title')}</h1>
        <button type="button" onClick={back}>
          {t('back')}
        </button>
      </header>
      {subject.status === 'loading' && <p role="status">{t('loading')}</p>}
      {subject.status === 'error' && <p role="alert">{t('error', { message: subject.error })}</p>}
      {subject.status === 'ready' &&
        (subject.value.customer ? (
          <OutreachPanel customer={subject.value.customer} task={subject.value.task} />
        ) : (
          <p role="alert">{t('notFound')}</p>
        ))}
    </section>
  );
}

function OutreachPanel({
  customer,
  task,
}: {
  customer: CustomerProfile & { provisional: boolean };
  task: FollowUpItem | null;
}) {
  const { t, i18n } = useTranslation('outreach');
  const { terminal } = useServices();
  const guide = useAppStore((s) => s.guide);
  const consent = useConsent(customer.id);
  const settings = useOutreachSettings();
  const copy = useCopyText();
  const [picked, setPicked] = useState<Set<string> | null>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);

  // The task's item first, then what she wish-listed, carted and viewed, most recent first.
  const recent = (list: { sku: string; at: string }[]) =>
    [...list].sort((a, b) => b.at.localeCompare(a.at)).map((i) => i.sku);
  const skus = [
    ...(task?.detail.sku ? [task.detail.sku] : []),
    ...recent(customer.online.wishlisted),
    ...recent(customer.online.carted),
    ...recent(customer.online.viewed),
  ];
  const herSize = useHerSize(skus, customer.sizes);
  const pattern = settings.status === 'ready' ? settings.value.miniStoreUrlPattern : null;
  const items =
    herSize.status === 'ready'
      ? outreachItems(skus, herSize.value.products, herSize.value.answers, {
          pattern,
          guideId: guide?.id ?? '',
          storeId: terminal.store.id,
        })
      : [];
  const chosen = picked ?? new Set(items.slice(0, FIRST_PICKS).map((i) => i.sku));
  const selected = items.filter((i) => chosen.has(i.sku));

  const state = consent.status === 'ready' ? consent.value.consent : null;
  const blocked = customer.provisional
    ? t('provisional')
    : state === null
      ? t('unknownConsent')
      : state.granted
        ? null
        : t('noConsent');
  const money = (fen: number) => formatFen(fen, moneyLocale(i18n.language));
  const sizeOf = (item: OutreachItem) => item.size ?? t('oneSize');
  const message = composeMessage(
    {
      greeting: t('greeting', {
        who: salutation(customer.name, customer.gender, i18n.language),
        store: terminal.store.name,
        guide: guide?.name ?? '',
      }),
      line: (item, n, price) => t('line', { n, name: item.name, size: sizeOf(item), price }),
      closing: t('closing'),
    },
    selected,
    moneyLocale(i18n.language),
  );
  const toggle = (sku: string) => {
    const next = new Set(chosen);
    if (next.has(sku)) next.delete(sku);
    else next.add(sku);
    setPicked(next);
    setCopied(null);
  };

  return (
    <>
      {task && <p className="muted">{t('forTask', { why: t(`taskWhy.${task.kind}`) })}</p>}
      {consent.status === 'ready' && blocked && (
        <div className="outreach-blocked">
          <p id="outreach-blocked" role="alert">
            {blocked}
          </p>
          <ConsentLine
            customerId={customer.id}
            customerName={customer.name}
            disabled={customer.provisional}
          />
        </div>
      )}
      <div className="outreach-grid">
        <section className="card" aria-labelledby="outreach-items">
          <h2 id="outreach-items">{t('items')}</h2>
          {herSize.status === 'ready' && items.length === 0 ? (
            <p className="muted">{t('noItems')}</p>
          ) : (
            <>
              <p className="muted">{t('itemsHelp')}</p>
              <ul className="outreach-items">
                {items.map((item) => (
                  <li key={item.sku}>
                    <label>
                      <input
                        type="checkbox"
                        checked={chosen.has(item.sku)}
                        disabled={blocked !== null}
                        onChange={() => toggle(item.sku)}
                      />
                      {t('itemLine', {
                        name: item.name,
                        size: sizeOf(item),
                        price: money(item.price),
                        count: item.stock,
                      })}
                    </label>
                  </li>
                ))}
              </ul>
            </>
          )}
          <h2>
            <label htmlFor="outreach-message">{t('message')}</label>
          </h2>
          <textarea
            id="outreach-message"
            readOnly
            rows={12}
            value={blocked === null ? message : ''}
            disabled={blocked !== null}
          />
          <p className="outreach-actions">
            <button
              type="button"
              className="primary big"
              disabled={blocked !== null || selected.length === 0}
              {...(blocked !== null ? { 'aria-describedby': 'outreach-blocked' } : {})}
              onClick={() => void copy(message).then((ok) => setCopied(ok ? 'yes' : 'no'))}
            >
              {t('copy')}
            </button>
            {copied && <span role="status">{t(copied === 'yes' ? 'copied' : 'copyFailed')}</span>}
          </p>
        </section>
        {blocked === null && (
          <section className="card" aria-labelledby="outreach-qr">
            <h2 id="outreach-qr">{t('qrTitle')}</h2>
            {pattern === null ? (
              <p className="muted">{t('noPattern')}</p>
            ) : (
              <ul className="outreach-codes">
                {selected.flatMap((item) =>
                  item.url
                    ? [
                        <li key={item.sku}>
                          <QrCode value={item.url} label={t('qrLabel', { name: item.name })} />
                          <span>{item.name}</span>
                          <span className="money">{money(item.price)}</span>
                        </li>,
                      ]
                    : [],
                )}
              </ul>
            )}
          </section>
        )}
      </div>
    </>
  );
}
