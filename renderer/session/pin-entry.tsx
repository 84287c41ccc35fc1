import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_PIN_DIGITS } from '../../shared/domain/pin-verifier';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

export type PinEntryProps = {
  title: string;
  pin: string;
  onPin(pin: string): void;
  /** fewest digits the OK button accepts */
  minDigits: number;
  message: string | null;
  busy: boolean;
  submitLabel: string;
  onSubmit(): void;
  backLabel: string;
  onBack(): void;
  /** shown under the title (the rules for a new PIN) */
  children?: ReactNode;
};

/**
 * A PIN pad: dots, a message line, digits, erase and OK, plus a back link. Keyboard-first: digits,
 * Backspace, Enter and Esc work without touching the pad. Used by sign-in, the PIN change and the
 * manager's step-up, so all three look and behave alike.
 */
export function PinEntry(props: PinEntryProps) {
  const { t } = useTranslation('session');
  const { pin, onPin, minDigits, busy } = props;
  const press = (digit: string) => {
    if (pin.length < MAX_PIN_DIGITS) onPin(pin + digit);
  };
  const erase = () => onPin(pin.slice(0, -1));
  const submit = () => {
    if (pin.length >= minDigits && !busy) props.onSubmit();
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (/^\d$/.test(event.key)) press(event.key);
      else if (event.key === 'Backspace') erase();
      else if (event.key === 'Enter') submit();
      else if (event.key === 'Escape') props.onBack();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <main className="sign-in" aria-labelledby="pin-title" aria-busy={busy}>
      <h1 id="pin-title">{props.title}</h1>
      {props.children}
      <output className="pin-dots" aria-label={t('pinEntered', { count: pin.length })}>
        {Array.from({ length: Math.max(minDigits, pin.length) }, (_, i) => (
          <span key={i} className={i < pin.length ? 'filled' : ''} aria-hidden="true" />
        ))}
      </output>
      <p role="alert" className="pin-message">
        {busy ? t('checking') : (props.message ?? '')}
      </p>
      <div className="pin-pad" role="group" aria-label={t('pinPad')}>
        {DIGITS.map((d) => (
          <button key={d} type="button" onClick={() => press(d)}>
            {d}
          </button>
        ))}
        <button type="button" onClick={erase} aria-label={t('erase')}>
          ⌫
        </button>
        <button type="button" onClick={() => press('0')}>
          0
        </button>
        <button
          type="button"
          className="pin-ok"
          onClick={submit}
          disabled={pin.length < minDigits || busy}
        >
          {props.submitLabel}
        </button>
      </div>
      <button type="button" className="pin-back" onClick={props.onBack}>
        {props.backLabel}
      </button>
    </main>
  );
}
