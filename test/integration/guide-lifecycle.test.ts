import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyPin } from '../../shared/domain/pin-verifier';
import { newId } from '../../shared/domain/ids';
import { endpoints, type AdminGuide, type StaffMember } from '../../shared/protocol';
import { callRoute } from '../support/api';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { TEST_ADMIN_KEY, type HubProcess } from '../support/hub-process';
import { runAdminCliHere } from '../support/run-cli';
import { connectTerminal, nextEvent, type TerminalClient } from '../support/terminal-socket';

type TerminalListing = { id: string; name: string; last_seen_at: string | null };

/**
 * Issue #13 item 4: IT deactivates / reactivates a guide and resets a PIN (admin REST and
 * hub:admin); the staff feed carries it and the store's terminals are told with `staff:changed`.
 */
describeOnBackends('guide lifecycle', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  let socket: TerminalClient;
  const dataDirs: string[] = [];
  beforeAll(async () => {
    hub = await backend.startHub();
    store = await createStoreFixture(hub);
    socket = await connectTerminal(hub, store.terminals[0]!.token);
  });
  afterAll(async () => {
    socket?.close();
    await backend.cleanup();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  const staffFeed = async () => {
    const r = await callRoute(hub, endpoints.syncStaff, {}, { token: store.terminals[0]!.token });
    expect(r.status).toBe(200);
    return r.body.items as StaffMember[];
  };
  const staffRow = async (id: string) => (await staffFeed()).find((s) => s.id === id)!;
  const guides = () =>
    callRoute(hub, endpoints.adminListGuides, { query: { store: store.storeId } });
  const terminals = () =>
    callRoute(hub, endpoints.adminListTerminals, { query: { store: store.storeId } });
  /** An admin call, and the `staff:changed` it must push to the store's terminal. */
  const withPush = async <T>(adminCall: () => Promise<T>) => {
    const pushed = nextEvent(socket, 'staff:changed', () => true, 30_000);
    const response = await adminCall();
    await pushed;
    return response;
  };

  it('REST: deactivate shows in the staff feed and reaches the terminal; reactivate; reset PIN changes the verifier', async () => {
    const { guide } = store;
    const listed = await guides();
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((g) => [g.name, g.active]).sort()).toEqual([
      ['张伟', true],
      ['李娜', true],
      ['王芳', true],
    ]);
    // IT sees the state, never a PIN verifier.
    expect(JSON.stringify(listed.body)).not.toContain('pbkdf2');

    const deactivated = await withPush(() =>
      callRoute(hub, endpoints.adminDeactivateGuide, { params: { id: guide.id } }),
    );
    expect(deactivated).toEqual({
      status: 200,
      body: { id: guide.id, storeId: store.storeId, active: false },
    });
    expect((await staffRow(guide.id)).active).toBe(false);
    expect((await staffRow(store.guide2.id)).active).toBe(true);
    const again = await guides();
    expect(again.body.items.find((g) => g.id === guide.id)?.active).toBe(false);

    const reactivated = await withPush(() =>
      callRoute(hub, endpoints.adminReactivateGuide, { params: { id: guide.id } }),
    );
    expect(reactivated.status).toBe(200);
    const before = await staffRow(guide.id);
    expect(before.active).toBe(true);
    expect(await verifyPin(guide.pin, before.pinHash)).toBe(true);

    const reset = await withPush(() =>
      callRoute(hub, endpoints.adminResetPin, {
        params: { id: guide.id },
        body: { pin: '135790' },
      }),
    );
    expect(reset.status).toBe(200);
    const after = await staffRow(guide.id);
    expect(after.pinHash).not.toBe(before.pinHash);
    expect(await verifyPin('135790', after.pinHash)).toBe(true);
    expect(await verifyPin(guide.pin, after.pinHash)).toBe(false);

    // Refusals: a bad PIN, an unknown guide; nothing changes.
    expect(
      (
        await callRoute(hub, endpoints.adminResetPin, {
          params: { id: guide.id },
          body: { pin: '12' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await callRoute(hub, endpoints.adminDeactivateGuide, { params: { id: newId() } })).status,
    ).toBe(404);
    expect((await staffRow(guide.id)).pinHash).toBe(after.pinHash);

    // The log says which guide, never who (name) or the PIN. (The hub's stdout reaches the test
    // through a pipe, which may lag the HTTP answers: wait, bounded, for the third line.)
    const guideLines = () => hub.logs.filter((l) => l.guideId === guide.id);
    await expect.poll(() => guideLines().length, { timeout: 10_000 }).toBe(3);
    const lines = guideLines();
    expect(lines.map((l) => l.action)).toEqual(['deactivate', 'reactivate', 'reset-pin']);
    for (const line of lines) expect(JSON.stringify(line)).not.toMatch(/王芳|135790/);
    expect(hub.output()).not.toContain('135790');
  });

  it('REST: lists the store terminals with last seen (terminal info or a socket connect)', async () => {
    const info = await callRoute(
      hub,
      endpoints.terminalInfo,
      {},
      { token: store.terminals[0]!.token },
    );
    expect(info.status).toBe(200);
    const r = await terminals();
    expect(r.status).toBe(200);
    const byId = new Map(r.body.items.map((t) => [t.id, t]));
    expect(byId.size).toBe(2);
    expect(byId.get(store.terminals[0]!.id)?.last_seen_at).toEqual(expect.any(String));
    expect(byId.get(store.terminals[1]!.id)?.last_seen_at).toBeNull();

    // A socket connect counts as seen too.
    const second = await connectTerminal(hub, store.terminals[1]!.token);
    try {
      const seen = async () =>
        (await terminals()).body.items.find((t) => t.id === store.terminals[1]!.id)?.last_seen_at ??
        null;
      await expect.poll(seen, { timeout: 15_000, interval: 100 }).toEqual(expect.any(String));
    } finally {
      second.close();
    }
  });

  it('hub:admin over --url and directly on the database', async () => {
    const { guide2 } = store;
    const viaUrl = (...args: string[]) =>
      runAdminCliHere([...args, '--url', hub.url, '--json'], { HUB_ADMIN_KEY: TEST_ADMIN_KEY });

    const pushed = nextEvent(socket, 'staff:changed', () => true, 30_000);
    const off = await viaUrl('deactivate-guide', '--guide', guide2.id);
    expect(off.stderr).toBe('');
    expect(off.code).toBe(0);
    expect(JSON.parse(off.stdout)).toEqual({
      id: guide2.id,
      storeId: store.storeId,
      active: false,
    });
    await pushed;
    expect((await staffRow(guide2.id)).active).toBe(false);

    // 4 digits were fine before issue #13 item 2; new PINs need 6 to 8.
    const badPin = await viaUrl('reset-pin', '--guide', guide2.id, '--pin', '1234');
    expect(badPin.code).toBe(2);
    expect(badPin.stderr).toContain('a new PIN must be 6 to 8 digits');
    const reset = await viaUrl('reset-pin', '--guide', guide2.id, '--pin', '864200');
    expect(reset.code).toBe(0);
    expect(await verifyPin('864200', (await staffRow(guide2.id)).pinHash)).toBe(true);

    const terminals = await viaUrl('list-terminals', '--store', store.storeId);
    expect(terminals.code).toBe(0);
    expect((JSON.parse(terminals.stdout) as TerminalListing[]).map((t) => t.name).sort()).toEqual([
      'Counter 1',
      'Counter 2',
    ]);

    // Direct mode: the same database configuration the hub uses (PGlite only while no hub runs).
    const direct = (...args: string[]) =>
      runAdminCliHere(
        [...args, '--json'],
        hub.options.databaseUrl
          ? { DATABASE_URL: hub.options.databaseUrl }
          : { HUB_DATA_DIR: hub.dataDir },
      );
    if (backend.kind === 'pglite') {
      socket.close();
      await hub.stop();
      dataDirs.push(hub.dataDir);
    }
    const on = await direct('reactivate-guide', guide2.id);
    expect(on.stderr).toBe('');
    expect(on.code).toBe(0);
    const guides = await direct('list-guides', '--store', store.storeId);
    expect(guides.code).toBe(0);
    const listed = JSON.parse(guides.stdout) as AdminGuide[];
    expect(listed.map((g) => [g.name, g.active]).sort()).toEqual([
      ['张伟', true],
      ['李娜', true],
      ['王芳', true],
    ]);
    if (backend.kind === 'postgres') expect((await staffRow(guide2.id)).active).toBe(true);
  });
});
