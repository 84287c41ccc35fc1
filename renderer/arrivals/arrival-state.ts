import type { StoredAlert } from '../data/alerts';

/** How a card reads to the guide, taking the clock into account (the hub may not have said). */
export type ArrivalState =
  | { kind: 'open' }
  | { kind: 'mine' }
  | { kind: 'taken'; by: string }
  | { kind: 'converted' }
  | { kind: 'expired' };

export function arrivalState(
  alert: StoredAlert,
  myGuideId: string | null,
  now: Date,
): ArrivalState {
  switch (alert.status) {
    case 'converted':
      return { kind: 'converted' };
    case 'claimed':
      return alert.claimedBy?.guideId === myGuideId
        ? { kind: 'mine' }
        : { kind: 'taken', by: alert.claimedBy?.name ?? '' };
    case 'expired':
      return { kind: 'expired' };
    case 'open':
      // Unclaimed for 30 minutes: the hub expires it; offline we show it the same way.
      return Date.parse(alert.expiresAt) <= now.getTime() ? { kind: 'expired' } : { kind: 'open' };
  }
}

export const minutesSince = (iso: string, now: Date) =>
  Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 60_000));
