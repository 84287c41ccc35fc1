import {
  checkPin,
  hashPin,
  PIN_LOCK_MINUTES,
  PIN_MAX_FAILURES,
  type PinCheck,
} from '../../shared/domain/pin-verifier';
import type { AuditRowAction, GuideRole, PinRefusalDetails } from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import type { Db, Queryable } from '../db/database';
import { HubError, notFound } from '../http/errors';
import { nativeScrypt } from './native-scrypt';

/** Where a PIN was typed: the terminal's store and id (from its token, never from the body). */
export type PinSite = { storeId: string; terminalId: string };

type GuideRecord = {
  id: string;
  name: string;
  role: GuideRole;
  pin_hash: string;
  active: boolean;
  /** set by an IT reset (IT knows the PIN), cleared by the guide's own change */
  pin_change_required: boolean;
};

const lockedError = (until: Date) =>
  new HubError(423, 'pin_locked', 'too many wrong PINs; this guide is locked for a while', {
    attemptsLeft: 0,
    lockedUntil: until.toISOString(),
  } satisfies PinRefusalDetails);

/** Seconds until a lock ends, for the `Retry-After` header of a 423. */
export function retryAfterSeconds(error: HubError, now: Date): number | null {
  if (error.code !== 'pin_locked') return null;
  const until = (error.details as PinRefusalDetails).lockedUntil;
  return until === null ? null : Math.max(1, Math.ceil((Date.parse(until) - now.getTime()) / 1000));
}

async function audit(
  db: Queryable,
  site: PinSite,
  guideId: string,
  action: AuditRowAction,
  at: Date,
) {
  // Ids only: never the PIN, nor anything derived from it. Seen by the hub itself (`hub`).
  await recordAudit(db, {
    action,
    source: 'hub',
    storeId: site.storeId,
    terminalId: site.terminalId,
    guideId,
    at,
  });
}

/**
 * Checks a guide's PIN with the hub's lockout: every attempt first claims a slot in the guide's
 * failure count (one atomic statement, so parallel guesses from several terminals cannot get more
 * than `PIN_MAX_FAILURES` checks in), then the PIN is checked — scrypt on the thread pool, outside
 * any transaction, so an embedded database is never held for it. A right PIN clears the count;
 * the wrong PIN that uses the last slot locks the guide for `PIN_LOCK_MINUTES`. Attempts while
 * locked are refused without checking the PIN. Every attempt is audited (`sign_in_failed` or, by
 * the caller, `sign_in`).
 */
export async function checkGuidePin(
  db: Queryable,
  site: PinSite,
  guideId: string,
  pin: string,
  now: Date,
): Promise<{ guide: GuideRecord; check: PinCheck }> {
  const [guide] = await db.query<GuideRecord>(
    `select id, name, role, pin_hash, active, pin_change_required
       from guides where id = $1 and store_id = $2`,
    [guideId, site.storeId],
  );
  // Another store's guide is as unknown here as a made-up id: nothing says which it is.
  if (!guide) throw notFound(`guide ${guideId} is not a guide of this store`);
  if (!guide.active) throw new HubError(403, 'guide_inactive', 'this guide has been deactivated');
  const at = now.toISOString();
  const [slot] = await db.query<{ failures: number; locked_until: Date | string | null }>(
    `insert into guide_pin_lockouts(guide_id, failures, locked_until, updated_at)
     values ($1, 1, null, $2)
     on conflict (guide_id) do update set
       failures = case when guide_pin_lockouts.locked_until <= $2::timestamptz then 1
                       else guide_pin_lockouts.failures + 1 end,
       locked_until = case when guide_pin_lockouts.locked_until <= $2::timestamptz then null
                           else guide_pin_lockouts.locked_until end,
       updated_at = $2
     returning failures, locked_until`,
    [guide.id, at],
  );
  const attempt = Number(slot!.failures);
  const lockedUntil = slot!.locked_until === null ? null : new Date(slot!.locked_until);
  const lockEnd = new Date(now.getTime() + PIN_LOCK_MINUTES * 60_000);
  if ((lockedUntil && lockedUntil > now) || attempt > PIN_MAX_FAILURES) {
    await audit(db, site, guide.id, 'sign_in_failed', now);
    throw lockedError(lockedUntil && lockedUntil > now ? lockedUntil : lockEnd);
  }
  const check = await checkPin(pin, guide.pin_hash, { scrypt: nativeScrypt });
  if (check.ok) {
    await db.query('delete from guide_pin_lockouts where guide_id = $1', [guide.id]);
    return { guide, check };
  }
  await audit(db, site, guide.id, 'sign_in_failed', now);
  if (attempt >= PIN_MAX_FAILURES) {
    await db.query(
      'update guide_pin_lockouts set locked_until = $2, updated_at = $3 where guide_id = $1',
      [guide.id, lockEnd.toISOString(), at],
    );
    throw lockedError(lockEnd);
  }
  throw new HubError(401, 'wrong_pin', 'wrong PIN', {
    attemptsLeft: PIN_MAX_FAILURES - attempt,
    lockedUntil: null,
  } satisfies PinRefusalDetails);
}

/**
 * An online sign-in: the PIN checked here with the hub's lockout, audited as `sign_in`. A right
 * PIN under weaker scrypt parameters than today's is rehashed on the spot (the hub has the PIN
 * only now); `pinChangeRequired` when it is short, its verifier is the old PBKDF2 one, or IT set
 * it (`reset-pin`: IT knows it) and the guide has not changed it since.
 * `verifierChanged`: the caller tells the store's terminals to pull staff.
 */
export async function signInAtHub(
  db: Queryable,
  site: PinSite,
  guideId: string,
  pin: string,
  now: Date,
): Promise<{
  guide: { id: string; name: string; role: GuideRole };
  pinChangeRequired: boolean;
  verifierChanged: boolean;
}> {
  const { guide, check } = await checkGuidePin(db, site, guideId, pin, now);
  await audit(db, site, guide.id, 'sign_in', now);
  if (check.rehash)
    await db.query('update guides set pin_hash = $2 where id = $1', [
      guide.id,
      await hashPin(pin, { scrypt: nativeScrypt }),
    ]);
  return {
    guide: { id: guide.id, name: guide.name, role: guide.role },
    pinChangeRequired: check.changeRequired || guide.pin_change_required,
    verifierChanged: check.rehash,
  };
}

/**
 * A guide changes their own PIN: the current one is checked like a sign-in, then replaced; a
 * change asked for by an IT reset is done. Audited as `pin_changed` (ids only), in the same
 * transaction as the new verifier, so no change goes unrecorded.
 */
export async function changeGuidePin(
  db: Db,
  site: PinSite,
  input: { guideId: string; currentPin: string; newPin: string },
  now: Date,
): Promise<void> {
  const { guide } = await checkGuidePin(db, site, input.guideId, input.currentPin, now);
  // scrypt outside the transaction: an embedded database is never held for it.
  const pinHash = await hashPin(input.newPin, { scrypt: nativeScrypt });
  await db.transaction(async (tx) => {
    // Only over the verifier just checked: an IT reset meanwhile is not silently undone.
    const changed = await tx.query(
      `update guides set pin_hash = $2, pin_change_required = false
        where id = $1 and pin_hash = $3 returning id`,
      [guide.id, pinHash, guide.pin_hash],
    );
    if (changed.length === 0)
      throw new HubError(409, 'conflict', 'the PIN was changed meanwhile; sign in again');
    await audit(tx, site, guide.id, 'pin_changed', now);
  });
}
