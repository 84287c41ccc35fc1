import { z } from 'zod';

export const API_PREFIX = '/api/v1';

export const uuid = z.uuid();
/** ISO-8601 instant on the wire (UTC "Z" or an explicit offset). */
export const isoInstant = z.iso.datetime({ offset: true });
/** Store-local calendar day. */
export const isoDate = z.iso.date();
/** Whole fen, never negative. */
export const fen = z.number().int().nonnegative().max(1_000_000_000_00);
export const nonEmpty = (max = 200) => z.string().trim().min(1).max(max);
export const sku = z.string().trim().min(1).max(64);
/** Feed cursors are the server's change sequence as a decimal string (bigint-safe). */
export const cursor = z.string().regex(/^\d{1,19}$/);

export const feedQuery = z.object({
  after: cursor.default('0'),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  /**
   * Whether to count the rows still to come (`total`, for a progress bar). Counting costs a range
   * scan over the rest of the feed on every page, so a terminal asks only on its first page.
   */
  withTotal: z.stringbool().default(true),
});
export type FeedQuery = z.infer<typeof feedQuery>;

/** One page of a change feed: rows in server sequence order, and the cursor to ask for next. */
export const feedPage = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    cursor,
    hasMore: z.boolean(),
    total: z.number().int().nonnegative().optional(),
  });

export const itemStatus = z.enum(['accepted', 'duplicate', 'rejected']);
export type ItemStatus = z.infer<typeof itemStatus>;
/** Per-item outcome of a batch call (orders, registrations, integration upserts). */
export const itemResult = z.object({
  id: z.string(),
  status: itemStatus,
  reason: z.string().optional(),
});
export type ItemResult = z.infer<typeof itemResult>;
export const batchResponse = z.object({ results: z.array(itemResult) });
export type BatchResponse = z.infer<typeof batchResponse>;
