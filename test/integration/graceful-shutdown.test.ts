import { connect } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { endpoints, type DayStats } from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';

/**
 * SIGTERM while terminals are uploading: requests already in the hub finish and are answered,
 * later ones are refused (never half-written), and after a restart a resend of everything yields
 * each order exactly once.
 */
describeOnBackends('graceful shutdown', (backend) => {
  const extra: HubProcess[] = [];
  afterAll(async () => {
    for (const hub of extra) {
      await hub.kill();
      removeDataDir(hub);
    }
    await backend.cleanup();
  });

  it('finishes in-flight order uploads, loses nothing acknowledged and writes nothing twice', async () => {
    const hub = await backend.startHub();
    const store = await createStoreFixture(hub);
    const token = store.terminals[0]!.token;
    const products = await callRoute(hub, endpoints.importProducts, {
      body: { products: [{ sku: 'GS-1', name: '羊毛大衣', category: '外套', price: 129_900 }] },
    });
    expect(products.status).toBe(200);

    const createdAt = new Date().toISOString();
    const batches = Array.from({ length: 10 }, () =>
      Array.from({ length: 100 }, () => ({
        id: newId(),
        storeId: store.storeId,
        terminalId: store.terminals[0]!.id,
        guideId: store.guide.id,
        paymentMethod: 'wechat' as const,
        createdAt,
        lines: [{ sku: 'GS-1', quantity: 2, unitPrice: 129_900, discount: 900 }],
      })),
    );

    let sigtermAt = 0;
    const outcomes = await Promise.all(
      batches.map(async (orders) => {
        try {
          const r = await callRoute(hub, endpoints.postOrders, { body: { orders } }, { token });
          if (sigtermAt === 0 && r.status === 200) {
            // The first answer arrives while the others are still queued inside the hub.
            sigtermAt = Date.now();
            hub.proc.kill('SIGTERM');
          }
          return { status: r.status, body: r.body, at: Date.now() };
        } catch {
          return { status: 0, body: undefined, at: Date.now() };
        }
      }),
    );
    expect(await hub.stop()).toBe(0);

    // Every answer is complete: 200 with a result per order, or a refusal (503 / connection closed).
    for (const o of outcomes) expect([0, 200, 503]).toContain(o.status);
    const answered = outcomes.filter((o) => o.status === 200);
    for (const o of answered) {
      expect(o.body!.results).toHaveLength(100);
      expect(o.body!.results.every((r) => r.status === 'accepted')).toBe(true);
    }
    // Graceful, not abrupt: requests that were in flight at SIGTERM were still answered.
    expect(answered.filter((o) => o.at > sigtermAt).length).toBeGreaterThan(0);

    const again = await startHub({ ...hub.options, dataDir: hub.dataDir });
    extra.push(again);
    const acknowledged = new Set(answered.flatMap((o) => o.body!.results.map((r) => r.id)));
    const statuses = new Map<string, string>();
    for (const orders of batches) {
      const r = await callRoute(again, endpoints.postOrders, { body: { orders } }, { token });
      expect(r.status).toBe(200);
      for (const result of r.body.results) statuses.set(result.id, result.status);
    }
    // Acknowledged before shutdown → already there; everything else is stored now, once.
    for (const id of acknowledged) expect(statuses.get(id)).toBe('duplicate');
    expect([...statuses.values()].every((s) => s === 'accepted' || s === 'duplicate')).toBe(true);

    const day = new Intl.DateTimeFormat('en-CA', { timeZone: store.timezone }).format(
      new Date(createdAt),
    );
    const stats = await callRoute(
      again,
      endpoints.storeStats,
      { params: { storeId: store.storeId }, query: { date: day } },
      { token },
    );
    expect(stats.status).toBe(200);
    const figures = stats.body as DayStats;
    expect(figures.orders).toBe(10 * 100);
    expect(figures.units).toBe(10 * 100 * 2);
    expect(figures.revenue).toBe(10 * 100 * (2 * 129_900 - 900));
  });
});

/**
 * The request timeout this test's hub runs with (HUB_REQUEST_TIMEOUT_MS; 30 s by default,
 * server/config.test.ts): the shutdown's bound on an unfinished request is that setting, so a
 * shorter one shows the same thing without waiting 30 s. Node enforces its own request and headers
 * timeouts only until close() begins (0.25 s after SIGTERM, SHUTDOWN_GRACE_MS), long before 3 s
 * have passed, so a cut at 3 s is still the shutdown's deadline and no timeout of Node's.
 */
const REQUEST_TIMEOUT_MS = 3_000;

it('a client that never finishes its request holds the shutdown up to the request timeout, not for ever', async () => {
  const hub = await startHub({ env: { HUB_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
  try {
    // Half a request's headers: in flight, so close() waits for it; Node no longer enforces the
    // headers and request timeouts once close() began.
    const client = connect(hub.port, '127.0.0.1');
    client.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    await new Promise((resolve) => client.once('connect', resolve));
    client.write('GET /healthz HTTP/1.1\r\nHost: hub\r\n');
    const started = Date.now();
    const exited = await Promise.race([
      hub.stop(),
      new Promise((resolve) =>
        setTimeout(() => resolve('still running'), REQUEST_TIMEOUT_MS + 20_000),
      ),
    ]);
    expect(exited).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 1_000);
    await closed;
  } finally {
    await hub.kill();
    removeDataDir(hub);
  }
}, 120_000);
