import type { CustomerProfile, CustomerRegistration } from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import { loadBindingRules } from '../bindings/rules';
import { bindIfUnbound } from '../bindings/service';
import type { TerminalPrincipal } from '../auth/guards';
import { changeFeedTransaction, type Db, type Queryable } from '../db/database';
import { badRequest, HubError } from '../http/errors';
import { generateMemberCode, liveCustomerByPhone, phoneIdentity } from './identity';
import { resolveLiveCustomerId } from './merge-chain';
import { loadProfile } from './profile';
import { enterStoreScope, SCOPE_REASON } from './scope';

export type RegistrationOutcome = {
  status: 'created' | 'existing';
  customer: CustomerProfile;
  /** the new row's sequence when one was created, for `customers:changed` */
  cursor: string | null;
};

/** The window of the per-terminal limit on registrations that find an existing member. */
export const LOOKUP_WINDOW_MS = 3_600_000;

/**
 * How many registrations of this terminal found an existing member by phone within the window,
 * and when the oldest of them leaves it. Counted from the audit (`phone_lookup` written by the
 * hub), so the limit holds across hub nodes and restarts.
 */
async function recentLookups(
  tx: Queryable,
  terminalId: string,
  now: Date,
): Promise<{ count: number; oldest: Date | null }> {
  const [row] = await tx.query<{ n: number; oldest: Date | string | null }>(
    `select count(*)::int as n, min(at) as oldest from audit_log
      where terminal_id = $1 and action = 'phone_lookup' and source = 'hub' and at > $2`,
    [terminalId, new Date(now.getTime() - LOOKUP_WINDOW_MS).toISOString()],
  );
  return {
    count: Number(row?.n ?? 0),
    oldest: row?.oldest === null || row?.oldest === undefined ? null : new Date(row.oldest),
  };
}

/**
 * In-store registration. The id is born on the terminal, so a re-send after a lost response finds
 * the same customer; a phone that is already known (in any format) answers with that customer, so
 * the counter can never create a second person for one number.
 *
 * That answer is a lookup by phone number (the member's profile for a number the guide typed), so
 * it is audited as `phone_lookup` (source `hub`, the customer id, the guide when named) and
 * bounded: a terminal that had `lookupsPerHour` of them in the last hour gets 429 `rate_limited`
 * for any registration, checked before the number is looked up, so the refusal itself says
 * nothing about whether the number belongs to a member. Resends of an id the hub already has
 * are not lookups and are neither counted nor refused.
 */
export async function registerCustomer(
  db: Db,
  terminal: Pick<TerminalPrincipal, 'storeId' | 'terminalId'>,
  input: CustomerRegistration,
  limits: { lookupsPerHour: number },
  now: Date = new Date(),
): Promise<RegistrationOutcome> {
  const phone = await phoneIdentity(db, input.phone);
  if (!phone)
    throw badRequest('invalid phone number', [
      { path: 'phone', message: 'not a valid phone number' },
    ]);
  if (input.createdAt) {
    // A terminal's clock can be off, but not by years (and year 0 is not storable).
    const when = Date.parse(input.createdAt);
    if (when < Date.UTC(2000, 0, 1) || when > Date.now() + 86_400_000)
      throw badRequest('createdAt is out of range', [
        { path: 'createdAt', message: 'not a plausible registration time' },
      ]);
  }
  if (input.guideId) {
    const guide = await db.query('select 1 from guides where id = $1 and store_id = $2', [
      input.guideId,
      terminal.storeId,
    ]);
    if (guide.length === 0)
      throw badRequest('unknown guide for this store', [
        { path: 'guideId', message: 'not a guide of this store' },
      ]);
  }

  const existing = async (id: string): Promise<RegistrationOutcome> => {
    const customer = await loadProfile(db, id);
    if (!customer) throw new HubError(409, 'conflict', `customer ${id} no longer exists`);
    return { status: 'existing', customer, cursor: null };
  };

  // The terminal may spell its uuid in upper case; the database hands ids back in lower case.
  const id = input.id.toLowerCase();
  const rules = await loadBindingRules(db);
  const decided = await changeFeedTransaction(db, async (tx) => {
    const sameId = await tx.query('select 1 from customers where id = $1', [id]);
    if (sameId.length > 0) {
      // A resend, or an id that was merged away since: answer with the surviving customer.
      const live = await resolveLiveCustomerId(tx, id);
      if (!live) throw new HubError(409, 'conflict', `customer ${id} was deleted`);
      return { id: live, cursor: null };
    }
    // Under the change-feed lock, so parallel registrations of one terminal count one by one.
    const used = await recentLookups(tx, terminal.terminalId, now);
    if (used.count >= limits.lookupsPerHour) {
      const freeAt = (used.oldest?.getTime() ?? now.getTime()) + LOOKUP_WINDOW_MS;
      const retryAfterSeconds = Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000));
      throw new HubError(
        429,
        'rate_limited',
        `this terminal found ${used.count} existing members by phone number through registration ` +
          'in the last hour; registrations resume later',
        { retryAfterSeconds },
      );
    }
    const byPhone = await liveCustomerByPhone(tx, phone.e164);
    if (byPhone) {
      await recordAudit(tx, {
        action: 'phone_lookup',
        source: 'hub',
        storeId: terminal.storeId,
        terminalId: terminal.terminalId,
        guideId: input.guideId?.toLowerCase() ?? null,
        customerId: byPhone,
        at: now,
      });
      // Found at this counter: now one of this store's members (issue #17), so the store's feed
      // brings the profile even where its cursor is past the customer's own change.
      await enterStoreScope(tx, terminal.storeId, [byPhone], SCOPE_REASON.lookup);
      return { id: byPhone, cursor: null };
    }
    const [row] = await tx.query<{ seq: string }>(
      `insert into customers(id, seq, name, phone_e164, phone_hash, member_code, gender, birthday,
         sizes, notes, consent_marketing, home_store_id, registered_store_id, registered_guide_id,
         created_at, updated_at)
       values ($1, nextval('change_seq'), $2, $3, $4, $5, $6, $7::date, $8::jsonb, $9, $10, $11, $11,
         $12, coalesce($13::timestamptz, now()), now())
       returning seq::text as seq`,
      [
        id,
        input.name,
        phone.e164,
        phone.hash,
        await generateMemberCode(tx),
        input.gender,
        input.birthday ?? null,
        JSON.stringify(input.sizes),
        input.notes ?? '',
        input.consentMarketing,
        terminal.storeId,
        input.guideId ?? null,
        input.createdAt ?? null,
      ],
    );
    // The guide who registered the member may keep them (专属导购, rule `registeredBy`).
    const bound =
      input.guideId && rules.registeredBy
        ? await bindIfUnbound(tx, {
            customerId: id,
            guideId: input.guideId.toLowerCase(),
            storeId: terminal.storeId,
            rule: 'registered_by',
            at: input.createdAt ? new Date(input.createdAt) : now,
            source: 'hub',
            rules,
          })
        : null;
    return { id, cursor: bound?.cursor ?? row!.seq };
  });

  if (decided.cursor === null) return existing(decided.id);
  const customer = await loadProfile(db, decided.id);
  return { status: 'created', customer: customer!, cursor: decided.cursor };
}
