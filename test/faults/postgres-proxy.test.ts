import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnPostgres } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { API_PREFIX, endpointPath, endpoints } from '../../shared/protocol';
import {
  removeDataDir,
  startHub,
  TEST_INTEGRATION_KEY,
  type HubProcess,
} from '../support/hub-process';
import { OrderLedger } from '../support/order-ledger';
import { seedCrmCustomers, seedProducts, unique } from '../support/seed';
import { TEST_DATABASE_URL, freshPostgresDatabase } from '../support/services';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

/**
 * The hub on PostgreSQL behind a TCP proxy that cuts and blackholes its connections (the
 * machine's PostgreSQL itself is never touched, apart from terminating this test database's own
 * backends). Asserts: the process stays up, requests end with 200 or a quick 503 (never a 500,
 * never a hang), /readyz tells the truth, and every acknowledged order is stored once with its
 * lines. Figures go to the console (docs/reliability.md).
 */

/** Short bounds so outage answers come fast in the test (production defaults: 5 s / 15 s). */
const DB_ENV = { HUB_DB_CONNECT_TIMEOUT_MS: '1500', HUB_DB_STATEMENT_TIMEOUT_MS: '3000' };
/** A request that takes longer than this hangs as far as the test is concerned. */
const HANG_MS = 20_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function status(url: string): Promise<number> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(HANG_MS) });
    await r.text();
    return r.status;
  } catch {
    return 0;
  }
}

/** Polls until `check` is true (bounded); returns how long it took. */
async function until(check: () => Promise<boolean>, what: string, maxMs = 60_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < maxMs) {
    if (await check()) return Date.now() - started;
    await sleep(200);
  }
  throw new Error(`${what}: not within ${maxMs / 1000} s`);
}

