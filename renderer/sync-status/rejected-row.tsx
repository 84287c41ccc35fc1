import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { discardReason, type DiscardReason } from '../../shared/protocol';
import { ManagerOnly } from '../core/manager-gate';
import type { OutboxEntry } from '../data/outbox';
import { fixesFor, type OutboxFix } from '../data/outbox-fixes';
import { useAppStore } from '../core/store';
import { EntrySummary } from './entry-summary';

export type RejectedActions = {
  retry(id: string): Promise<void>;
  correct(id: string, fix: OutboxFix): Promise<string | null>;
  discard(id: string, reason: DiscardReason): Promise<string | null>;
};

/**
 * A queued item head office refused: why, in the guide's language (the hub's English reason
 * beside it for support), the fix the refusal calls for, a plain resubmit (the cause was fixed at
 * head office), or giving up with a reason. Giving up on an order needs the store manager: that
 * sale will never be in head office's figures.
 */
export function RejectedRow({ entry, actions }: { entry: OutboxEntry; actions: RejectedActions }) {
  const { t } = useTranslation('sync-status');
  const guide = useAppStore((s) => s.guide);
  const [phone, setPhone] = useState('');
  const [discarding, setDiscarding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const fixes = fixesFor(entry);

  const run = async (action: () => Promise<string | null | undefined>) => {
    setBusy(true);
    setProblem(null);
    try {
      const failure = await action();
      if (typeof failure === 'string') setProblem(failure);
    } finally {
      setBusy(false);
    }
  };
  const fix = (f: OutboxFix) => run(() => actions.correct(entry.id, f));
  const code = entry.reasonCode ?? null;
  const about = (entry.about ?? []).join('、');

  const discardChoices = (
    <fieldset className="discard-choices">
      <legend>{t('discard.ask')}</legend>
      {discardReason.options.map((reason) => (
        <button
          key={reason}
          type="button"
          disabled={busy}
          onClick={() => void run(() => actions.discard(entry.id, reason))}
        >
          {t(`discard.reasons.${reason}`)}
        </button>
      ))}
      <button type="button" className="quiet" onClick={() => setDiscarding(false)}>
        {t('discard.cancel')}
      </button>
    </fieldset>
  );
  let discardBlock: ReactNode = null;
  if (discarding)
    discardBlock =
      entry.kind === 'order' ? (
        <div className="discard-gate">
          <p>{t('discard.orderWarning')}</p>
          <ManagerOnly>{discardChoices}</ManagerOnly>
          {guide?.role !== 'manager' && (
            <>
              <p>{t('discard.managerNeeded')}</p>
              <button type="button" className="quiet" onClick={() => setDiscarding(false)}>
                {t('discard.cancel')}
              </button>
            </>
          )}
        </div>
      ) : (
        discardChoices
      );

  return (
    <li className="outbox-row rejected rejected-item">
      <EntrySummary entry={entry} />
      <p className="refusal" role="note">
        {code ? t(`refusals.${code}`, { about }) : t('refusals.unknown')}
      </p>
      {entry.reason !== null && (
        <p className="refusal-detail">{t('reason', { reason: entry.reason })}</p>
      )}
      <div className="refusal-actions">
        {fixes.includes('drop_refused_items') && (
          <button
            type="button"
            disabled={busy}
            onClick={() => void fix({ kind: 'drop_refused_items' })}
          >
            {t('fixes.drop_refused_items')}
          </button>
        )}
        {fixes.includes('assign_guide') && guide && (
          <button
            type="button"
            disabled={busy}
            onClick={() => void fix({ kind: 'assign_guide', guideId: guide.id })}
          >
            {t('fixes.assign_guide', { name: guide.name })}
          </button>
        )}
        {fixes.includes('sell_without_member') && (
          <button
            type="button"
            disabled={busy}
            onClick={() => void fix({ kind: 'sell_without_member' })}
          >
            {t('fixes.sell_without_member')}
          </button>
        )}
        {fixes.includes('without_guide') && (
          <button type="button" disabled={busy} onClick={() => void fix({ kind: 'without_guide' })}>
            {t('fixes.without_guide')}
          </button>
        )}
        {fixes.includes('new_phone') && (
          <form
            className="fix-phone"
            onSubmit={(event) => {
              event.preventDefault();
              void fix({ kind: 'new_phone', phone });
            }}
          >
            <label>
              {t('fixes.phoneLabel')}
              <input
                type="tel"
                inputMode="numeric"
                autoComplete="off"
                value={phone}
                onChange={(event) => setPhone(event.target.value)}
              />
            </label>
            <button type="submit" disabled={busy || phone.trim() === ''}>
              {t('fixes.new_phone')}
            </button>
          </form>
        )}
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(() => actions.retry(entry.id).then(() => null))}
        >
          {t('retryItem')}
        </button>
        {!discarding && (
          <button
            type="button"
            className="quiet"
            disabled={busy}
            onClick={() => setDiscarding(true)}
          >
            {t('discard.open')}
          </button>
        )}
      </div>
      {discardBlock}
      {problem !== null && (
        <p role="alert" className="sync-error">
          {t('fixes.failed', { message: problem })}
        </p>
      )}
    </li>
  );
}
