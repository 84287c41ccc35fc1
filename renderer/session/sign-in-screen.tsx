import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Guide } from '../data/staff-rows';
import { useGuides, usePinCheck } from './use-sign-in';
import './session.css';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
const MAX_PIN = 8;

/** Pick your name, then your PIN. Works offline: PINs are checked against the synced hashes. */
export function SignInScreen() {
  const { t } = useTranslation('session');
  const guides = useGuides();
  const [picked, setPicked] = useState<Guide | null>(null);

  if (guides.state === 'loading')
    return (
      <main className="sign-in" aria-busy="true">
        <p role="status">{t('loading')}</p>
      </main>
    );
  if (picked) return <PinPad guide={picked} onCancel={() => setPicked(null)} />;
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

function PinPad({ guide, onCancel }: { guide: Guide; onCancel(): void }) {
  const { t } = useTranslation('session');
  const { check, lockedFor } = usePinCheck();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(() => lockMessage(lockedFor(guide.id)));

  function lockMessage(until: Date | null): string | null {
    if (!until) return null;
    const time = until.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    return t('locked', { time });
  }

  const press = (digit: string) => setPin((p) => (p.length < MAX_PIN ? p + digit : p));
  const erase = () => setPin((p) => p.slice(0, -1));
  const submit = async () => {
    if (pin.length < 4 || busy) return;
    setBusy(true);
    const result = await check(guide, pin);
    setBusy(false);
    setPin('');
    if (result.kind === 'wrong') setMessage(t('wrongPin', { count: result.attemptsLeft }));
    else if (result.kind === 'locked') setMessage(lockMessage(result.until));
    else if (result.kind === 'deactivated') setMessage(t('deactivated'));
  };

  // Keyboard-first: digits, Backspace, Enter and Esc work without touching the pad.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (/^\d$/.test(event.key)) press(event.key);
      else if (event.key === 'Backspace') erase();
      else if (event.key === 'Enter') void submit();
      else if (event.key === 'Escape') onCancel();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <main className="sign-in" aria-labelledby="pin-title">
      <h1 id="pin-title">{t('pinFor', { name: guide.name })}</h1>
      <output className="pin-dots" aria-label={t('pinEntered', { count: pin.length })}>
        {Array.from({ length: Math.max(4, pin.length) }, (_, i) => (
          <span key={i} className={i < pin.length ? 'filled' : ''} aria-hidden="true" />
        ))}
      </output>
      <p role="alert" className="pin-message">
        {message ?? ''}
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
          onClick={() => void submit()}
          disabled={pin.length < 4 || busy}
        >
          {t('signIn')}
        </button>
      </div>
      <button type="button" className="pin-back" onClick={onCancel}>
        {t('notMe')}
      </button>
    </main>
  );
}
