import { useTranslation } from 'react-i18next';
import type { Tier } from '../../shared/protocol';

/** The member tier as a coloured badge (colour is decoration; the text carries the meaning). */
export function TierBadge({ tier }: { tier: Tier }) {
  const { t } = useTranslation('ui');
  return <span className={`tier-badge tier-${tier}`}>{t(`tier.${tier}`)}</span>;
}

/** A one-line note shown when the live channel is down: the screen still works from the cache. */
export function OfflineNote({ text }: { text: string }) {
  return (
    <p role="status" className="offline-note">
      {text}
    </p>
  );
}

/**
 * What the counter shows of a phone: `尾号 5678` / `ending 5678`. Terminals never hold the middle
 * digits (docs/privacy.md, "Phones"). `fallback` when the customer has no phone on file.
 */
export function PhoneTail({ last4, fallback = '' }: { last4: string | null; fallback?: string }) {
  const { t } = useTranslation('ui');
  return <>{last4 ? t('phoneTail', { last4 }) : fallback}</>;
}