describeOnPostgres('PostgreSQL faults behind a proxy', () => {
  let database: { url: string; drop(): Promise<void> };
  let proxy: TcpProxy;
  let hub: HubProcess;
  let store: StoreFixture;
  let ledger: OrderLedger;
  const figures: Record<string, number | string> = {};

  const alive = () => hub.proc.exitCode === null && hub.proc.signalCode === null;

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    const target = new URL(TEST_DATABASE_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    hub = await startHub({ databaseUrl: proxy.via(database.url), env: DB_ENV });
    store = await createStoreFixture(hub);
    const products = [
      { sku: `SKU-PX-A-${unique()}`, price: 19_900 },
      { sku: `SKU-PX-B-${unique()}`, price: 4_500 },
    ];
    await seedProducts(hub, products);
    ledger = new OrderLedger(store, products);
    expect((await ledger.post(hub.url, ledger.newBatch(20))).kind).toBe('acknowledged');
  });

  afterAll(async () => {
    console.log('PostgreSQL proxy fault figures', JSON.stringify(figures));
    await hub?.kill();
    if (hub) removeDataDir(hub);
    await proxy?.close();
    await database?.drop();
  });

  it('all connections cut mid-traffic: the hub stays up and answers 200 or 503, then recovers by itself', async () => {
    // Batches in flight while the proxy drops every connection.
    const inFlight = Array.from({ length: 4 }, () => ledger.post(hub.url, ledger.newBatch(25)));
    await sleep(20);
    proxy.cutAll();
    const outcomes = await Promise.all(inFlight);
    expect(outcomes.every((o) => o.kind !== 'failed')).toBe(true);
    expect(alive()).toBe(true);

    const cutAt = Date.now();
    figures.cutRecoveryMs = await until(
      async () => (await ledger.post(hub.url, ledger.newBatch(10))).kind === 'acknowledged',
      'orders accepted after the cut',
    );
    figures.cutRecoveryMs = Date.now() - cutAt;
    expect(await status(`${hub.url}/readyz`)).toBe(200);
    expect(alive()).toBe(true);
    expect(ledger.unexpectedStatuses).toEqual([]);
  });

  it('blackholed database: requests end with 503 + Retry-After (no hang), /readyz 503, then recover', async () => {
    proxy.blackhole();
    const started = Date.now();
    const during = await Promise.all(
      Array.from({ length: 3 }, () => ledger.post(hub.url, ledger.newBatch(10), HANG_MS)),
    );
    figures.blackhole503Ms = Date.now() - started;
    for (const outcome of during) expect(outcome).toEqual({ kind: 'unavailable', retryAfter: '5' });
    const readyStarted = Date.now();
    expect(await status(`${hub.url}/readyz`)).toBe(503);
    figures.readyz503Ms = Date.now() - readyStarted;
    expect(await status(`${hub.url}/healthz`)).toBe(200); // liveness: the process answers
    expect(alive()).toBe(true);

    proxy.restore();
    figures.blackholeRecoveryReadyMs = await until(
      async () => (await status(`${hub.url}/readyz`)) === 200,
      '/readyz 200 after restore',
    );
    const restoredAt = Date.now();
    await until(
      async () => (await ledger.post(hub.url, ledger.newBatch(10))).kind === 'acknowledged',
      'orders accepted after restore',
    );
    figures.blackholeRecoveryOrdersMs = Date.now() - restoredAt;
    expect(alive()).toBe(true);
    expect(ledger.unexpectedStatuses).toEqual([]);
  });

  it('a burst of sightings during a blackhole ends in quick 503s, and the next burst is recorded after restore', async () => {
    // Sightings share statements under load (server/presence/sightings.ts): a statement lost to
    // the outage must fail the sightings it carried and free its slot, not stall the node's
    // presence for good.
    const members = await seedCrmCustomers(hub, store.terminals[0]!.token, 40, 'px');
    const sight = async (customerId: string) => {
      const r = await fetch(`${hub.url}${API_PREFIX}${endpointPath(endpoints.presence)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-integration-key': TEST_INTEGRATION_KEY },
        body: JSON.stringify({ customer: { customerId }, storeId: store.storeId, source: 'wifi' }),
        signal: AbortSignal.timeout(HANG_MS),
      });
      return { status: r.status, body: (await r.json()) as { alertId?: string | null } };
    };
    proxy.blackhole();
    const started = Date.now();
    const during = await Promise.all(members.slice(0, 20).map(sight));
    figures.presenceBlackhole503Ms = Date.now() - started;
    expect(during.map((r) => r.status)).toEqual(during.map(() => 503));
    proxy.restore();
    const restoredAt = Date.now();
    await until(async () => (await sight(members[20]!)).status === 202, 'a sighting after restore');
    figures.presenceRecoveryMs = Date.now() - restoredAt;
    const after = await Promise.all(members.slice(21).map(sight));
    expect(after.map((r) => r.status)).toEqual(after.map(() => 202));
    for (const r of after) expect(r.body.alertId).toEqual(expect.any(String));
    expect(alive()).toBe(true);
  });

  it("pg_terminate_backend on the hub's connections: the hub stays up and keeps taking orders", async () => {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const name = new URL(database.url).pathname.slice(1);
      const inFlight = Array.from({ length: 3 }, () => ledger.post(hub.url, ledger.newBatch(25)));
      const killed = await admin.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid()`,
        [name],
      );
      figures.terminatedBackends = killed.rows[0]!.n;
      expect(killed.rows[0]!.n).toBeGreaterThan(0);
      const outcomes = await Promise.all(inFlight);
      expect(outcomes.every((o) => o.kind !== 'failed')).toBe(true);
      expect(alive()).toBe(true);
      await until(
        async () => (await ledger.post(hub.url, ledger.newBatch(10))).kind === 'acknowledged',
        'orders accepted after pg_terminate_backend',
      );
      expect(alive()).toBe(true);
    } finally {
      await admin.end();
    }
  });

  it('a hub started while PostgreSQL is unreachable exits 1 at once with a clear message', async () => {
    proxy.blackhole();
    try {
      const started = Date.now();
      const failed = await startHub({ databaseUrl: proxy.via(database.url), env: DB_ENV }).then(
        (h) => h.kill().then(() => 'it started'),
        (error: unknown) => String(error),
      );
      figures.startWhileDownExitMs = Date.now() - started;
      expect(failed).toMatch(/exited with 1 before listening/);
      expect(failed).toMatch(/hub: cannot start: PostgreSQL cannot be reached at postgres:/);
      expect(failed).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
    } finally {
      proxy.restore();
    }
    await until(async () => (await status(`${hub.url}/readyz`)) === 200, 'running hub ready again');
  });

  it('every acknowledged order is stored exactly once with all its lines', async () => {
    await ledger.drain(hub.url);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const counts = await ledger.verify({
        query: async (sql, params) => (await admin.query(sql, params as unknown[])).rows,
      });
      figures.orders = counts.orders;
      figures.lines = counts.lines;
      figures.answered503 = ledger.outcomes.unavailable;
    } finally {
      await admin.end();
    }
    expect(ledger.unexpectedStatuses).toEqual([]);
    expect(alive()).toBe(true);
    // The hub said what happened, at warn/error level, without exiting.
    expect(hub.logs.some((l) => l.msg === 'database unavailable')).toBe(true);
  });
});
