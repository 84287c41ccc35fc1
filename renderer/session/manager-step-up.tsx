import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { MIN_PIN_DIGITS } from '../../shared/domain/pin-verifier';
import { useAppStore } from '../core/store';
import { useServices } from '../core/services';
import { PinEntry } from './pin-entry';
import { useRefusalMessage } from './sign-in-screen';
import { usePinVerification } from './use-sign-in';

/**
 * How long a manager's PIN counts for manager actions. A counter PC is shared: a manager who
 * signed in and stepped away (auto-lock needs 5 idle minutes, a busy counter never idles) must not
 * leave the store's figures one click away for whoever stands there next.
 */
export const STEP_UP_MINUTES = 10;

/** True when the signed-in manager entered their PIN within `STEP_UP_MINUTES` of `now`. */
export function stepUpFresh(pinVerifiedAt: string | null, now: Date): boolean {
  if (pinVerifiedAt === null) return false;
  const age = now.getTime() - Date.parse(pinVerifiedAt);
  return age >= 0 && age <= STEP_UP_MINUTES * 60_000;
}

/**
 * Manager actions (the dashboard; the app has no other manager-only action today) need the
 * manager's PIN (issue #13, item 2). Choice: only a manager's session reaches them (a guide's
 * session is refused by the screen, as before: the manager signs in with 换人, which proves their
 * PIN); the manager's sign-in counts for `STEP_UP_MINUTES`, after which the manager enters their
 * PIN again here (checked like a sign-in: at the hub when online, with both lockouts).
 */
export function ManagerStepUp({ children }: { children: ReactNode }) {
  const { t } = useTranslation('session');
  const { now } = useServices();
  const guide = useAppStore((s) => s.guide);
  const pinVerifiedAt = useAppStore((s) => s.pinVerifiedAt);
  const pinVerified = useAppStore((s) => s.pinVerified);
  const back = useAppStore((s) => s.back);
  const verify = usePinVerification();
  const refusal = useRefusalMessage();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  if (!guide || guide.role !== 'manager') return null;
  if (stepUpFresh(pinVerifiedAt, now())) return <>{children}</>;

  const submit = async () => {
    setBusy(true);
    const typed = pin;
    setPin('');
    const result = await verify(guide, typed);
    setBusy(false);
    // A manager whose PIN must change still proves who they are; the change comes at sign-in.
    if (result.kind === 'ok' || result.kind === 'changeRequired') pinVerified(now());
    else setMessage(refusal(result));
  };

  return (
    <PinEntry
      title={t('stepUpTitle', { name: guide.name })}
      pin={pin}
      onPin={setPin}
      minDigits={MIN_PIN_DIGITS}
      message={message}
      busy={busy}
      submitLabel={t('confirm')}
      onSubmit={() => void submit()}
      backLabel={t('cancel')}
      onBack={back}
    >
      <p className="pin-rules">{t('stepUpWhy', { minutes: STEP_UP_MINUTES })}</p>
    </PinEntry>
  );
}
