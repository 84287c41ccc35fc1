import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { rawCall, routePath } from '../support/http';
import { endpoints } from '../../shared/protocol';
import { callRoute } from '../support/api';
import type { HubProcess } from '../support/hub-process';

describeOnBackends('hub basics', (backend) => {
  let hub: HubProcess;
  let store: StoreFixture;
  beforeAll(async () => {
    // An unmigrated PGlite dir or PostgreSQL database (other suites start on a migrated copy):
    // the hub migrates a new database at its start, as it does in production.
    hub = await backend.startHub({ migrated: false });
    store = await createStoreFixture(hub);
  });
  afterAll(() => backend.cleanup());

  it('answers health checks without auth', async () => {
    expect(await rawCall(hub, 'GET', '/healthz')).toEqual({ status: 200, body: { ok: true } });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await rawCall<{ error: { code: string } }>(hub, 'GET', '/api/v1/nope');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });

  it('refuses terminal endpoints without a valid token', async () => {
    expect((await rawCall(hub, 'GET', routePath(endpoints.terminalInfo))).status).toBe(401);
    expect((await callRoute(hub, endpoints.terminalInfo, {}, { token: 'sgt_wrong' })).status).toBe(
      401,
    );
  });

  it('tells an enrolled terminal its store and the phone-hash key', async () => {
    const r = await callRoute(
      hub,
      endpoints.terminalInfo,
      {},
      { token: store.terminals[0]!.token },
    );
    expect(r.status).toBe(200);
    expect(r.body.terminalId).toBe(store.terminals[0]!.id);
    expect(r.body.store).toMatchObject({ id: store.storeId, timezone: 'Asia/Shanghai' });
    expect(r.body.phoneHashKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses admin calls without the admin key and validates their input', async () => {
    expect((await rawCall(hub, 'GET', routePath(endpoints.adminListStores))).status).toBe(401);
    const bad = await callRoute(hub, endpoints.adminCreateStore, {
      body: { name: 'X', timezone: 'Mars/Base', lat: 1, lng: 2 },
    });
    expect(bad.status).toBe(400);
    expect(bad.error?.code).toBe('invalid_input');
    const stores = await callRoute(hub, endpoints.adminListStores, {});
    expect(stores.body.items.map((s) => s.name)).toEqual([store.name]);
  });

  it('rejects bodies over 1 MiB with 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1_100_000) });
    const r = await rawCall<{ error: { code: string } }>(
      hub,
      'POST',
      routePath(endpoints.adminCreateStore),
      big,
      { admin: true },
    );
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('payload_too_large');
  });

  it('lets the desktop app (app://shopguide) call cross-origin, and no other origin', async () => {
    const preflight = (origin: string) =>
      // raw: a CORS preflight, headers only
      fetch(`${hub.url}${routePath(endpoints.terminalInfo)}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const app = await preflight('app://shopguide');
    expect(app.headers.get('access-control-allow-origin')).toBe('app://shopguide');
    expect(app.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('revokes a terminal: its token stops working', async () => {
    const t = store.terminals[1]!;
    expect(
      (await callRoute(hub, endpoints.adminRevokeTerminal, { params: { id: t.id } })).status,
    ).toBe(200);
    expect((await callRoute(hub, endpoints.terminalInfo, {}, { token: t.token })).status).toBe(401);
  });
});
