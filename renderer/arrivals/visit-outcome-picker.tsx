import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NO_PURCHASE_REASONS, type NoPurchaseReason } from '../../shared/protocol';
import { useRecordedVisitOutcome, useRecordVisitOutcome } from './use-visit-outcome';

/**
 * On a claimed arrival card: the customer left without buying — one tap records why (其他 asks
 * for a short note first). Offline-first; once recorded the card says which reason was kept.
 */
export function VisitOutcomePicker({ alertId }: { alertId: string }) {
  const { t } = useTranslation('arrivals');
  const recorded = useRecordedVisitOutcome(alertId);
  const record = useRecordVisitOutcome();
  const [other, setOther] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  if (recorded.status !== 'ready') return null;
  if (recorded.value)
    return (
      <p className="visit-outcome-recorded" role="status">
        {t('noPurchase.recorded', { reason: t(`noPurchase.reasons.${recorded.value.reason}`) })}
      </p>
    );

  const save = async (reason: NoPurchaseReason, text = '') => {
    setSaving(true);
    const result = await record(alertId, reason, text);
    setSaving(false);
    setError(result.ok ? null : result.message);
  };

  return (
    <div className="visit-outcome">
      <div role="group" aria-label={t('noPurchase.question')} className="visit-outcome-buttons">
        <span className="visit-outcome-label">{t('noPurchase.question')}</span>
        {NO_PURCHASE_REASONS.map((reason) => (
          <button
            key={reason}
            type="button"
            className="visit-outcome-button"
            aria-pressed={reason === 'other' ? other : undefined}
            disabled={saving}
            onClick={() => (reason === 'other' ? setOther(true) : void save(reason))}
          >
            {t(`noPurchase.reasons.${reason}`)}
          </button>
        ))}
      </div>
      {other && (
        <div className="visit-outcome-other">
          <label>
            {t('noPurchase.note')}
            <input
              type="text"
              value={note}
              maxLength={500}
              onChange={(e) => setNote(e.target.value)}
            />
          </label>
          <button
            type="button"
            className="visit-outcome-button"
            disabled={saving || note.trim() === ''}
            onClick={() => void save('other', note)}
          >
            {t('noPurchase.save')}
          </button>
        </div>
      )}
      {error !== null && <p role="alert">{t('noPurchase.failed', { message: error })}</p>}
    </div>
  );
}
