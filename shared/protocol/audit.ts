import { z } from 'zod';
import { isoDate, isoInstant, uuid } from './common';

/**
 * What a terminal records. Terminals send `profile_opened` today; the other kinds (issue #13:
 * lookups by phone, CSV exports, sign-ins and failed sign-ins) are accepted so terminals can send
 * them without a protocol change.
 */
export const auditAction = z.enum([
  'profile_opened',
  'phone_lookup',
  'csv_export',
  'sign_in',
  'sign_in_failed',
]);
export type AuditAction = z.infer<typeof auditAction>;

/** Actions about one customer; the others (a sign-in, an export) may name none. */
const CUSTOMER_ACTIONS: readonly AuditAction[] = ['profile_opened'];

/** Who did what to which customer profile, when — recorded on the terminal, kept by head office. */
export const auditEntry = z
  .object({
    id: uuid,
    action: auditAction,
    guideId: uuid.nullable(),
    customerId: uuid.nullable(),
    at: isoInstant,
  })
  .refine((e) => e.customerId !== null || !CUSTOMER_ACTIONS.includes(e.action), {
    message: 'a profile view names its customer',
    path: ['customerId'],
  });
export type AuditEntryWire = z.infer<typeof auditEntry>;

export const MAX_AUDIT_PER_CALL = 500;
export const auditRequest = z.object({
  entries: z.array(auditEntry).min(1).max(MAX_AUDIT_PER_CALL),
});

/** A bound of an audit query: an instant, or a calendar day in the store where it happened. */
export const auditBound = z.union([isoDate, isoInstant]);

export const MAX_AUDIT_ROWS = 1000;
/**
 * `GET /admin/audit`: one customer's or one guide's trail, newest first. `from` / `to` are
 * inclusive; a day means that day in the time zone of the store where the entry was made. At most
 * `limit` rows; `hasMore` says older ones were left out (narrow `from` / `to` to see them).
 */
export const auditQuery = z
  .object({
    customerId: uuid.optional(),
    guideId: uuid.optional(),
    from: auditBound.optional(),
    to: auditBound.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_AUDIT_ROWS).default(200),
  })
  .refine((q) => (q.customerId === undefined) !== (q.guideId === undefined), {
    message: 'give exactly one of customerId and guideId',
    path: ['customerId'],
  });
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditRow = z.object({
  id: uuid,
  action: auditAction,
  at: z.string(),
  receivedAt: z.string(),
  customerId: uuid.nullable(),
  guide: z.object({ id: uuid, name: z.string() }).nullable(),
  store: z.object({ id: uuid, name: z.string(), timezone: z.string() }),
  terminal: z.object({ id: uuid, name: z.string() }),
});
export type AuditRow = z.infer<typeof auditRow>;
export const auditPage = z.object({ items: z.array(auditRow), hasMore: z.boolean() });
export type AuditPage = z.infer<typeof auditPage>;
