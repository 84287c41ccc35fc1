import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useServices } from '../core/services';
import { useSyncStatus } from './use-sync-status';
import './sync-status.css';

/** How long the "re-synced" notice stays when nobody dismisses it (ms). */
export const RESYNC_DONE_NOTICE_MS = 20_000;

/**
 * Under the header while the customer cache fills again after the hub changed which customer
 * feed it serves (sync status `customerResync`): a lookup meanwhile may miss members not back
 * yet, so the guide is told, with how far it got; then that it finished. Never blocks the screen.
 */
export function ResyncNotice() {
  const { t, i18n } = useTranslation('sync-status');
  const { engine } = useServices();
  const status = useSyncStatus();
  const resync = status.customerResync;
  const finished = resync?.phase === 'done';
  useEffect(() => {
    if (!finished) return;
    const timer = setTimeout(() => engine.dismissResyncNotice(), RESYNC_DONE_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [finished, engine]);
  if (!resync) return null;
  const number = new Intl.NumberFormat(i18n.language);

  if (resync.phase === 'done')
    return (
      <div role="status" aria-label={t('resync.label')} className="resync-notice is-done">
        <span>{t('resync.done', { rows: number.format(resync.rows) })}</span>
        <button type="button" onClick={() => engine.dismissResyncNotice()}>
          {t('resync.dismiss')}
        </button>
      </div>
    );
  const progress = status.progress?.feed === 'customers' ? status.progress : null;
  const done = resync.before + (progress?.done ?? 0);
  const total = progress?.total == null ? null : resync.before + progress.total;
  return (
    <div role="status" aria-label={t('resync.label')} className="resync-notice">
      <span>
        {t('resync.running')}
        {progress && ` ${number.format(done)} / ${total === null ? '…' : number.format(total)}`}
      </span>
      {total !== null && total > 0 && <progress max={total} value={done} aria-hidden="true" />}
    </div>
  );
}
