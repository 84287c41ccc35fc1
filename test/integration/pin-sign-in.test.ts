import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseVerifier, PIN_MAX_FAILURES, verifyPin } from '../../shared/domain/pin-verifier';
import { endpoints, type StaffMember } from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import { callRoute } from '../support/api';
import type { HubProcess } from '../support/hub-process';
import { giveLegacyPin } from '../support/legacy-pin';

/**
 * Issue #13 item 2: the hub checks PINs of online sign-ins with its own lockout (in the database,
 * across the store's terminals), audits each attempt (never the PIN), lets a guide change the PIN,
 * and asks guides with an old (4-digit / PBKDF2) PIN to change it.
 */
describeOnBackends('PIN sign-in at the hub', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let other: StoreFixture;
  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
    other = await createStoreFixture(hub);
  });
  afterAll(() => backend.cleanup());

  const token = (i = 0) => store.terminals[i]!.token;
  const signIn = (guideId: string, pin: string, i = 0) =>
    callRoute(hub, endpoints.signIn, { body: { guideId, pin } }, { token: token(i) });
  const changePin = (guideId: string, currentPin: string, newPin: string) =>
    callRoute(
      hub,
      endpoints.changePin,
      { body: { guideId, currentPin, newPin } },
      { token: token() },
    );
  const auditOf = async (guideId: string) => {
    const r = await callRoute(hub, endpoints.adminAudit, { query: { guideId, limit: 100 } });
    expect(r.status).toBe(200);
    return r.body.items;
  };
  const staffRow = async (id: string) => {
    const r = await callRoute(hub, endpoints.syncStaff, {}, { token: token() });
    return (r.body.items as StaffMember[]).find((s) => s.id === id)!;
  };

  it('signs a guide in with a 6-digit PIN, stored as scrypt; audited as sign_in with the terminal', async () => {
    const r = await signIn(store.guide.id, store.guide.pin);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      guide: { id: store.guide.id, name: store.guide.name, role: 'guide' },
      pinChangeRequired: false,
    });
    const verifier = (await staffRow(store.guide.id)).pinHash;
    expect(parseVerifier(verifier)).toMatchObject({
      scheme: 'scrypt',
      params: { N: 32768, r: 8, p: 1 },
    });
    // Seen by the hub itself (source `hub`), after the guide was created through the admin API.
    const trail = await auditOf(store.guide.id);
    expect(trail.map((e) => [e.action, e.source, e.customerId, e.terminal?.id ?? null])).toEqual([
      ['sign_in', 'hub', null, store.terminals[0]!.id],
      ['guide_created', 'admin_rest', null, null],
    ]);
  });

  it('counts wrong PINs across the store’s terminals and locks after five (423 with Retry-After); audited as sign_in_failed', async () => {
    const { id, pin } = store.guide2;
    const left: number[] = [];
    for (let i = 1; i < PIN_MAX_FAILURES; i++) {
      const r = await signIn(id, '000000', i % 2); // both counters
      expect(r.status).toBe(401);
      expect(r.error?.code).toBe('wrong_pin');
      left.push((r.error?.details as { attemptsLeft: number }).attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1]);
    const last = await signIn(id, '000000', 1);
    expect(last.status).toBe(423);
    expect(last.error?.code).toBe('pin_locked');
    // The right PIN is refused while locked, without being checked.
    const right = await signIn(id, pin);
    expect(right.status).toBe(423);
    const lockedUntil = (right.error?.details as { lockedUntil: string }).lockedUntil;
    expect(Date.parse(lockedUntil) - Date.now()).toBeGreaterThan(4 * 60_000);
    // The terminal is fine: its token still works (a wrong PIN is not a failed credential).
    expect((await signIn(store.guide.id, store.guide.pin)).status).toBe(200);

    const trail = await auditOf(id);
    expect(trail.map((e) => e.action)).toEqual([
      ...Array<string>(6).fill('sign_in_failed'),
      'guide_created',
    ]);
    const failed = trail.filter((e) => e.action === 'sign_in_failed');
    expect(new Set(failed.map((e) => e.terminal?.id)).size).toBe(2);

    // IT resets the PIN (6 digits, the rule for new PINs): the lock goes with the old PIN.
    const reset = await callRoute(hub, endpoints.adminResetPin, {
      params: { id },
      body: { pin: '605148' },
    });
    expect(reset.status).toBe(200);
    expect((await signIn(id, '605148')).status).toBe(200);
  });

  it('refuses parallel guesses beyond the lockout budget (no more than five checks get in)', async () => {
    const { id } = store.manager;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signIn(id, `10000${i % 10}`.slice(0, 6), i % 2)),
    );
    const wrong = answers.filter((a) => a.status === 401).length;
    const locked = answers.filter((a) => a.status === 423).length;
    expect(wrong + locked).toBe(12);
    expect(wrong).toBeLessThanOrEqual(PIN_MAX_FAILURES - 1);
    // unlock for the tests below
    await callRoute(hub, endpoints.adminResetPin, {
      params: { id },
      body: { pin: store.manager.pin },
    });
  });

  it('refuses another store’s guide (404), a deactivated guide (403) and a malformed PIN (400)', async () => {
    expect((await signIn(other.guide.id, other.guide.pin)).status).toBe(404);
    await callRoute(hub, endpoints.adminDeactivateGuide, { params: { id: other.guide2.id } });
    const inactive = await callRoute(
      hub,
      endpoints.signIn,
      { body: { guideId: other.guide2.id, pin: other.guide2.pin } },
      { token: other.terminals[0]!.token },
    );
    expect(inactive.status).toBe(403);
    expect(inactive.error?.code).toBe('guide_inactive');
    for (const pin of ['123', '123456789', '12345a', 480613])
      expect((await signIn(store.guide.id, pin as string)).status).toBe(400);
    const unauth = await rawCall(hub, 'POST', routePath(endpoints.signIn), {
      guideId: store.guide.id,
      pin: store.guide.pin,
    });
    expect(unauth.status).toBe(401);
  });

  it('a guide changes the PIN (current + new): new PIN rules, the current PIN checked, the verifier replaced', async () => {
    const { id, pin } = store.guide;
    for (const weak of ['1234', '111111', '123456', '987654', pin]) {
      const r = await changePin(id, pin, weak);
      expect(r.status, weak).toBe(400);
    }
    const wrong = await changePin(id, '000000', '739205');
    expect(wrong.status).toBe(401);
    expect(wrong.error?.code).toBe('wrong_pin');
    const ok = await changePin(id, pin, '739205');
    expect(ok.status).toBe(200);
    expect(await verifyPin('739205', (await staffRow(id)).pinHash)).toBe(true);
    expect((await signIn(id, pin)).status).toBe(401);
    expect((await signIn(id, '739205')).status).toBe(200);
  });

  it('admin: new guides and PIN resets need 6–8 digits that are not weak', async () => {
    for (const pin of ['1234', '12345', '000000', '234567'])
      expect(
        (
          await callRoute(hub, endpoints.adminResetPin, {
            params: { id: store.guide.id },
            body: { pin },
          })
        ).status,
        pin,
      ).toBe(400);
    const created = await callRoute(hub, endpoints.adminCreateGuide, {
      body: { storeId: store.storeId, name: '短码', role: 'guide', pin: '4321' },
    });
    expect(created.status).toBe(400);
  });

  it('a 4-digit PBKDF2 PIN still signs in, with pinChangeRequired, until the guide changes it', async () => {
    hub = await giveLegacyPin((o) => backend.startHub(o), hub, store.guide2.id, '2345');
    const first = await signIn(store.guide2.id, '2345');
    expect(first.status).toBe(200);
    expect(first.body.pinChangeRequired).toBe(true);
    expect((await changePin(store.guide2.id, '2345', '815260')).status).toBe(200);
    const after = await signIn(store.guide2.id, '815260');
    expect(after.body.pinChangeRequired).toBe(false);
    expect(parseVerifier((await staffRow(store.guide2.id)).pinHash)?.scheme).toBe('scrypt');
  });

  it('keeps the lockout in the guide_pin_lockouts table (PostgreSQL: read directly)', async () => {
    if (!hub.options.databaseUrl) return;
    await signIn(store.guide.id, '000000');
    const client = new pg.Client({ connectionString: hub.options.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        'select failures, locked_until from guide_pin_lockouts where guide_id = $1',
        [store.guide.id],
      );
      expect(rows).toEqual([{ failures: 1, locked_until: null }]);
    } finally {
      await client.end();
    }
  });
});
