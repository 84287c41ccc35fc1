import { z } from 'zod';
import { isoDate, isoInstant, rejectCode, uuid } from './common';
import { profileEditAuditDetail } from './profile-edits';

/**
 * What a terminal records and may send (`POST /audit`). Terminals send `profile_opened` today; the
 * other kinds (issue #13: lookups by phone, CSV exports, sign-ins and failed sign-ins) are accepted
 * so terminals can send them without a protocol change.
 */
export const auditAction = z.enum([
  'profile_opened',
  'phone_lookup',
  'csv_export',
  'sign_in',
  'sign_in_failed',
  'outbox_discarded',
]);
export type AuditAction = z.infer<typeof auditAction>;

/**
 * Why a guide gave up on an order or registration the hub refused (a fixed choice, no free text:
 * the trail holds no personal data): entered again as a new one, the customer cancelled (money
 * given back), a test or mistake, something else (ask the store).
 */
export const discardReason = z.enum(['entered_again', 'cancelled', 'mistake', 'other']);
export type DiscardReason = z.infer<typeof discardReason>;

/**
 * What an `outbox_discarded` entry says: which queued item, of which kind, what the hub said and
 * what the guide chose, and for an order its total in fen — a sale that never reaches head
 * office's figures is visible in its trail.
 */
export const auditDetail = z
  .object({
    outboxId: uuid,
    kind: z.enum([
      'order',
      'registration',
      'visit_outcome',
      'follow_up_outcome',
      'return',
      'consent_change',
      'profile_edit',
    ]),
    rejectCode: rejectCode.nullable(),
    discardReason,
    total: z.number().int().min(0).max(1e12).optional(),
  })
  .strict();
export type AuditDetail = z.infer<typeof auditDetail>;

/**
 * What only the hub writes: a guide's PIN change (seen by the hub, never reported by a terminal)
 * and admin actions. A terminal cannot send these, so nobody at a store PC can forge or bury one.
 * For admin actions the entry's guide / terminal / customer is the one acted on.
 */
export const hubAuditAction = z.enum([
  'pin_changed',
  'store_saved',
  'guide_created',
  'guide_deactivated',
  'guide_reactivated',
  'guide_pin_reset',
  'terminal_created',
  'terminal_revoked',
  'terminal_reissued',
  'customer_erased',
  'integration_key_rotated',
  'admin_key_rotated',
  'credit_rules_changed',
  'binding_transferred',
  'binding_rules_saved',
  // after-sale (issue #16): the guide who took goods back; the manager who approved it; IT's threshold
  'order_returned',
  'return_approved',
  'return_settings_saved',
  // #15 item 4: a member's marketing consent changed at a terminal (seen by the hub as it took
  // the change; the entry's time is the terminal's), and head office's mini-store link pattern.
  'marketing_consent_granted',
  'marketing_consent_withdrawn',
  'outreach_settings_saved',
  // #16 item 7: a guide edited a member's profile at a terminal (detail: the field names only —
  // notes may name people; the values are in the hub's change log, customer_profile_edits)
  'customer_profile_edited',
  // #17 item 1: a terminal searched the hub for a member outside its store's cache (one entry per
  // member found, or one without a member when none was; never what was typed)
  'customer_searched',
]);
export type HubAuditAction = z.infer<typeof hubAuditAction>;

/** Any action an audit entry can hold (the read API). */
export const auditRowAction = z.enum([...auditAction.options, ...hubAuditAction.options]);
export type AuditRowAction = z.infer<typeof auditRowAction>;

/**
 * Who wrote an entry, through which door: `terminal` (reported by a terminal, as it saw it),
 * `hub` (seen by the hub while serving a terminal: sign-ins checked at the hub, PIN changes,
 * phone lookups through registration), `admin_cli` (hub:admin / hub:seed directly on the
 * database), `admin_rest` (admin REST API with the admin key), `integration` (integration API).
 */
export const auditSource = z.enum(['terminal', 'hub', 'admin_cli', 'admin_rest', 'integration']);
export type AuditSource = z.infer<typeof auditSource>;
/** The doors of admin actions. */
export type AdminChannel = Extract<AuditSource, 'admin_cli' | 'admin_rest'>;

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
    detail: auditDetail.optional(),
  })
  .refine((e) => e.customerId !== null || !CUSTOMER_ACTIONS.includes(e.action), {
    message: 'a profile view names its customer',
    path: ['customerId'],
  })
  .refine((e) => (e.action === 'outbox_discarded') === (e.detail !== undefined), {
    message: 'a discarded item says which and why (detail), and only it has a detail',
    path: ['detail'],
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
 * `GET /admin/audit`: one customer's, one guide's or one terminal's trail, newest first. `from` /
 * `to` are inclusive; a day means that day in the time zone of the store where the entry was made
 * (UTC for entries of no store: erasures, key rotations). At most `limit` rows; `hasMore` says
 * older ones were left out (narrow `from` / `to` to see them).
 */
export const auditQuery = z
  .object({
    customerId: uuid.optional(),
    guideId: uuid.optional(),
    terminalId: uuid.optional(),
    from: auditBound.optional(),
    to: auditBound.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_AUDIT_ROWS).default(200),
  })
  .refine(
    (q) => [q.customerId, q.guideId, q.terminalId].filter((v) => v !== undefined).length === 1,
    { message: 'give exactly one of customerId, guideId and terminalId', path: ['customerId'] },
  );
export type AuditQuery = z.infer<typeof auditQuery>;

/**
 * One entry as IT reads it. For entries via a terminal (`source` `terminal` or `hub`) `guide` is
 * who was signed in and `store` / `terminal` say where; for admin entries they name what was acted
 * on, and are null when the action concerns none (an erasure has no store, a guide's
 * deactivation no terminal, a key rotation nothing).
 */
export const auditRow = z.object({
  id: uuid,
  action: auditRowAction,
  source: auditSource,
  at: z.string(),
  receivedAt: z.string(),
  customerId: uuid.nullable(),
  guide: z.object({ id: uuid, name: z.string() }).nullable(),
  store: z.object({ id: uuid, name: z.string(), timezone: z.string() }).nullable(),
  terminal: z.object({ id: uuid, name: z.string() }).nullable(),
  /**
   * what a discarded queue item was (`outbox_discarded`), or which fields a profile edit changed
   * (`customer_profile_edited`); null for other actions
   */
  detail: z.union([auditDetail, profileEditAuditDetail]).nullable(),
});
export type AuditRow = z.infer<typeof auditRow>;
export const auditPage = z.object({ items: z.array(auditRow), hasMore: z.boolean() });
export type AuditPage = z.infer<typeof auditPage>;
