import { TZDate } from '@date-fns/tz';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen } from '../../shared/domain/money';
import { FOLLOW_UP_OUTCOMES, type FollowUpOutcomeCode } from '../../shared/protocol';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import type { FollowUpListItem } from '../data/follow-ups';
import { TierBadge } from '../ui/customer-badges';
import { formatStoreTime, moneyLocale } from '../ui/format';
import { groupFollowUps, useDueFollowUps, useRecordFollowUpOutcome } from './use-follow-ups';
import './follow-ups.css';

/** Start of the store-local day `now` falls on (tasks due before it are overdue). */
function storeDayStart(now: Date, timezone: string): number {
  const local = new TZDate(now.getTime(), timezone);
  return new TZDate(local.getFullYear(), local.getMonth(), local.getDate(), timezone).getTime();
}

/**
 * 跟进: the store's follow-up tasks that are due or overdue — the signed-in guide's customers
 * first, then the store pool — each with who, tier and why; the guide records how it ended.
 */
export function FollowUpsScreen() {
  const { t } = useTranslation('follow-ups');
  const guide = useAppStore((s) => s.guide);
  const { now, terminal } = useServices();
  const list = useDueFollowUps();
  const dayStart = storeDayStart(now(), terminal.store.timezone);
  // The card leaves the list once its outcome is saved; this line says it was kept.
  const [saved, setSaved] = useState(false);

  return (
    <section className="follow-ups" aria-labelledby="follow-ups-title">
      <h1 id="follow-ups-title">{t('title')}</h1>
      {saved && (
        <p role="status" className="follow-ups-saved">
          {t('saved')}
        </p>
      )}
      {list.status === 'loading' && (
        <p role="status" aria-busy="true">
          {t('loading')}
        </p>
      )}
      {list.status === 'error' && <p role="alert">{t('error', { message: list.error })}</p>}
      {list.status === 'ready' &&
        (() => {
          const groups = groupFollowUps(list.value, guide?.id ?? null, guide?.role === 'manager');
          if (groups.mine.length + groups.pool.length + groups.others.length === 0)
            return <p className="follow-ups-empty">{t('empty')}</p>;
          return (['mine', 'pool', 'others'] as const).map((key) =>
            groups[key].length === 0 ? null : (
              <section key={key} className="follow-up-group" aria-labelledby={`fu-${key}`}>
                <h2 id={`fu-${key}`}>
                  {t(key)} <span className="follow-up-count">{groups[key].length}</span>
                </h2>
                <ul className="follow-up-list" aria-label={t(key)}>
                  {groups[key].map((item) => (
                    <li key={item.id}>
                      <FollowUpCard
                        item={item}
                        overdue={Date.parse(item.dueAt) < dayStart}
                        onSaved={() => setSaved(true)}
                      />
                    </li>
                  ))}
                </ul>
              </section>
            ),
          );
        })()}
    </section>
  );
}

function useWhy(item: FollowUpListItem): string {
  const { t, i18n } = useTranslation('follow-ups');
  const { detail } = item;
  const money = (fen: number | undefined) =>
    fen === undefined ? '' : formatFen(fen, moneyLocale(i18n.language));
  switch (item.kind) {
    case 'visit_no_purchase':
      return detail.reason
        ? t('why.visit_no_purchase_reason', { reason: t(`reasons.${detail.reason}`) })
        : t('why.visit_no_purchase');
    case 'birthday':
      return t('why.birthday');
    case 'wishlist':
      return detail.change === 'cheaper'
        ? t('why.wishlist_cheaper', {
            sku: detail.sku ?? '',
            oldPrice: money(detail.oldPrice),
            newPrice: money(detail.newPrice),
          })
        : t('why.wishlist_restocked', { sku: detail.sku ?? '' });
    case 'after_purchase':
      return t('why.after_purchase', { days: detail.days ?? 0 });
  }
}

function FollowUpCard({
  item,
  overdue,
  onSaved,
}: {
  item: FollowUpListItem;
  overdue: boolean;
  onSaved(): void;
}) {
  const { t, i18n } = useTranslation('follow-ups');
  const { terminal } = useServices();
  const navigate = useAppStore((s) => s.navigate);
  const [recording, setRecording] = useState(false);
  const why = useWhy(item);
  const name = item.customer?.name ?? t('unknownCustomer');
  return (
    <article className={`follow-up-card${overdue ? ' overdue' : ''}`} aria-label={name}>
      <header className="follow-up-head">
        <button
          type="button"
          className="follow-up-name"
          aria-label={t('openProfile', { name })}
          onClick={() => navigate({ name: 'customer', customerId: item.customerId })}
        >
          {name}
        </button>
        {item.customer && <TierBadge tier={item.customer.tier} />}
        <span className={`follow-up-due${overdue ? ' overdue' : ''}`}>
          {overdue ? t('overdue') : t('dueToday')} ·{' '}
          {t('dueAt', {
            when: formatStoreTime(item.dueAt, terminal.store.timezone, i18n.language),
          })}
        </span>
      </header>
      <p className="follow-up-why">{why}</p>
      {recording ? (
        <OutcomeForm
          item={item}
          name={name}
          onClose={() => setRecording(false)}
          onSaved={onSaved}
        />
      ) : (
        <div className="follow-up-actions">
          <button type="button" className="follow-up-record" onClick={() => setRecording(true)}>
            {t('record')}
          </button>
          {/* 发送推荐: the message and QR codes (the outreach screen checks consent) */}
          <button
            type="button"
            aria-label={t('outreachFor', { name })}
            onClick={() =>
              navigate({ name: 'outreach', customerId: item.customerId, taskId: item.id })
            }
          >
            {t('outreach')}
          </button>
        </div>
      )}
    </article>
  );
}

/** One tap for the outcome, an optional note, save: offline-first through the outbox. */
function OutcomeForm({
  item,
  name,
  onClose,
  onSaved,
}: {
  item: FollowUpListItem;
  name: string;
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useTranslation('follow-ups');
  const record = useRecordFollowUpOutcome();
  const [outcome, setOutcome] = useState<FollowUpOutcomeCode | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const save = async () => {
    if (!outcome) return;
    setSaving(true);
    const result = await record(item.id, outcome, note);
    setSaving(false);
    if (!result.ok) return setError(result.message);
    // The task leaves the list (the live query), and this form with it; the screen says so.
    onSaved();
  };
  return (
    <div className="follow-up-form">
      <div role="radiogroup" aria-label={t('outcomeFor', { name })} className="outcome-buttons">
        {FOLLOW_UP_OUTCOMES.map((code) => (
          <button
            key={code}
            type="button"
            role="radio"
            aria-checked={outcome === code}
            className="outcome-button"
            onClick={() => setOutcome(code)}
          >
            {t(`outcomes.${code}`)}
          </button>
        ))}
      </div>
      <label className="follow-up-note">
        {t('note')}
        <textarea value={note} maxLength={500} rows={2} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="follow-up-form-actions">
        <button
          type="button"
          className="primary"
          disabled={!outcome || saving}
          onClick={() => void save()}
        >
          {t('save')}
        </button>
        <button type="button" onClick={onClose}>
          {t('cancel')}
        </button>
      </div>
      {error !== null && <p role="alert">{t('saveFailed', { message: error })}</p>}
    </div>
  );
}
