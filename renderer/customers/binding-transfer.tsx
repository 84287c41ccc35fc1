import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { newId } from '../../shared/domain/ids';
import { MIN_PIN_DIGITS } from '../../shared/domain/pin-verifier';
import type { CustomerBinding } from '../../shared/protocol';
import { storeGuides, type StoreGuide } from '../data/bindings';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { useAsync } from '../core/use-async';
import { useCustomerBinding } from '../core/use-binding';
import { useIsOnline } from '../core/use-online';
import { BindingBadge } from '../ui/binding-badge';
import './binding-transfer.css';

/**
 * The 360's line "whose customer" (专属导购) and the store manager's transfer. The binding comes
 * from the cache, so it shows offline; the transfer itself is checked by the hub (the manager's
 * PIN, with the sign-in lockout; audited there), so it needs the hub, and says so when offline.
 * `open` is the parent's, so the 360 can keep its scanner off the PIN while the dialog is open.
 */
export function CustomerBindingLine({
  customerId,
  customerName,
  canTransfer,
  open,
  onOpenChange,
}: {
  customerId: string;
  customerName: string;
  canTransfer: boolean;
  open: boolean;
  onOpenChange(open: boolean): void;
}) {
  const { t } = useTranslation('customers');
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  const binding = useCustomerBinding(customerId);
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <p className="profile-binding">
        <BindingBadge binding={binding} signedInGuideId={guideId} showPool />
        {/* Once her binding is read: a dialog opened before would show her in the pool. */}
        {canTransfer && !open && binding !== undefined && (
          <button
            type="button"
            onClick={() => {
              setDone(null);
              onOpenChange(true);
            }}
          >
            {t('transfer.open')}
          </button>
        )}
        {done !== null && <span role="status">{t('transfer.done', { name: done })}</span>}
      </p>
      {open && (
        <TransferDialog
          customerId={customerId}
          customerName={customerName}
          current={binding ?? null}
          onClose={(transferredTo) => {
            setDone(transferredTo);
            onOpenChange(false);
          }}
        />
      )}
    </>
  );
}

type Failure = { key: string; values?: Record<string, string | number> };

function TransferDialog({
  customerId,
  customerName,
  current,
  onClose,
}: {
  customerId: string;
  customerName: string;
  current: CustomerBinding | null;
  onClose(transferredTo: string | null): void;
}) {
  const { t } = useTranslation('customers');
  const { db, engine } = useServices();
  const online = useIsOnline();
  const signedIn = useAppStore((s) => s.guide);
  const load = useCallback(() => storeGuides(db), [db]);
  const staff = useAsync(load);
  const guides: StoreGuide[] = staff.status === 'ready' ? staff.value : [];
  const managers = guides.filter((g) => g.role === 'manager');
  const targets = guides.filter((g) => g.id !== current?.guideId);
  const [toGuideId, setToGuideId] = useState('');
  const [chosenManager, setManagerId] = useState<string | null>(null);
  const managerId =
    chosenManager ?? (signedIn?.role === 'manager' ? signedIn.id : (managers[0]?.id ?? ''));
  const [pin, setPin] = useState('');
  // One id per dialog: a resend after a lost answer is the same transfer (the hub says duplicate).
  const [requestId] = useState(newId);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  const ready =
    online && !busy && toGuideId !== '' && managerId !== '' && pin.length >= MIN_PIN_DIGITS;
  const submit = async () => {
    if (!ready) return;
    setBusy(true);
    setFailure(null);
    const typed = pin;
    setPin('');
    const result = await engine.transferBinding(customerId, {
      id: requestId,
      toGuideId,
      managerId,
      managerPin: typed,
    });
    setBusy(false);
    if (result.ok) {
      onClose(result.value.binding.guideName);
      return;
    }
    const { code, reason, details, message } = result.error;
    const attemptsLeft = (details as { attemptsLeft?: unknown } | undefined)?.attemptsLeft;
    if (code === 'network') setFailure({ key: 'transfer.offline' });
    else if (reason === 'wrong_pin')
      setFailure({
        key: 'transfer.wrongPin',
        values: { count: typeof attemptsLeft === 'number' ? attemptsLeft : 0 },
      });
    else if (reason === 'pin_locked') setFailure({ key: 'transfer.locked' });
    else if (reason === 'forbidden' || reason === 'guide_inactive')
      setFailure({ key: 'transfer.forbidden' });
    else setFailure({ key: 'transfer.failed', values: { message } });
  };

  return (
    <section
      role="dialog"
      aria-modal="false"
      aria-labelledby="transfer-title"
      className="card transfer-dialog"
    >
      <h2 id="transfer-title">{t('transfer.title')}</h2>
      <p>{t('transfer.why', { name: customerName })}</p>
      <p className="muted">
        {t('transfer.current', {
          who: current ? current.guideName : t('transfer.pool'),
        })}
      </p>
      {!online && (
        <p role="status" className="offline-note">
          {t('transfer.offline')}
        </p>
      )}
      {staff.status === 'ready' && managers.length === 0 && (
        <p role="alert">{t('transfer.noManager')}</p>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label>
          {t('transfer.to')}
          <select value={toGuideId} onChange={(e) => setToGuideId(e.target.value)}>
            <option value="">{t('transfer.choose')}</option>
            {targets.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('transfer.manager')}
          <select value={managerId} onChange={(e) => setManagerId(e.target.value)}>
            {managers.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('transfer.pin')}
          <input
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
          />
        </label>
        {failure && <p role="alert">{t(failure.key, failure.values)}</p>}
        <div className="actions">
          <button type="submit" className="primary" disabled={!ready}>
            {busy ? t('transfer.sending') : t('transfer.submit')}
          </button>
          <button type="button" onClick={() => onClose(null)}>
            {t('transfer.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
