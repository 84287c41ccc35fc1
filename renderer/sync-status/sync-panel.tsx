import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen } from '../../shared/domain/money';
import { useServices } from '../core/services';
import type { OutboxEntry, SetAsideRow } from '../data/outbox';
import { formatAge } from './format';
import { useOutbox } from './use-sync-status';
import './sync-status.css';

/** Everything not yet at the hub, and what the hub refused with its reason. Nothing is hidden. */
export function SyncPanel() {
  const { t } = useTranslation('sync-status');
  const { view, status, syncNow, retry } = useOutbox();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="sync-panel" aria-labelledby="sync-panel-title">
      <header className="sync-panel-head">
        <h1 id="sync-panel-title">{t('panelTitle')}</h1>
        <span>{status.online ? t('online') : t('offline')}</span>
        <button type="button" disabled={busy} onClick={() => void run(syncNow)}>
          {busy || status.syncing ? t('syncing') : t('syncNow')}
        </button>
      </header>
      {status.lastError !== null && (
        <p role="alert" className="sync-error">
          {t('lastError', { message: status.lastError })}
        </p>
      )}
      {view.state === 'loading' && <p role="status">{t('loading')}</p>}
      {view.state === 'error' && <p role="alert">{t('error', { message: view.message })}</p>}
      {view.state === 'ready' && (
        <>
          <h2>{t('pendingTitle')}</h2>
          {view.pending.length === 0 ? (
            <p>{t('pendingEmpty')}</p>
          ) : (
            <ul className="outbox-list" aria-label={t('pendingTitle')}>
              {view.pending.map((e) => (
                <OutboxRow key={e.id} entry={e} />
              ))}
            </ul>
          )}
          <h2>{t('rejectedTitle')}</h2>
          {view.rejected.length === 0 ? (
            <p>{t('rejectedEmpty')}</p>
          ) : (
            <>
              <p>{t('rejectedHelp')}</p>
              <ul className="outbox-list" aria-label={t('rejectedTitle')}>
                {view.rejected.map((e) => (
                  <OutboxRow key={e.id} entry={e} onRetry={() => void run(() => retry(e.id))} />
                ))}
              </ul>
            </>
          )}
          <h2>{t('setAsideTitle')}</h2>
          {view.setAside.length === 0 ? (
            <p>{t('setAsideEmpty')}</p>
          ) : (
            <>
              <p>{t('setAsideHelp')}</p>
              <ul className="outbox-list" aria-label={t('setAsideTitle')}>
                {view.setAside.map((row) => (
                  <SetAsideLine key={row.key} row={row} />
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}

/** A feed row set aside: which feed, its id, why, and whether head office knows. */
function SetAsideLine({ row }: { row: SetAsideRow }) {
  const { t } = useTranslation('sync-status');
  const { now } = useServices();
  return (
    <li className="outbox-row rejected">
      <strong>{t(`feeds.${row.feed}`)}</strong>
      <span>{row.id ?? row.seq ?? '—'}</span>
      <span>{formatAge(t, row.at, now())}</span>
      <span className="outbox-reason">{t('reason', { reason: row.reason })}</span>
      <span>{row.reported === 1 ? t('setAsideReported') : t('setAsideNotReported')}</span>
    </li>
  );
}

function OutboxRow({ entry, onRetry }: { entry: OutboxEntry; onRetry?: () => void }) {
  const { t, i18n } = useTranslation('sync-status');
  const { now } = useServices();
  const summary =
    entry.kind === 'order'
      ? `${t('items', { count: entry.order.lines.reduce((n, l) => n + l.quantity, 0) })} · ${formatFen(
          entry.order.lines.reduce((sum, l) => sum + l.unitPrice * l.quantity - l.discount, 0),
          i18n.language,
        )}`
      : entry.kind === 'registration'
        ? entry.registration.name
        : entry.kind === 'visit_outcome'
          ? t(`noPurchase.${entry.visitOutcome.reason}`)
          : t(`followUpOutcome.${entry.followUpOutcome.outcome}`);
  return (
    <li className={`outbox-row ${entry.status}`}>
      <strong>{t(`kinds.${entry.kind}`)}</strong>
      <span>{summary}</span>
      <span>{formatAge(t, entry.createdAt, now())}</span>
      {entry.attempts > 0 && <span>{t('attempts', { count: entry.attempts })}</span>}
      {entry.reason !== null && (
        <span className="outbox-reason">{t('reason', { reason: entry.reason })}</span>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('retryItem')}
        </button>
      )}
    </li>
  );
}
