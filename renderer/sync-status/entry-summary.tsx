import { useTranslation } from 'react-i18next';
import { formatFen, orderTotals } from '../../shared/domain/money';
import { changedFields } from '../../shared/protocol';
import { useServices } from '../core/services';
import type { OutboxEntry } from '../data/outbox';
import { formatAge } from './format';

/** What a queued item is, at a glance: kind, items and amount (or the name), age, attempts. */
export function EntrySummary({ entry }: { entry: OutboxEntry }) {
  const { t, i18n } = useTranslation('sync-status');
  const { now } = useServices();
  let summary: string;
  if (entry.kind === 'order') {
    const { units, total } = orderTotals(entry.order.lines);
    summary = `${t('items', { count: units })} · ${formatFen(total, i18n.language)}`;
  } else if (entry.kind === 'registration') summary = entry.registration.name;
  else if (entry.kind === 'visit_outcome') summary = t(`noPurchase.${entry.visitOutcome.reason}`);
  else if (entry.kind === 'return')
    summary = t('items', {
      count: entry.orderReturn.lines.reduce((sum, l) => sum + l.quantity, 0),
    });
  else if (entry.kind === 'consent_change')
    summary = t(entry.consentChange.granted ? 'consent.granted' : 'consent.withdrawn');
  else if (entry.kind === 'profile_edit')
    // How many fields, never their values: the panel is seen over the guide's shoulder.
    summary = t('profileEditFields', { count: changedFields(entry.profileEdit.changes).length });
  else summary = t(`followUpOutcome.${entry.followUpOutcome.outcome}`);
  return (
    <>
      <strong>{t(`kinds.${entry.kind}`)}</strong>
      <span>{summary}</span>
      <span>{formatAge(t, entry.createdAt, now())}</span>
      {entry.attempts > 0 && <span>{t('attempts', { count: entry.attempts })}</span>}
    </>
  );
}
