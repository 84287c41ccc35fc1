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

/** Whether she is still here (#16 item 6), from the visit's latest sighting and the clock. */
export type Presence =
  { kind: 'here'; minutes: number } | { kind: 'left'; silentMinutes: number } | { kind: 'unknown' };

/**
 * "在店 7 分钟" while sightings keep coming; "可能已离店" once none came for `silenceMinutes`.
 * An alert from a hub that sends no sightings (or an expired one) says nothing about it.
 */
export function presenceOf(alert: StoredAlert, now: Date, silenceMinutes: number): Presence {
  if (alert.lastSeenAt === undefined || alert.status === 'expired') return { kind: 'unknown' };
  const silent = minutesSince(alert.lastSeenAt, now);
  if (silent >= silenceMinutes) return { kind: 'left', silentMinutes: silent };
  return { kind: 'here', minutes: minutesSince(alert.at, now) };
}
