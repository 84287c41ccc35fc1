import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MIN_PIN_DIGITS } from '../../shared/domain/pin-verifier';
import type { SignedInGuide } from '../core/session';
import type { Guide } from '../data/staff';
import { PinChange } from './pin-change';
import { PinEntry } from './pin-entry';
import { useGuides, usePinCheck, type PinResult } from './use-sign-in';
import './session.css';

/**
 * Pick your name, then your PIN. Online the hub checks the PIN; offline the synced verifier does.
 * A guide whose PIN must be replaced (4 digits, or an old verifier) gets the change screen first.
 */
export function SignInScreen() {
  const { t } = useTranslation('session');
  const guides = useGuides();
  const [picked, setPicked] = useState<Guide | null>(null);
  const [change, setChange] = useState<{ guide: SignedInGuide; currentPin: string } | null>(null);

  if (guides.state === 'loading')
    return (
      <main className="sign-in" aria-busy="true">
        <p role="status">{t('loading')}</p>
      </main>
    );
  if (change)
    return (
      <PinChange
        guide={change.guide}
        currentPin={change.currentPin}
        onCancel={() => {
          setChange(null);
          setPicked(null);
        }}
      />
    );
  if (picked)
    return (
      <PinPad
        guide={picked}
        onCancel={() => setPicked(null)}
        onChangeRequired={(guide, currentPin) => setChange({ guide, currentPin })}
      />
    );
  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('whoAreYou')}</h1>
      {guides.guides.length === 0 ? (
        <p role="status" className="sign-in-empty">
          {t('noGuides')}
        </p>
      ) : (
        <ul className="guide-tiles" aria-label={t('guides')}>
          {guides.guides.map((g) => (
            <li key={g.id}>
              <button type="button" className="guide-tile" onClick={() => setPicked(g)}>
                <span className="guide-avatar" aria-hidden="true">
                  {g.name.slice(0, 1)}
                </span>
                <span className="guide-name">{g.name}</span>
                {/* the badge keeps its space on every tile so names line up */}
                <span className={`guide-role ${g.role === 'manager' ? '' : 'is-empty'}`}>
                  {g.role === 'manager' ? t('manager') : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

/** The message a refused PIN shows (shared with the manager's step-up). */
export function useRefusalMessage() {
  const { t } = useTranslation('session');
  return (result: PinResult | { kind: 'lockedAt'; until: Date | null }): string | null => {
    switch (result.kind) {
      case 'wrong':
        return t('wrongPin', { count: result.attemptsLeft });
      case 'locked':
      case 'lockedAt': {
        if (!result.until) return null;
        const time = result.until.toLocaleTimeString(undefined, {
          hour: '2-digit',
          minute: '2-digit',
        });
        return t('locked', { time });
      }
      case 'deactivated':
        return t('deactivated');
      default:
        return null;
    }
  };
}

function PinPad({
  guide,
  onCancel,
  onChangeRequired,
}: {
  guide: Guide;
  onCancel(): void;
  onChangeRequired(guide: SignedInGuide, currentPin: string): void;
}) {
  const { t } = useTranslation('session');
  const { check, lockedFor } = usePinCheck();
  const refusal = useRefusalMessage();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void lockedFor(guide.id).then((until) => {
      if (live && until) setMessage(refusal({ kind: 'lockedAt', until }));
    });
    return () => {
      live = false;
    };
    // once, when the pad opens for this guide
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [guide.id]);

  const submit = async () => {
    setBusy(true);
    const typed = pin;
    setPin('');
    const result = await check(guide, typed);
    setBusy(false);
    if (result.kind === 'changeRequired') onChangeRequired(result.guide, typed);
    else setMessage(refusal(result));
  };

  return (
    <PinEntry
      title={t('pinFor', { name: guide.name })}
      pin={pin}
      onPin={setPin}
      minDigits={MIN_PIN_DIGITS}
      message={message}
      busy={busy}
      submitLabel={t('signIn')}
      onSubmit={() => void submit()}
      backLabel={t('notMe')}
      onBack={onCancel}
    />
  );
}
