import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CURRENT_NOTICE_VERSION,
  NOTICE_LOCALES,
  noticeText,
  type NoticeLocale,
} from '../../shared/domain/marketing-notice';
import type { MarketingConsent } from '../../shared/protocol';
import { useServices } from '../core/services';
import { useConsent, useRecordConsent } from '../core/use-consent';
import { formatStoreTime } from './format';
import './consent.css';

const LANGUAGE_NAMES: Record<NoticeLocale, string> = { 'zh-CN': '中文', en: 'English' };

/** What the counter says about a member's consent, in one line. */
export function consentSummary(
  consent: MarketingConsent | null,
  t: (key: string, values?: Record<string, string>) => string,
  when: (iso: string) => string,
): string {
  if (consent === null) return t('consent.unknown');
  if (consent.granted)
    return consent.at ? t('consent.grantedAt', { when: when(consent.at) }) : t('consent.granted');
  return consent.at ? t('consent.withdrawnAt', { when: when(consent.at) }) : t('consent.withdrawn');
}

/**
 * The 360's marketing-consent line (#15 item 4): the member's state (offline too, with "not yet
 * synced" for a change made here) and the button that opens the notice to record a change.
 */
export function ConsentLine({
  customerId,
  customerName,
  disabled = false,
}: {
  customerId: string;
  customerName: string;
  disabled?: boolean;
}) {
  const { t, i18n } = useTranslation('ui');
  const { terminal } = useServices();
  const state = useConsent(customerId);
  const [open, setOpen] = useState(false);
  const consent = state.status === 'ready' ? state.value.consent : null;
  const when = (iso: string) => formatStoreTime(iso, terminal.store.timezone, i18n.language);
  return (
    <div className="consent-block">
      <p className="consent-line">
        <span className={consent?.granted ? 'pill consent-yes' : 'pill consent-no'}>
          {consentSummary(consent, t, when)}
        </span>
        {state.status === 'ready' && state.value.pending && (
          <span className="muted"> · {t('consent.pending')}</span>
        )}
        <button type="button" disabled={disabled} onClick={() => setOpen(true)}>
          {t('consent.change')}
        </button>
      </p>
      {open && (
        <ConsentDialog
          customerId={customerId}
          customerName={customerName}
          consent={consent}
          onClose={() => setOpen(false)}
        />
      )}
    </div>
  );
}

/**
 * The notice (PIPL) shown before a member's answer is recorded: in the UI's language, or the
 * other one when the member reads that better — the language shown is what is recorded. Grant
 * and withdraw are both offered: the member decides, whatever the state was.
 */
export function ConsentDialog({
  customerId,
  customerName,
  consent,
  onClose,
}: {
  customerId: string;
  customerName: string;
  consent: MarketingConsent | null;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation('ui');
  const record = useRecordConsent(customerId);
  const [shownIn, setShownIn] = useState<NoticeLocale>(
    i18n.language.startsWith('zh') ? 'zh-CN' : 'en',
  );
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const answer = async (granted: boolean) => {
    setBusy(true);
    const result = await record(granted, shownIn);
    setBusy(false);
    if (result.ok) onClose();
    else setFailure(t('consent.failed', { message: result.message }));
  };
  return (
    <section
      role="dialog"
      aria-modal="false"
      aria-labelledby="consent-title"
      className="card consent-dialog"
    >
      <h2 id="consent-title">{t('consent.title', { name: customerName })}</h2>
      <p>{t('consent.intro')}</p>
      <fieldset className="consent-languages">
        <legend>{t('consent.showIn')}</legend>
        {NOTICE_LOCALES.map((locale) => (
          <label key={locale}>
            <input
              type="radio"
              name="notice-language"
              checked={shownIn === locale}
              onChange={() => setShownIn(locale)}
            />
            {LANGUAGE_NAMES[locale]}
          </label>
        ))}
      </fieldset>
      <blockquote className="consent-notice" lang={shownIn} aria-label={t('consent.change')}>
        {noticeText(CURRENT_NOTICE_VERSION, shownIn)}
      </blockquote>
      <p className="muted">{t('consent.noticeVersion', { version: CURRENT_NOTICE_VERSION })}</p>
      {failure && <p role="alert">{failure}</p>}
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={busy}
          aria-pressed={consent?.granted === true}
          onClick={() => void answer(true)}
        >
          {t('consent.grant')}
        </button>
        <button type="button" disabled={busy} onClick={() => void answer(false)}>
          {t('consent.withdraw')}
        </button>
        <button type="button" onClick={onClose}>
          {t('consent.cancel')}
        </button>
      </div>
    </section>
  );
}
