import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { normalisePhone } from '../../shared/domain/phone';
import type { Gender, Sizes } from '../../shared/protocol';
import { useAppStore } from '../core/store';
import { OfflineNote } from '../ui/customer-badges';
import { errorMessage } from '../core/use-async';
import { useIsOnline } from '../core/use-online';
import { useDuplicatePhone, useRegisterCustomer } from './use-customers';
import '../ui/screens.css';

const GENDERS: Gender[] = ['female', 'male', 'other', 'unknown'];
const SIZE_KINDS: (keyof Sizes)[] = ['top', 'bottom', 'dress', 'shoe'];

/**
 * Registers a customer at the counter. Saved to the outbox at once (works offline); the phone is
 * validated and normalised first, and an existing member with the same number is shown instead
 * of creating a duplicate. Afterwards the new member's 360 opens, or the order in progress gets
 * the customer attached.
 */
export function RegisterScreen({ phone: initialPhone }: { phone?: string }) {
  const { t } = useTranslation('customers');
  const navigate = useAppStore((s) => s.navigate);
  const orderInProgress = useAppStore((s) => s.orderDraft.lines.length > 0);
  const attachDraftCustomer = useAppStore((s) => s.attachDraftCustomer);
  const online = useIsOnline();
  const register = useRegisterCustomer();

  const [name, setName] = useState('');
  const [phone, setPhone] = useState(initialPhone ?? '');
  const [phoneTouched, setPhoneTouched] = useState(false);
  const [gender, setGender] = useState<Gender>('unknown');
  const [birthday, setBirthday] = useState('');
  const [sizes, setSizes] = useState<Sizes>({});
  // Marketing consent must be an active choice (PIPL): never pre-ticked.
  const [consent, setConsent] = useState(false);
  const [attach, setAttach] = useState(true);
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const submitting = useRef(false);
  const [error, setError] = useState<string | null>(null);

  const normalised = normalisePhone(phone);
  const duplicate = useDuplicatePhone(normalised ? normalised.e164 : '');
  const existing = duplicate.status === 'ready' && normalised ? duplicate.value : undefined;
  const showPhoneError = (phoneTouched || submitted) && phone.trim() !== '' && !normalised;
  const phoneMissing = submitted && phone.trim() === '';
  const nameMissing = submitted && name.trim() === '';

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    // A ref, not state: two taps in one frame would otherwise register the customer twice.
    if (!normalised || name.trim() === '' || existing || submitting.current) return;
    submitting.current = true;
    setSaving(true);
    setError(null);
    const cleanSizes = Object.fromEntries(
      Object.entries(sizes).filter(([, v]) => typeof v === 'string' && v.trim() !== ''),
    ) as Sizes;
    const result = await register({
      name: name.trim(),
      phone: normalised.e164,
      gender,
      sizes: cleanSizes,
      consentMarketing: consent,
      ...(birthday ? { birthday } : {}),
    }).catch((e: unknown) => ({ ok: false as const, error: { message: errorMessage(e) } }));
    submitting.current = false;
    setSaving(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    const id = result.value.customer.id;
    if (orderInProgress && attach) {
      attachDraftCustomer(id);
      navigate({ name: 'order', customerId: id });
    } else navigate({ name: 'customer', customerId: id });
  };

  return (
    <section className="feature-screen register" aria-labelledby="register-title">
      <h1 id="register-title">{t('register.title')}</h1>
      {!online && <OfflineNote text={t('register.offlineNote')} />}
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="register-form">
        <label className="field">
          <span>{t('register.name')}</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={64}
            autoComplete="off"
            autoFocus
            aria-invalid={nameMissing}
            aria-describedby={nameMissing ? 'reg-name-error' : undefined}
          />
        </label>
        {nameMissing && (
          <p id="reg-name-error" role="alert" className="field-error">
            {t('register.nameRequired')}
          </p>
        )}
        <label className="field">
          <span>{t('register.phone')}</span>
          <input
            type="tel"
            inputMode="tel"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            onBlur={() => setPhoneTouched(true)}
            maxLength={32}
            autoComplete="off"
            aria-invalid={showPhoneError || phoneMissing}
            aria-describedby={showPhoneError || phoneMissing ? 'reg-phone-error' : undefined}
          />
        </label>
        {(showPhoneError || phoneMissing) && (
          <p id="reg-phone-error" role="alert" className="field-error">
            {t('register.phoneInvalid')}
          </p>
        )}
        {existing && (
          <div role="alert" className="duplicate">
            <p>
              {t('register.duplicate', {
                name: existing.name,
                phone: existing.phoneLast4
                  ? t('phoneTail', { ns: 'ui', last4: existing.phoneLast4 })
                  : '',
              })}
            </p>
            <button
              type="button"
              onClick={() => navigate({ name: 'customer', customerId: existing.id })}
            >
              {t('register.openExisting')}
            </button>
          </div>
        )}

        <fieldset className="field choices">
          <legend>{t('register.gender')}</legend>
          {GENDERS.map((g) => (
            <label key={g} className="choice">
              <input
                type="radio"
                name="gender"
                value={g}
                checked={gender === g}
                onChange={() => setGender(g)}
              />
              {t(`gender.${g}`)}
            </label>
          ))}
        </fieldset>

        <fieldset className="field sizes">
          <legend>{t('register.sizes')}</legend>
          {SIZE_KINDS.map((kind) => (
            <label key={kind} className="size-field">
              <span>{t(`sizeKind.${kind}`)}</span>
              <input
                value={sizes[kind] ?? ''}
                maxLength={16}
                autoComplete="off"
                onChange={(e) => setSizes((s) => ({ ...s, [kind]: e.target.value }))}
              />
            </label>
          ))}
        </fieldset>

        <label className="field">
          <span>{t('register.birthday')}</span>
          <input type="date" value={birthday} onChange={(e) => setBirthday(e.target.value)} />
        </label>

        <label className="check">
          <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
          {t('register.consent')}
        </label>
        {orderInProgress && (
          <label className="check">
            <input type="checkbox" checked={attach} onChange={(e) => setAttach(e.target.checked)} />
            {t('register.attachToOrder')}
          </label>
        )}

        {error && (
          <p role="alert" className="error">
            {t('register.error', { message: error })}
          </p>
        )}
        <button type="submit" className="primary big" disabled={saving || existing !== undefined}>
          {saving ? t('register.saving') : t('register.submit')}
        </button>
      </form>
    </section>
  );
}
