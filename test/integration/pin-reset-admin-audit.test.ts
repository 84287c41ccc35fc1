import { afterAll, beforeAll, expect, it } from 'vitest';
import type { z } from 'zod';
import { newId } from '../../shared/domain/ids';
import type { customerRegistration } from '../../shared/protocol';
import { endpoints, type AuditQuery, type AuditRow, type ErrorBody } from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { routePath } from '../support/http';
import { callRoute } from '../support/api';
import { TEST_ADMIN_KEY, type HubProcess } from '../support/hub-process';
import { runAdminCliHere } from '../support/run-cli';

/** Registrations one terminal may make per hour that find an existing member (small for the test). */
const LOOKUPS_PER_HOUR = 3;

/**
 * Issue #13, what the lifecycle and the audit missed: a PIN reset by IT forces a change at the
 * next online sign-in; PIN changes and admin actions are audited (with the door they came
 * through, ids only); a registration that finds an existing member is a lookup by phone, audited
 * and bounded per terminal.
 */
describeOnBackends('PIN resets, admin audit, registration lookups', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  beforeAll(async () => {
    hub = await backend.startHub({
      env: { HUB_REGISTRATION_LOOKUPS_PER_HOUR: String(LOOKUPS_PER_HOUR) },
    });
    store = await createStoreFixture(hub, { name: '上海徐家汇店' });
  });
  afterAll(() => backend.cleanup());

  const token = (i = 0) => store.terminals[i]!.token;
  const signIn = (guideId: string, pin: string) =>
    callRoute(hub, endpoints.signIn, { body: { guideId, pin } }, { token: token() });
  const changePin = (guideId: string, currentPin: string, newPin: string) =>
    callRoute(
      hub,
      endpoints.changePin,
      { body: { guideId, currentPin, newPin } },
      { token: token() },
    );
  const resetPin = (id: string, pin: string) =>
    callRoute(hub, endpoints.adminResetPin, { params: { id }, body: { pin } });
  const audit = async (query: Partial<AuditQuery>): Promise<AuditRow[]> => {
    const r = await callRoute(hub, endpoints.adminAudit, { query: { ...query, limit: 100 } });
    expect(r.status).toBe(200);
    return r.body.items;
  };
  /** action, door, terminal id (or null): newest first */
  const brief = (rows: AuditRow[]) =>
    rows.map((r) => [r.action, r.source, r.terminal?.id ?? null] as const);
  let phoneCounter = 0;
  const nextPhone = () => `1390000${String(5000 + ++phoneCounter).padStart(4, '0')}`;
  const register = (body: z.input<typeof customerRegistration>, i = 0) =>
    callRoute(hub, endpoints.registerCustomer, { body }, { token: token(i) });

  it('a PIN reset by IT forces a change at the next online sign-in, until the guide has changed it; both are audited', async () => {
    const { id } = store.guide;
    const before = await signIn(id, store.guide.pin);
    expect(before.body.pinChangeRequired).toBe(false);

    const reset = await resetPin(id, '602847');
    expect(reset.status).toBe(200);
    // The PIN IT typed signs in, but only to the forced change, every time until it is done.
    for (let i = 0; i < 2; i++) {
      const r = await signIn(id, '602847');
      expect(r.status).toBe(200);
      expect(r.body.pinChangeRequired).toBe(true);
    }
    expect((await changePin(id, '602847', '493817')).status).toBe(200);
    const after = await signIn(id, '493817');
    expect(after.status).toBe(200);
    expect(after.body.pinChangeRequired).toBe(false);
    expect((await signIn(id, '602847')).status).toBe(401);

    // The guide's trail: the change seen by the hub at the terminal, the reset by the admin API.
    const trail = await audit({ guideId: id });
    expect(brief(trail)).toEqual([
      ['sign_in_failed', 'hub', store.terminals[0]!.id],
      ['sign_in', 'hub', store.terminals[0]!.id],
      ['pin_changed', 'hub', store.terminals[0]!.id],
      ['sign_in', 'hub', store.terminals[0]!.id],
      ['sign_in', 'hub', store.terminals[0]!.id],
      ['guide_pin_reset', 'admin_rest', null],
      ['sign_in', 'hub', store.terminals[0]!.id],
      ['guide_created', 'admin_rest', null],
    ]);
    expect(trail.every((r) => r.guide?.id === id && r.customerId === null)).toBe(true);
    expect(trail.find((r) => r.action === 'guide_pin_reset')!.store?.id).toBe(store.storeId);
    // Ids only: no PIN, old or new, anywhere in the audit or the hub's log.
    expect(JSON.stringify(trail)).not.toMatch(/602847|493817|480613/);
    expect(hub.output()).not.toMatch(/602847|493817/);
  });

  it('after an IT reset the old PIN cannot choose the next PIN; the reset still forces a change', async () => {
    const { id, pin } = store.guide2;
    // The guide is at the PIN pad with the old PIN while IT resets it: the old PIN no longer works.
    expect((await resetPin(id, '715029')).status).toBe(200);
    expect((await changePin(id, pin, '380926')).status).toBe(401);
    const r = await signIn(id, '715029');
    expect(r.body.pinChangeRequired).toBe(true);
  });

  it('deactivation, reactivation, terminal revocation and erasure are audited with what, which, when and through which door', async () => {
    const { id } = store.guide2;
    const started = Date.now();
    expect((await callRoute(hub, endpoints.adminDeactivateGuide, { params: { id } })).status).toBe(
      200,
    );
    expect((await callRoute(hub, endpoints.adminReactivateGuide, { params: { id } })).status).toBe(
      200,
    );
    const [deactivated, reactivated] = (await audit({ guideId: id }))
      .filter((r) => r.action.startsWith('guide_') && r.action.endsWith('activated'))
      .reverse();
    expect(deactivated).toMatchObject({
      action: 'guide_deactivated',
      source: 'admin_rest',
      guide: { id, name: store.guide2.name },
      store: { id: store.storeId },
      terminal: null,
      customerId: null,
    });
    expect(reactivated!.action).toBe('guide_reactivated');
    expect(Date.parse(deactivated!.at)).toBeGreaterThanOrEqual(started - 1000);

    // A terminal's trail shows its revocation (and its enrolment).
    const revoked = store.terminals[1]!.id;
    expect(
      (await callRoute(hub, endpoints.adminRevokeTerminal, { params: { id: revoked } })).status,
    ).toBe(200);
    expect(brief(await audit({ terminalId: revoked }))).toEqual([
      ['terminal_revoked', 'admin_rest', revoked],
      ['terminal_created', 'admin_rest', revoked],
    ]);

    // Erasure through the admin API and through the integration API: the customer's trail says
    // which, with no store (a member belongs to the chain) and never the reason.
    const erase = async (via: 'admin' | 'integration') => {
      const created = await register({ id: newId(), name: '钱多多', phone: nextPhone() });
      expect(created.status).toBe(201);
      const customerId = created.body.customer.id;
      const reason = 'customer asked by phone 13912345678';
      const r =
        via === 'admin'
          ? await callRoute(hub, endpoints.adminEraseCustomer, {
              params: { id: customerId },
              body: { reason },
            })
          : await callRoute(hub, endpoints.eraseCustomer, { body: { customerId, reason } });
      expect(r.status).toBe(200);
      return customerId;
    };
    for (const [via, source] of [
      ['admin', 'admin_rest'],
      ['integration', 'integration'],
    ] as const) {
      const customerId = await erase(via);
      const rows = await audit({ customerId: customerId });
      expect(rows).toEqual([
        expect.objectContaining({
          action: 'customer_erased',
          source,
          customerId,
          guide: null,
          store: null,
          terminal: null,
        }),
      ]);
      expect(JSON.stringify(rows)).not.toMatch(/customer asked|13912345678|钱多多/);
    }
  });

  it('a registration that finds an existing member is audited as phone_lookup and bounded per terminal (429 beyond it)', async () => {
    const phones = Array.from({ length: LOOKUPS_PER_HOUR + 1 }, nextPhone);
    const members: string[] = [];
    for (const phone of phones) {
      const r = await register({ id: newId(), name: '会员', phone }, 0);
      expect(r.status).toBe(201);
      members.push(r.body.customer.id);
    }
    // A resend of an id the hub already has is no lookup: not counted.
    const resend = await register({ id: members[0]!, name: '会员', phone: phones[0]! }, 0);
    expect(resend.body.status).toBe('existing');

    // Registering a known number answers with its member: that is a lookup by phone.
    for (let i = 0; i < LOOKUPS_PER_HOUR; i++) {
      const r = await register(
        { id: newId(), name: '好奇', phone: phones[i]!, guideId: store.manager.id },
        0,
      );
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('existing');
      expect(r.body.customer.id).toBe(members[i]);
      const trail = await audit({ customerId: members[i] });
      expect(trail).toEqual([
        expect.objectContaining({
          action: 'phone_lookup',
          source: 'hub',
          customerId: members[i],
          guide: { id: store.manager.id, name: store.manager.name },
          store: expect.objectContaining({ id: store.storeId }),
          terminal: expect.objectContaining({ id: store.terminals[0]!.id }),
        }),
      ]);
    }

    // Beyond the limit, every registration of this terminal is refused before the number is
    // looked up: a known number and a new one get the same answer, so the 429 is no oracle.
    const known = await fetchRegistration({ id: newId(), name: '好奇', phone: phones.at(-1)! });
    const unknown = await fetchRegistration({ id: newId(), name: '新客', phone: nextPhone() });
    for (const r of [known, unknown]) {
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('rate_limited');
      expect(r.body.error.message).toContain('existing members by phone');
      const wait = (r.body.error.details as { retryAfterSeconds: number }).retryAfterSeconds;
      expect(wait).toBeGreaterThan(3500);
      expect(wait).toBeLessThanOrEqual(3600);
      expect(r.retryAfter).toBe(String(wait));
    }
    expect([known.body.error.code, known.body.error.message]).toEqual([
      unknown.body.error.code,
      unknown.body.error.message,
    ]);
    // Nothing was looked up or created by the refused calls.
    expect(await audit({ customerId: members.at(-1)! })).toEqual([]);
    const lookups = (await audit({ terminalId: store.terminals[0]!.id })).filter(
      (r) => r.action === 'phone_lookup',
    );
    expect(lookups).toHaveLength(LOOKUPS_PER_HOUR);
    // The limit is per terminal: the store's other (not revoked) terminals are not held up.
    const elsewhere = await callRoute(
      hub,
      endpoints.registerCustomer,
      { body: { id: newId(), name: '会员', phone: phones.at(-1)! } },
      { token: (await otherTerminal()).token },
    );
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.status).toBe('existing');
  });

  it('hub:admin: reset-pin directly on the database is audited as admin_cli; audit --guide shows it and the PIN change', async () => {
    const { id } = store.manager;
    const direct = (...args: string[]) =>
      runAdminCliHere(
        args,
        hub.options.databaseUrl
          ? { DATABASE_URL: hub.options.databaseUrl }
          : { HUB_DATA_DIR: hub.dataDir },
      );
    // PGlite allows one process on a data dir: stop the hub for the direct run, then restart it.
    if (backend.kind === 'pglite') await hub.stop();
    const reset = await direct('reset-pin', '--guide', id, '--pin', '258036');
    expect(reset.stderr).toBe('');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('must choose a new PIN at their next online sign-in');
    if (backend.kind === 'pglite')
      hub = await backend.startHub({
        dataDir: hub.dataDir,
        env: { HUB_REGISTRATION_LOOKUPS_PER_HOUR: String(LOOKUPS_PER_HOUR) },
      });

    expect((await signIn(id, '258036')).body.pinChangeRequired).toBe(true);
    expect((await changePin(id, '258036', '369147')).status).toBe(200);
    expect((await signIn(id, '369147')).body.pinChangeRequired).toBe(false);

    const table = await runAdminCliHere(['audit', '--guide', id, '--url', hub.url], {
      HUB_ADMIN_KEY: TEST_ADMIN_KEY,
    });
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^WHEN \(store time\)\s+ACTION\s+BY\s+GUIDE\s+STORE\s+TERMINAL\s+CUSTOMER$/,
    );
    const actions = lines.slice(2, -1).map((l) => l.split(/\s{2,}/).slice(1, 3));
    expect(actions.slice(0, 4)).toEqual([
      ['sign_in', 'hub'],
      ['pin_changed', 'hub'],
      ['sign_in', 'hub'],
      ['guide_pin_reset', 'hub:admin direct'],
    ]);
    expect(table.stdout).toContain('张伟');
    expect(table.stdout).not.toMatch(/258036|369147/);
  });

  /** A registration with the raw response, for its Retry-After header. */
  async function fetchRegistration(body: z.input<typeof customerRegistration>) {
    const response = await fetch(`${hub.url}${routePath(endpoints.registerCustomer)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token(0)}` },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as ErrorBody,
    };
  }

  /** A third terminal of the store (the second one was revoked above). */
  async function otherTerminal() {
    const r = await callRoute(hub, endpoints.adminCreateTerminal, {
      body: { storeId: store.storeId, name: 'Counter 3' },
    });
    expect(r.status).toBe(201);
    return r.body;
  }
});
