import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture } from '../support/fixtures';
import type { HubProcess } from '../support/hub-process';
import { OrderLedger } from '../support/order-ledger';
import { seedProducts, unique } from '../support/seed';

/**
 * kill -9 of the hub while a terminal posts order batches back to back, then a restart on the same
 * data and a resend of everything unacknowledged (same ids, as the outbox does). Every order the
 * hub acknowledged before the kill, and every resent one, is stored exactly once with its lines.
 */
const BATCH = 25;
const ACKNOWLEDGED_BEFORE_KILL = 100;

describeOnBackends('SIGKILL during order batches', (backend) => {
  afterAll(() => backend.cleanup());

  it('every acknowledged order survives kill -9 mid-batch, exactly once with all its lines', async () => {
    const hub = await backend.startHub();
    const store = await createStoreFixture(hub);
    const products = [
      { sku: `SKU-KILL-A-${unique()}`, price: 29_900 },
      { sku: `SKU-KILL-B-${unique()}`, price: 3_900 },
      { sku: `SKU-KILL-C-${unique()}`, price: 129_900 },
    ];
    await seedProducts(hub, products);
    const ledger = new OrderLedger(store, products);

    let killed = false;
    const terminal = (async () => {
      // Bounded: the kill comes after ACKNOWLEDGED_BEFORE_KILL orders, long before this ends.
      for (let i = 0; i < 400 && !killed; i++) {
        const outcome = await ledger.post(hub.url, ledger.newBatch(BATCH));
        if (outcome.kind === 'failed') return;
      }
    })();
    const started = Date.now();
    while (ledger.acknowledged.size < ACKNOWLEDGED_BEFORE_KILL && Date.now() - started < 120_000)
      await new Promise((r) => setTimeout(r, 5));
    expect(ledger.acknowledged.size).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);
    killed = true;
    await hub.kill(); // the next batch is in flight: the loop posts again at once
    await terminal;
    const acknowledgedAtKill = ledger.acknowledged.size;
    const unacknowledgedAtKill = ledger.pending.size;
    const duplicatesBefore = ledger.duplicates;
    expect(ledger.unexpectedStatuses).toEqual([]);

    const restarted: HubProcess = await backend.startHub({
      dataDir: hub.dataDir,
      databaseUrl: hub.options.databaseUrl,
    });
    await ledger.drain(restarted.url);

    let counts: { orders: number; lines: number };
    if (backend.kind === 'postgres') {
      const client = new pg.Client({ connectionString: hub.options.databaseUrl });
      await client.connect();
      try {
        counts = await ledger.verify({
          query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
        });
      } finally {
        await client.end();
      }
    } else {
      // PGlite is single-process: read the data dir once the hub has stopped.
      expect(await restarted.stop()).toBe(0);
      const db = await openDatabase({ dataDir: hub.dataDir });
      try {
        counts = await ledger.verify(db);
      } finally {
        await db.close();
      }
    }
    console.log(
      `SIGKILL mid-batch (${backend.kind}): ${acknowledgedAtKill} acknowledged and ` +
        `${unacknowledgedAtKill} unacknowledged at the kill (${ledger.duplicates - duplicatesBefore} ` +
        `of them already stored: duplicate on resend); stored ${counts.orders} orders, ` +
        `${counts.lines} lines`,
    );
    expect(counts.orders).toBe(acknowledgedAtKill + unacknowledgedAtKill);
  });
});
