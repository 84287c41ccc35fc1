import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { PIN_LOCK_MINUTES, PIN_MAX_FAILURES } from '../../shared/domain/pin-verifier';
import { newId } from '../../shared/domain/ids';
import {
  clearLockouts,
  lockedUntil,
  mirrorHubAnswer,
  recordFailure,
  recordSuccess,
} from './pin-lockouts';
import { freshDb } from './testing';

const T0 = new Date('2026-11-02T10:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

describe('PIN lockouts on the terminal (IndexedDB)', () => {
  it('locks a guide after five wrong PINs for five minutes, then starts a fresh count', async () => {
    const db = freshDb();
    const guide = newId();
    const left: number[] = [];
    for (let i = 0; i < PIN_MAX_FAILURES; i++) left.push(await recordFailure(db, guide, T0));
    expect(left).toEqual([4, 3, 2, 1, 0]);
    expect(await lockedUntil(db, guide, T0)).toEqual(later(PIN_LOCK_MINUTES * 60_000));
    expect(await lockedUntil(db, guide, later(PIN_LOCK_MINUTES * 60_000 - 1))).not.toBeNull();
    const after = later(PIN_LOCK_MINUTES * 60_000 + 1);
    expect(await lockedUntil(db, guide, after)).toBeNull();
    expect(await recordFailure(db, guide, after)).toBe(PIN_MAX_FAILURES - 1);
  });

  it('keeps guides apart, and a right PIN clears the count', async () => {
    const db = freshDb();
    const [a, b] = [newId(), newId()];
    for (let i = 0; i < PIN_MAX_FAILURES; i++) await recordFailure(db, a, T0);
    expect(await recordFailure(db, b, T0)).toBe(PIN_MAX_FAILURES - 1);
    expect(await lockedUntil(db, b, T0)).toBeNull();
    await recordSuccess(db, b, T0);
    expect(await recordFailure(db, b, T0)).toBe(PIN_MAX_FAILURES - 1);
    expect(await lockedUntil(db, a, T0)).not.toBeNull();
  });

  it('queues a sign_in / sign_in_failed audit entry (no customer) for each PIN checked here', async () => {
    const db = freshDb();
    const guide = newId();
    await recordFailure(db, guide, T0);
    await recordSuccess(db, guide, later(1_000));
    const rows = await db.audit.orderBy('at').toArray();
    expect(
      rows.map(({ action, guideId, customerId, synced }) => ({
        action,
        guideId,
        customerId,
        synced,
      })),
    ).toEqual([
      { action: 'sign_in_failed', guideId: guide, customerId: null, synced: 0 },
      { action: 'sign_in', guideId: guide, customerId: null, synced: 0 },
    ]);
  });

  it('mirrors the hub’s answer (no audit: the hub recorded it) and survives a reopen', async () => {
    const db = freshDb();
    const guide = newId();
    const until = later(60_000).toISOString();
    await mirrorHubAnswer(db, guide, { attemptsLeft: 0, lockedUntil: until });
    db.close();
    await db.open();
    expect((await lockedUntil(db, guide, T0))?.toISOString()).toBe(until);
    await mirrorHubAnswer(db, guide, 'ok');
    expect(await lockedUntil(db, guide, T0)).toBeNull();
    await mirrorHubAnswer(db, guide, { attemptsLeft: 2, lockedUntil: null });
    expect(await recordFailure(db, guide, T0)).toBe(1);
    await clearLockouts(db);
    expect(await db.pinLockouts.count()).toBe(0);
    expect(await db.audit.count()).toBe(1);
  });
});
