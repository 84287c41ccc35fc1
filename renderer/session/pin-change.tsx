import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MIN_NEW_PIN_DIGITS, pinWeakness } from '../../shared/domain/pin-verifier';
import { useAppStore } from '../core/store';
import { useServices } from '../core/services';
import type { SignedInGuide } from '../core/session';
import { PinEntry } from './pin-entry';

/**
 * The forced PIN change (issue #13, item 2): a guide whose PIN is shorter than 6 digits, or whose
 * verifier is the old PBKDF2 one, chooses a new PIN at their next online sign-in, on a screen of
 * its own: the rules, the new PIN, the new PIN again. The hub checks the current PIN once more and
 * stores the new verifier; this terminal gets it with a staff pull. The guide is signed in only
 * once the change went through. The current PIN lives in this component's props only.
 */
export function PinChange({
  guide,
  currentPin,
  onCancel,
}: {
  guide: SignedInGuide;
  currentPin: string;
  onCancel(): void;
}) {
  const { t } = useTranslation('session');
  const { engine, now } = useServices();
  const signIn = useAppStore((s) => s.signIn);
  const [step, setStep] = useState<'new' | 'repeat'>('new');
  const [first, setFirst] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const restart = (why: string) => {
    setStep('new');
    setFirst('');
    setPin('');
    setMessage(why);
  };

  const submit = async () => {
    if (step === 'new') {
      const weakness = pinWeakness(pin);
      if (weakness) return restart(t(`weak.${weakness}`));
      if (pin === currentPin) return restart(t('sameAsCurrent'));
      setFirst(pin);
      setPin('');
      setMessage(null);
      setStep('repeat');
      return;
    }
    if (pin !== first) return restart(t('repeatMismatch'));
    setBusy(true);
    const result = await engine.changePin({ guideId: guide.id, currentPin, newPin: pin });
    setBusy(false);
    if (result.ok) {
      signIn(guide, now());
      return;
    }
    if (result.error.reason === 'pin_locked' || result.error.reason === 'wrong_pin') {
      // The current PIN no longer works (changed elsewhere meanwhile): start again from sign-in.
      onCancel();
      return;
    }
    restart(
      result.error.code === 'network' || result.error.code === 'server'
        ? t('changeOffline')
        : t('changeFailed'),
    );
  };

  return (
    <PinEntry
      title={step === 'new' ? t('newPinFor', { name: guide.name }) : t('repeatPin')}
      pin={pin}
      onPin={setPin}
      minDigits={MIN_NEW_PIN_DIGITS}
      message={message}
      busy={busy}
      submitLabel={step === 'new' ? t('next') : t('savePin')}
      onSubmit={() => void submit()}
      backLabel={t('cancelChange')}
      onBack={onCancel}
    >
      <section className="pin-rules" aria-label={t('rulesTitle')}>
        <p>{t('changeWhy')}</p>
        <ul>
          <li>{t('rules.length')}</li>
          <li>{t('rules.repeated')}</li>
          <li>{t('rules.sequence')}</li>
        </ul>
      </section>
    </PinEntry>
  );
}
