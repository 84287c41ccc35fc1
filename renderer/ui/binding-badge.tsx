import { useTranslation } from 'react-i18next';
import type { CustomerBinding } from '../../shared/protocol';
import './binding-badge.css';

/**
 * Whose customer this is (专属导购): "你的顾客" when bound to the guide signed in here, "李娜的顾客"
 * otherwise; `showPool` also says when the customer is in the store pool (the 360 does, the
 * arrival card keeps quiet). Nothing while the binding is not known (`undefined`: still loading).
 */
export function BindingBadge({
  binding,
  signedInGuideId,
  showPool = false,
}: {
  binding: CustomerBinding | null | undefined;
  signedInGuideId: string | null;
  showPool?: boolean;
}) {
  const { t } = useTranslation('ui');
  if (binding === undefined) return null;
  if (binding === null)
    return showPool ? <span className="binding-badge pool">{t('binding.pool')}</span> : null;
  const mine = binding.guideId === signedInGuideId;
  return (
    <span
      className={`binding-badge ${mine ? 'mine' : 'theirs'}`}
      title={t('binding.since', { day: binding.since.slice(0, 10) })}
    >
      {mine ? t('binding.mine') : t('binding.theirs', { name: binding.guideName })}
    </span>
  );
}
