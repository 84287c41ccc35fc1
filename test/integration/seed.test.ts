import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { normalisePhone } from '../../shared/domain/phone';
import { openDatabase } from '../../server/db/database';
import type { DemoCredentials } from '../../server/demo/credentials';
import { endpoints, type ArrivalAlert } from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { callRoute } from '../support/api';
import { customerFeed } from '../support/seed';
import type { HubProcess } from '../support/hub-process';
import { freshPgliteDataDir } from '../support/pglite-template';
import { runCli } from '../support/run-cli';
import { freshPostgresDatabase } from '../support/services';
import { connected, eventsOf, openTerminalSocket } from '../support/terminal-socket';

const SEED = 'server/demo/seed-cli.ts';
/** Two seed runs: the fixed part (PIN hashing, ~500 products, a week of orders) dominates. */
const SEED_TIMEOUT = 240_000;
const TABLES = [
  'stores',
  'guides',
  'terminals',
  'products',
  'store_products',
  'customers',
  'footfall',
  'visits',
  'alerts',
  'orders',
  'order_lines',
  'online_orders',
  'online_credits',
  'customer_bindings',
  'visit_outcomes',
  'follow_up_tasks',
];

describeOnBackends('hub:seed', (backend) => {
  // On PGlite an empty cluster copied from the template (the seed's first run would run initdb).
  let dataDir = '';
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  let hub: HubProcess | undefined;
  const env = () =>
    databaseUrl ? { DATABASE_URL: databaseUrl, HUB_DATA_DIR: dataDir } : { HUB_DATA_DIR: dataDir };
  const seed = (...args: string[]) => runCli(SEED, ['--customers', '60', ...args], env());
  const credentials = () =>
    JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
  /** Row counts, read straight from the database while no hub holds it. */
  const counts = async () => {
    const db = await openDatabase({ databaseUrl, dataDir });
    try {
      const out: Record<string, number> = {};
      for (const t of TABLES)
        out[t] = (await db.query<{ n: number }>(`select count(*)::int as n from ${t}`))[0]!.n;
      return out;
    } finally {
      await db.close();
    }
  };
  /**
   * The hub on the seeded database, started once for the tests that call it (a hub start is
   * seconds of CPU on the 2-core CI machine); `stopHub` before the seed or a direct read needs the
   * PGlite data dir again.
   */
  const seededHub = async (): Promise<HubProcess> => {
    if (hub && hub.proc.exitCode === null && hub.proc.signalCode === null) return hub;
    hub = await backend.startHub(databaseUrl ? { databaseUrl, dataDir } : { dataDir });
    return hub;
  };
  const stopHub = async () => {
    await hub?.stop();
    hub = undefined;
  };

  beforeAll(async () => {
    dataDir =
      backend.kind === 'pglite'
        ? await freshPgliteDataDir('sg-seed-', { migrated: false })
        : mkdtempSync(join(tmpdir(), 'sg-seed-'));
    if (backend.kind === 'postgres') {
      const database = await freshPostgresDatabase();
      databaseUrl = database.url;
      dropDatabase = database.drop;
    }
  });
  afterAll(async () => {
    await backend.cleanup();
    await dropDatabase?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'seeds the demo chain and writes credentials; a second run duplicates nothing',
    async () => {
      const first = await seed();
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(join(dataDir, 'demo-credentials.json'));
      const before = await counts();
      expect(before).toMatchObject({ stores: 4, guides: 13, terminals: 8, customers: 60 });
      expect(before.products).toBeGreaterThanOrEqual(450);
      expect(before.store_products).toBe(before.products! * 4);
      expect(before.orders).toBeGreaterThan(0);
      expect(before.footfall).toBeGreaterThan(0);
      // online orders credited on the seeded history (issue #15)
      expect(before.online_credits).toBeGreaterThan(0);
      // #15: the guides' own customers (专属导购) for the cards and the 360
      expect(before.customer_bindings).toBeGreaterThan(0);
      // #15: no-purchase reasons and follow-up tasks for the 跟进 tab and the dashboard.
      expect(before.visit_outcomes).toBeGreaterThan(0);
      expect(before.follow_up_tasks).toBeGreaterThan(0);
      const creds1 = credentials();

      const second = await seed();
      expect(second.code).toBe(0);
      expect(await counts()).toEqual(before);
      const creds2 = credentials();
      // Still-valid keys and tokens are kept, so running terminals and scripts keep working.
      expect(creds2.integrationKey).toBe(creds1.integrationKey);
      expect(creds2.adminKey).toBe(creds1.adminKey);
      expect(creds2.stores).toEqual(creds1.stores);
      expect(creds2.sampleCustomers).toEqual(creds1.sampleCustomers);
    },
    SEED_TIMEOUT,
  );

  it('describes a real chain: time zones, coordinates, managers, valid mainland mobiles', () => {
    const creds = credentials();
    expect(creds.stores.map((s) => s.timezone)).toEqual([
      'Asia/Shanghai',
      'Asia/Shanghai',
      'Asia/Shanghai',
      'Europe/Berlin',
    ]);
    for (const store of creds.stores) {
      expect(store.terminals).toHaveLength(2);
      expect(store.guides.filter((g) => g.role === 'manager')).toHaveLength(1);
      for (const g of store.guides) expect(g.pin).toMatch(/^\d{6,8}$/);
    }
    expect(creds.sampleCustomers.length).toBeGreaterThan(0);
    for (const c of creds.sampleCustomers) {
      expect(normalisePhone(c.phone)?.e164).toMatch(/^\+861[3-9]\d{9}$/);
      expect(c.memberCode).toMatch(/^M\d{10}$/);
      expect(c.name).toMatch(/^\p{Script=Han}{2,4}$/u);
    }
  });

  it("lists a newcomer's terminal its store's members, not the whole chain's", async () => {
    const creds = credentials();
    const [here, ...others] = creds.stores;
    // Who is homed where, read straight from the database while no hub holds it.
    const db = await openDatabase({ databaseUrl, dataDir });
    const homed = await db
      .query<{ member_code: string; home_store_id: string | null }>(
        'select member_code, home_store_id from customers where not deleted and merged_into is null',
      )
      .finally(() => db.close());
    const homedHere = homed.filter((c) => c.home_store_id === here!.id).map((c) => c.member_code);
    expect(homedHere.length).toBeGreaterThan(0);
    // The hub's first start on the seeded data (the other stores' members never seen here yet).
    const hub = await seededHub();
    const token = here!.terminals[0]!.token;
    const first = await callRoute(hub, endpoints.syncCustomers, { query: {} }, { token });
    expect(first.body.feed).toBe(`store:${here!.id}`);
    const listedNow = async () =>
      new Set((await customerFeed(hub, token)).map((c) => c.memberCode));
    // Every member homed here; the hub numbers the seeded scope entries in its first settle
    // round, just after it starts (a terminal is told to pull when it does).
    await expect
      .poll(
        async () => {
          const listed = await listedNow();
          return homedHere.filter((code) => !listed.has(code));
        },
        { timeout: 20_000 },
      )
      .toEqual([]);
    const listed = await listedNow();
    // The other stores' sample members (regulars there, never seen here) stay off this terminal.
    const othersSamples = creds.sampleCustomers.filter((c) =>
      others.some((s) => s.id === c.homeStoreId),
    );
    expect(othersSamples.length).toBeGreaterThan(0);
    for (const c of othersSamples) expect(listed.has(c.memberCode), c.memberCode).toBe(false);
    expect(listed.size).toBeLessThan(homed.length);
  });

  it('hands out credentials that work against a started hub', async () => {
    const creds = credentials();
    const hub = await seededHub();
    const terminal = creds.stores[0]!.terminals[0]!;
    const info = await callRoute(hub, endpoints.terminalInfo, {}, { token: terminal.token });
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      terminalId: terminal.id,
      store: { id: creds.stores[0]!.id },
    });

    const stores = await callRoute(
      hub,
      endpoints.adminListStores,
      {},
      { adminKey: creds.adminKey },
    );
    expect(stores.status).toBe(200);
    expect(stores.body.items).toHaveLength(4);

    const footfall = await callRoute(
      hub,
      endpoints.footfall,
      { body: { storeId: creds.stores[3]!.id, at: new Date().toISOString(), count: 2 } },
      { integrationKey: creds.integrationKey },
    );
    expect(footfall.status).toBe(202);

    const sample = creds.sampleCustomers[0]!;
    const presence = await callRoute(
      hub,
      endpoints.presence,
      {
        body: {
          customer: { memberCode: sample.memberCode },
          storeId: sample.homeStoreId!,
          source: 'wifi',
        },
      },
      { integrationKey: creds.integrationKey },
    );
    expect(presence.status).toBe(202);
    expect(presence.body.alertId).not.toBeNull();
  });

  it('simulates arrivals that reach a terminal of that store as alerts', async () => {
    const creds = credentials();
    const store = creds.stores[0]!;
    const hub = await seededHub();
    const socket = openTerminalSocket(hub, store.terminals[1]!.token);
    await connected(socket);
    const alerts = () => eventsOf<ArrivalAlert>(socket, 'alert:new');
    try {
      const run = await runCli('server/demo/simulate-cli.ts', [
        '--store',
        store.id,
        // 12 arrivals, as at 240 a minute for 3 s, in 1 s
        '--rate',
        '720',
        '--duration',
        '1',
        '--url',
        hub.url,
        '--credentials',
        join(dataDir, 'demo-credentials.json'),
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('→ alert');
      await expect.poll(() => alerts().length).toBeGreaterThan(0);
      expect(alerts().every((a) => a.storeId === store.id)).toBe(true);
      const names = new Set(creds.sampleCustomers.map((c) => c.name));
      expect(names.has(alerts()[0]!.card.name)).toBe(true);

      const remote = await runCli('server/demo/simulate-cli.ts', [
        '--url',
        'http://203.0.113.7:4600',
        '--credentials',
        join(dataDir, 'demo-credentials.json'),
      ]);
      expect(remote.code).toBe(2);
      expect(remote.stderr).toContain('is not this machine');
    } finally {
      socket.disconnect();
    }
  });

  it(
    're-issues terminal tokens when the credentials file was lost, without duplicating rows',
    async () => {
      await stopHub();
      const before = await counts();
      const old = credentials();
      rmSync(join(dataDir, 'demo-credentials.json'));
      const again = await seed();
      expect(again.code).toBe(0);
      expect(await counts()).toEqual(before);
      const fresh = credentials();
      expect(fresh.stores[0]!.terminals[0]!.token).not.toBe(old.stores[0]!.terminals[0]!.token);
      expect(fresh.integrationKey).not.toBe(old.integrationKey);

      hub = await backend.startHub(databaseUrl ? { databaseUrl, dataDir } : { dataDir });
      const token = (t: string) => callRoute(hub!, endpoints.terminalInfo, {}, { token: t });
      expect((await token(fresh.stores[0]!.terminals[0]!.token)).status).toBe(200);
      expect((await token(old.stores[0]!.terminals[0]!.token)).status).toBe(401);
    },
    SEED_TIMEOUT,
  );

  // PostgreSQL serves many processes; only the embedded database is single-process.
  if (backend.kind === 'pglite')
    it('refuses to seed a PGlite data dir while a hub runs on it', async () => {
      const refused = await seed();
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('in use by a running hub');
    });
});
