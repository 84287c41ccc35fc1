import type { PinChangeRequest, SignInResponse, StaffMember } from '../../../shared/protocol';
import {
  checkPin,
  hashPin,
  PIN_LOCK_MINUTES,
  PIN_MAX_FAILURES,
} from '../../../shared/domain/pin-verifier';
import { err, ok } from '../../../shared/result';
import type { HubResult } from '../../sync/hub-client';
import type { FakeHubState } from './state';

/** The hub's PIN check with its lockout (server/staff/sign-in.ts), in memory. */
export async function checkGuidePin(
  hub: FakeHubState,
  guideId: string,
  pin: string,
): Promise<HubResult<{ guide: StaffMember; changeRequired: boolean }>> {
  const guide = hub.staff.find((s) => s.id === guideId);
  if (!guide) return err({ code: 'rejected', message: 'unknown guide', status: 404 });
  if (!guide.active) {
    hub.signIns.push({ guideId, outcome: 'inactive' });
    return err({ code: 'rejected', message: 'inactive', status: 403, reason: 'guide_inactive' });
  }
  const now = hub.now();
  const entry = hub.pinFailures.get(guideId) ?? { failures: 0, lockedUntil: null };
  if (entry.lockedUntil !== null && entry.lockedUntil <= now) {
    entry.failures = 0;
    entry.lockedUntil = null;
  }
  const locked = (until: number) => {
    hub.signIns.push({ guideId, outcome: 'locked' });
    return err({
      code: 'rejected' as const,
      message: 'locked',
      status: 423,
      reason: 'pin_locked' as const,
      details: { attemptsLeft: 0, lockedUntil: new Date(until).toISOString() },
    });
  };
  if (entry.lockedUntil !== null) return locked(entry.lockedUntil);
  const check = await checkPin(pin, guide.pinHash);
  if (check.ok) {
    hub.pinFailures.delete(guideId);
    hub.signIns.push({ guideId, outcome: 'ok' });
    return ok({ guide, changeRequired: check.changeRequired });
  }
  entry.failures += 1;
  hub.pinFailures.set(guideId, entry);
  if (entry.failures >= PIN_MAX_FAILURES) {
    entry.lockedUntil = now + PIN_LOCK_MINUTES * 60_000;
    return locked(entry.lockedUntil);
  }
  hub.signIns.push({ guideId, outcome: 'wrong' });
  return err({
    code: 'rejected',
    message: 'wrong PIN',
    status: 401,
    reason: 'wrong_pin',
    details: { attemptsLeft: PIN_MAX_FAILURES - entry.failures, lockedUntil: null },
  });
}

/** `POST /staff/sign-in`: the PIN checked online. */
export async function signIn(
  hub: FakeHubState,
  guideId: string,
  pin: string,
): Promise<HubResult<SignInResponse>> {
  const checked = await checkGuidePin(hub, guideId, pin);
  if (!checked.ok) return checked;
  const { guide, changeRequired } = checked.value;
  return ok({
    guide: { id: guide.id, name: guide.name, role: guide.role },
    pinChangeRequired: changeRequired,
  });
}

/** `POST /staff/pin`: a new PIN after the current one checked. */
export async function changePin(
  hub: FakeHubState,
  change: PinChangeRequest,
): Promise<HubResult<{ ok: true }>> {
  const checked = await checkGuidePin(hub, change.guideId, change.currentPin);
  if (!checked.ok) return checked;
  checked.value.guide.pinHash = await hashPin(change.newPin, {
    params: { N: 16, r: 8, p: 1 },
  });
  return ok({ ok: true as const });
}
