import { z } from 'zod';
import { cursor, isoInstant, text } from './common';

/** The feeds a terminal pulls; a row of any of them can be set aside. */
export const feedName = z.enum(['customers', 'catalog', 'staff', 'followUps']);
export type FeedNameWire = z.infer<typeof feedName>;

/** Longest reason a terminal reports (zod issue paths and messages, never field values). */
export const MAX_REJECT_REASON = 500;

/**
 * One feed row a terminal could not validate and set aside (kept locally for diagnosis) while it
 * applied the rest of its page. `id` is the row's id when it has a readable one; `seq` its
 * position in the feed (absent for the staff list, which has none).
 */
export const feedReject = z.object({
  feed: feedName,
  id: text.max(64).nullable(),
  seq: cursor.nullable(),
  reason: text.min(1).max(MAX_REJECT_REASON),
  /** when the terminal set it aside */
  at: isoInstant,
});
export type FeedReject = z.infer<typeof feedReject>;

export const MAX_REJECTS_PER_CALL = 100;
/** `POST /api/v1/sync/rejects`: what a terminal set aside since it last reported. */
export const feedRejectsRequest = z.object({
  rejects: z.array(feedReject).min(1).max(MAX_REJECTS_PER_CALL),
});
export const feedRejectsResponse = z.object({ recorded: z.number().int().nonnegative() });
