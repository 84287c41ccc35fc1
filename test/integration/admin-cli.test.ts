import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBackends } from '../support/backends';
import { endpoints } from '../../shared/protocol';
import { rawCall, routePath } from '../support/http';
import { callRoute } from '../support/api';
import { TEST_ADMIN_KEY, type HubProcess } from '../support/hub-process';
import { runAdminCliHere, runCli } from '../support/run-cli';
import { customerFeed, unique } from '../support/seed';
import { newId } from '../../shared/domain/ids';

const CLI = 'server/admin/cli.ts';

describeOnBackends('hub:admin CLI', (backend) => {
  let hub: HubProcess;
  beforeAll(async () => {
    hub = await backend.startHub();
  });
  const dataDirs: string[] = [];
  afterAll(async () => {
    await backend.cleanup();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  const viaUrl = (...args: string[]) =>
    runAdminCliHere([...args, '--url', hub.url, '--json'], { HUB_ADMIN_KEY: TEST_ADMIN_KEY });
  /** Direct mode: the same database configuration the hub uses. */
  const direct = (...args: string[]) =>
    runAdminCliHere(
      [...args, '--json'],
      hub.options.databaseUrl
        ? { DATABASE_URL: hub.options.databaseUrl }
        : { HUB_DATA_DIR: hub.dataDir },
    );
  const terminalInfo = (token: string) => callRoute(hub, endpoints.terminalInfo, {}, { token });

  it('over --url: adds a store, a guide and a terminal whose token works, then revokes it', async () => {
    const store = await viaUrl(
      'add-store',
      '--name',
      '上海南京西路店',
      '--timezone',
      'Asia/Shanghai',
      '--lat',
      '31.2286',
      '--lng',
      '121.4554',
      '--region',
      '华东',
    );
    expect(store.stderr).toBe('');
    expect(store.code).toBe(0);
    const storeId = (JSON.parse(store.stdout) as { id: string }).id;

    const guide = await viaUrl(
      'add-guide',
      '--store',
      storeId,
      '--name',
      '张伟',
      '--pin',
      '432150',
      '--role',
      'manager',
    );
    expect(guide.code).toBe(0);
    const staff = await callRoute(hub, endpoints.adminListStores, {});
    expect(staff.body.items.map((s) => s.name)).toContain('上海南京西路店');

    const terminal = await viaUrl('add-terminal', '--store', storeId, '--name', 'Counter 1');
    expect(terminal.code).toBe(0);
    const created = JSON.parse(terminal.stdout) as { id: string; token: string };
    const info = await terminalInfo(created.token);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ terminalId: created.id, store: { id: storeId } });

    const listed = await viaUrl('list-stores');
    // The region head office's console groups the store under (#15 item 6).
    expect(
      (JSON.parse(listed.stdout) as { id: string; region: string | null }[]).find(
        (s) => s.id === storeId,
      )?.region,
    ).toBe('华东');

    const revoked = await viaUrl('revoke-terminal', '--terminal', created.id);
    expect(revoked.code).toBe(0);
    expect((await terminalInfo(created.token)).status).toBe(401);
  });

  it('over --url: erases a customer on request; a resend says so; bad input exits 2', async () => {
    // A terminal to read the customer feed with, and one CRM customer to erase.
    const store = await viaUrl(
      'add-store',
      '--name',
      '杭州湖滨店',
      '--timezone',
      'Asia/Shanghai',
      '--lat',
      '30.2590',
      '--lng',
      '120.1650',
    );
    const storeId = (JSON.parse(store.stdout) as { id: string }).id;
    const terminal = await viaUrl('add-terminal', '--store', storeId, '--name', 'Counter 2');
    const { token } = JSON.parse(terminal.stdout) as { token: string };
    const memberCode = `MCLI${unique()}`;
    const crm = await callRoute(hub, endpoints.importCustomers, {
      body: {
        customers: [
          {
            crmId: `crm-cli-${unique()}`,
            name: '王芳',
            phone: `139${unique().padStart(8, '0').slice(-8)}`,
            memberCode,
            // homed at the new store: its terminal's feed carries her
            homeStoreId: storeId,
          },
        ],
      },
    });
    expect(crm.status).toBe(200);
    const customer = (await customerFeed(hub, token)).find((c) => c.memberCode === memberCode)!;

    const missingReason = await viaUrl('erase-customer', '--customer', customer.id);
    expect(missingReason.code).toBe(2);
    expect(missingReason.stderr).toContain('--reason: is required');
    const erased = await viaUrl(
      'erase-customer',
      '--customer',
      customer.id,
      '--reason',
      '顾客申请',
    );
    expect(erased.stderr).toBe('');
    expect(erased.code).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({
      status: 'erased',
      tombstone: { id: customer.id, deleted: true, mergedInto: null },
    });
    expect((await customerFeed(hub, token)).map((c) => c.id)).not.toContain(customer.id);
    const again = await viaUrl('erase-customer', customer.id, '--reason', '顾客申请');
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'already_erased' });
    const unknown = await viaUrl('erase-customer', '--customer', newId(), '--reason', 'x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('not found');
  });

  it('over --url: rotates the integration key; the new key is accepted by the hub', async () => {
    const rotated = await viaUrl('rotate-integration-key');
    expect(rotated.code).toBe(0);
    const { integrationKey } = JSON.parse(rotated.stdout) as { integrationKey: string };
    expect(integrationKey).toMatch(/^sgi_/);
    // a bad body on purpose: raw
    const r = await rawCall(
      hub,
      'POST',
      routePath(endpoints.footfall),
      { nope: true },
      {
        integration: integrationKey,
      },
    );
    // Accepted as the integration key: past authentication, the (bad) body is validated.
    expect(r.status).toBe(400);
  });

  it('explains bad arguments and exits non-zero without touching the hub', async () => {
    const before = await callRoute(hub, endpoints.adminListStores, {});
    const bad = await viaUrl('add-store', '--name', 'X', '--timezone', 'Mars/Base', '--lat', '91');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--timezone: unknown IANA time zone');
    expect(bad.stderr).toContain('--lat');
    expect(bad.stderr).toContain('--lng: is required');
    const after = await callRoute(hub, endpoints.adminListStores, {});
    expect(after.body.items.length).toBe(before.body.items.length);

    const pin = await viaUrl('add-guide', '--store', 'not-a-uuid', '--name', 'A', '--pin', '12');
    expect(pin.code).toBe(2);
    expect(pin.stderr).toContain('--store');
    expect(pin.stderr).toContain('a new PIN must be 6 to 8 digits');

    const unknown = await runAdminCliHere(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');

    const help = await runAdminCliHere(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('add-terminal');
  });

  it('fails clearly on a wrong admin key or an unknown terminal', async () => {
    const wrongKey = await runAdminCliHere(['list-stores', '--url', hub.url], {
      HUB_ADMIN_KEY: 'wrong-admin-key-0123456789',
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('unauthorized');

    const missing = await viaUrl(
      'revoke-terminal',
      '--terminal',
      '0195f000-0000-7000-8000-00000000beef',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not found');
  });

  // The tests here call the CLI's runAdminCli in process; this one runs the binary itself, as
  // `npm run hub:admin` does (server/admin/cli.ts, from the run's hub bundle, run-cli.ts): its output
  // and exit codes (once, on PGlite).
  if (backend.kind === 'pglite')
    it('runs as its own process: prints what it did, exits 0, 1 and 2', async () => {
      const listed = await runCli(CLI, ['list-stores', '--url', hub.url, '--json'], {
        HUB_ADMIN_KEY: TEST_ADMIN_KEY,
      });
      expect(listed.stderr).toBe('');
      expect(listed.code).toBe(0);
      const stores = (await callRoute(hub, endpoints.adminListStores, {})).body.items;
      expect((JSON.parse(listed.stdout) as { id: string }[]).map((s) => s.id).sort()).toEqual(
        stores.map((s) => s.id).sort(),
      );

      const wrongKey = await runCli(CLI, ['list-stores', '--url', hub.url], {
        HUB_ADMIN_KEY: 'wrong-admin-key-0123456789',
      });
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stderr).toContain('unauthorized');

      const unknown = await runCli(CLI, ['frobnicate']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('unknown command "frobnicate"');
    });

  it('works directly on the database (refused on PGlite while the hub holds the data dir)', async () => {
    if (backend.kind === 'pglite') {
      const refused = await direct('list-stores');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('in use by a running hub');
      expect(refused.stderr).toContain(`--url ${hub.url}`);
      await hub.stop();
    }

    const store = await direct(
      'add-store',
      '--name',
      'Berlin Mitte',
      '--timezone',
      'Europe/Berlin',
      '--lat',
      '52.5246',
      '--lng',
      '13.4020',
    );
    expect(store.stderr).toBe('');
    expect(store.code).toBe(0);
    const storeId = (JSON.parse(store.stdout) as { id: string }).id;
    expect(
      (await direct('add-guide', '--store', storeId, '--name', 'Anna', '--pin', '246813')).code,
    ).toBe(0);
    const terminal = await direct('add-terminal', '--store', storeId, '--name', 'Kasse 1');
    expect(terminal.code).toBe(0);
    const created = JSON.parse(terminal.stdout) as { id: string; token: string };

    // The same data dir again (a restarted hub is tracked by the backend, so cleanup stops it).
    if (backend.kind === 'pglite') {
      dataDirs.push(hub.dataDir);
      hub = await backend.startHub({ dataDir: hub.dataDir });
    }
    const info = await terminalInfo(created.token);
    expect(info.status).toBe(200);
    expect(info.body.store.id).toBe(storeId);

    if (backend.kind === 'postgres') {
      expect((await direct('revoke-terminal', created.id)).code).toBe(0);
      // The hub cached the terminal (the 200 above) and forgets it when PostgreSQL's NOTIFY of the
      // commit reaches its listening connection: a moment after the CLI exits, not before (a
      // request sent at once got 200 once on a loaded machine). Refused within 2 s — not after
      // the cache's TTL (HUB_REVOCATION_CHECK_MS, 30 s).
      await expect
        .poll(async () => (await terminalInfo(created.token)).status, { timeout: 2_000 })
        .toBe(401);
    }
  });
});
