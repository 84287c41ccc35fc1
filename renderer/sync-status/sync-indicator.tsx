import { useTranslation } from 'react-i18next';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { formatAge } from './format';
import { useSyncStatus } from './use-sync-status';
import './sync-status.css';

/** Always in the header: online/offline, what waits to be sent, last sync. Opens the panel. */
export function SyncIndicator() {
  const { t } = useTranslation('sync-status');
  const { now } = useServices();
  const status = useSyncStatus();
  const navigate = useAppStore((s) => s.navigate);
  const at = now();
  return (
    <button
      type="button"
      className={`sync-indicator ${status.online ? 'is-online' : 'is-offline'}`}
      aria-label={t('indicatorLabel')}
      onClick={() => navigate({ name: 'sync' })}
    >
      <span className="sync-dot" aria-hidden="true" />
      <span role="status" aria-label="hub status">
        {status.online ? t('hubStatus.online') : t('hubStatus.offline')}
      </span>
      <span className="sync-pending" data-testid="pending-count">
        {status.pendingCount === 0
          ? t('allSent')
          : `${t('pending', { count: status.pendingCount })}${
              status.oldestPendingAt
                ? ` · ${t('oldest', { age: formatAge(t, status.oldestPendingAt, at) })}`
                : ''
            }`}
      </span>
      {status.rejectedCount > 0 && (
        <span className="sync-rejected">{t('rejectedCount', { count: status.rejectedCount })}</span>
      )}
      <span className="sync-last">
        {status.syncing
          ? t('syncing')
          : status.lastSuccessAt
            ? t('lastSync', { time: formatAge(t, status.lastSuccessAt, at) })
            : t('neverSynced')}
      </span>
    </button>
  );
}
