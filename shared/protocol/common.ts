import { z } from 'zod';

export const API_PREFIX = '/api/v1';

/**
 * Why a string cannot be stored as text, or null when it can. PostgreSQL refuses NUL in `text`
 * and `jsonb` and refuses a lone UTF-16 surrogate in `jsonb` (each a 500 before this check);
 * other C0 control characters (escape sequences, form feeds) have no place in names, notes or
 * codes and can corrupt logs and receipts. Tab, line feed and carriage return stay allowed
 * (multi-line notes).
 */
export function textProblem(value: string): string | null {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d)
      return unit === 0
        ? 'must not contain a NUL character (U+0000)'
        : `must not contain the control character U+${hex4(unit)}`;
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
      else return `must not contain a lone surrogate (U+${hex4(unit)}); send valid Unicode`;
    }
  }
  return null;
}
const hex4 = (unit: number) => unit.toString(16).toUpperCase().padStart(4, '0');

/**
 * The base of every free-text field in a request: a string `textProblem` accepts. The 400 names
 * the field (the zod path) and the problem.
 */
export const text = z.string().superRefine((value, ctx) => {
  const problem = textProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Ids are canonical lower-case UUIDs. An id in upper case is accepted and lower-cased here, at
 * the boundary: PostgreSQL returns uuids in lower case, so a hub comparing a stored id with the
 * id as sent would otherwise miss its own rows (an upper-case order id was stored without its
 * lines and answered `duplicate`).
 */
export const uuid = z.uuid().toLowerCase();

/** Instants and days the hub accepts: a range both databases store and people mean. */
export const EARLIEST_INSTANT = '2000-01-01T00:00:00.000Z';
export const LATEST_INSTANT = '2100-01-01T00:00:00.000Z';
/** Largest UTC offset in use anywhere (Kiribati, +14:00); PostgreSQL refuses some beyond it. */
const MAX_OFFSET_MINUTES = 14 * 60;
const OFFSET = /([+-])(\d\d):(\d\d)$/;

const EARLIEST_MS = Date.parse(EARLIEST_INSTANT);
const LATEST_MS = Date.parse(LATEST_INSTANT);
/** Both bounds are the start of a year in UTC, so a UTC instant's year alone places it. */
const YEAR_BOUNDS = [EARLIEST_INSTANT, LATEST_INSTANT].every((b) =>
  b.endsWith('-01-01T00:00:00.000Z'),
);
const [EARLIEST_YEAR, LATEST_YEAR] = [EARLIEST_INSTANT.slice(0, 4), LATEST_INSTANT.slice(0, 4)];

/**
 * Why an ISO instant (already well-formed) is out of bounds, or null when it is fine. Runs for
 * every instant of every feed row (an initial sync checks ≈ 1.5 million): the bounds are parsed
 * once, and a UTC ("Z") instant has no offset to look at.
 */
export function instantProblem(value: string): string | null {
  const utc = value.endsWith('Z');
  const year = value.slice(0, 4);
  const offset = utc ? null : OFFSET.exec(value);
  if (offset && Number(offset[2]) * 60 + Number(offset[3]) > MAX_OFFSET_MINUTES)
    return 'time zone offset must be within ±14:00';
  // A UTC instant's four-digit year places it (no Date.parse); one with an offset is parsed.
  const inRange =
    utc && YEAR_BOUNDS
      ? year >= EARLIEST_YEAR && year < LATEST_YEAR
      : Date.parse(value) >= EARLIEST_MS && Date.parse(value) < LATEST_MS;
  if (!inRange)
    return `must be between ${EARLIEST_INSTANT.slice(0, 10)} and ${LATEST_INSTANT.slice(0, 10)}`;
  return null;
}

/**
 * ISO-8601 instant on the wire (UTC "Z" or an explicit offset up to ±14:00), from 2000-01-01
 * (inclusive) to 2100-01-01 (exclusive). Year 0000 or an offset of +23:59 used to reach the
 * database and fail the whole batch with a 500.
 */
export const isoInstant = z.iso.datetime({ offset: true }).superRefine((value, ctx) => {
  const problem = instantProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Calendar days the protocol carries at all: birthdays reach back to 1900. */
export const EARLIEST_DATE = '1900-01-01';
export const LATEST_DATE = '2100-12-31';
/** Store-local calendar day: a real date (no 2026-02-30) from 1900-01-01 to 2100-12-31. */
export const isoDate = z.iso
  .date()
  .refine(
    (d) => d >= EARLIEST_DATE && d <= LATEST_DATE,
    `must be between ${EARLIEST_DATE} and ${LATEST_DATE}`,
  );
/** Whole fen, never negative. */
export const fen = z.number().int().nonnegative().max(1_000_000_000_00);
export const nonEmpty = (max = 200) => text.trim().min(1).max(max);
export const sku = text.trim().min(1).max(64);
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
/**
 * Why the hub refused an item a terminal queued, as a code the terminal can put in the guide's
 * language and offer the fix for (the `reason` beside it is English, for support and logs):
 * - orders: `wrong_store` / `wrong_terminal` (the order names another store or terminal),
 *   `guide_inactive` (its guide is not an active guide of this store), `unknown_sku` (`about`:
 *   the SKUs head office does not sell), `alert_not_in_store`, `unknown_customer` (`about`: the id);
 * - registrations: `invalid_phone`, `implausible_time`, `unknown_guide`, `customer_gone`, and
 *   `phone_unavailable` (the terminal's own: the encrypted number cannot be opened here);
 * - returns (after-sale): `unknown_order` (not an order of this store), `over_return` (`about`: the
 *   line numbers asking more than is left to return), `void_not_same_day` (a void after the
 *   order's store-local day), `approval_required` (above the threshold without a store manager's
 *   approval), `return_id_conflict` (another return already holds this id);
 * - profile edits (#16 item 7): `unknown_customer`, `customer_erased` (head office erased the
 *   member), `guide_inactive`, `implausible_time`;
 * - `invalid_input`: anything else the hub's schema refused.
 */
export const rejectCode = z.enum([
  'wrong_store',
  'wrong_terminal',
  'guide_inactive',
  'unknown_sku',
  'alert_not_in_store',
  'unknown_customer',
  'invalid_phone',
  'implausible_time',
  'unknown_guide',
  'customer_gone',
  'phone_unavailable',
  'unknown_order',
  'over_return',
  'void_not_same_day',
  'approval_required',
  'return_id_conflict',
  'customer_erased',
  'invalid_input',
]);
export type RejectCode = z.infer<typeof rejectCode>;

/** Per-item outcome of a batch call (orders, registrations, integration upserts). */
export const itemResult = z.object({
  id: z.string(),
  status: itemStatus,
  reason: z.string().optional(),
  /** for a rejected terminal item: why, as a code (see `rejectCode`) */
  code: rejectCode.optional(),
  /** what the code is about (the refused SKUs, the unknown customer) */
  about: z.array(z.string().max(128)).max(100).optional(),
});
export type ItemResult = z.infer<typeof itemResult>;
export const batchResponse = z.object({ results: z.array(itemResult) });
export type BatchResponse = z.infer<typeof batchResponse>;
