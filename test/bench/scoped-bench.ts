/**
 * `bench:terminal` modes for issue #17 item 4 (initial sync at chain scale):
 *
 * - `BENCH_SCOPE=store`: the hub serves the store-scoped customer feed
 *   (`HUB_CUSTOMER_FEED_SCOPE=store`), and before it starts the bench store's scope is made to
 *   hold every seeded member — scope rows written as migration 021's backfill writes them (at the
 *   customer's own `seq`, reason "home store"), so the stored feed JSON stays current and nothing
 *   waits to be numbered. 200,000 seeded members = a store at the default cap.
 * - `BENCH_SYNC_ONLY=sync | feed | breakdown`: only the initial-sync figures, on a fresh hub
 *   process (cold: nothing in its page cache), then again (warm: the chain's second terminal).
 *   `sync`: the initial sync cold, again warm, warm once more with one part switched (`BENCH_AB`:
 *   `page` the page worker off — or on, with BENCH_PAGE_WORKER=0 —, `pool` one page worker, else
 *   the seal worker off), the feed alone warm. `feed`: the feed alone cold,
 *   then warm. `breakdown`: one page at a time, no overlap, each stage timed (hub + network until
 *   the headers, body transfer, JSON.parse, validation, cache rows), cold then warm.
 */
import { loadConfig } from '../../server/config';
import { settleStoreScopes } from '../../server/customers/scope';
import { openDatabase, type Db } from '../../server/db/database';

/** Puts every live member into `storeId`'s scope; returns the scope's active size. */
export async function fillStoreScope(options: {
  dataDir: string;
  databaseUrl: string | undefined;
  storeId: string;
}): Promise<number> {
  const db = await openDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  try {
    // A fresh seed's scope rows wait to be numbered (the hub's 1 s round would do it during the
    // first measured sync, 5,000 a round): numbered here, with the hub's own code.
    await settleAllScopes(db);
    await db.query(
      `insert into customer_store_scope(store_id, customer_id, reasons, score, seq, last_at)
       select $1::uuid, c.id, 1, scope_score(1), c.seq, now() from customers c
        where c.merged_into is null and not c.deleted
       on conflict (store_id, customer_id) do nothing`,
      [options.storeId],
    );
    const rows = await db.query<{ n: number }>(
      `update customer_scope_sizes set active =
         (select count(*)::int from customer_store_scope where store_id = $1::uuid and active)
        where store_id = $1::uuid returning active as n`,
      [options.storeId],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await db.close();
  }
}

/** Numbers every scope row still waiting (a fresh seed's), before a measured hub starts. */
export async function settleAllScopes(db: Db): Promise<void> {
  for (let round = 0; round < 1000; round++) {
    const { more } = await settleStoreScopes(db, loadConfig({}).storeScopeCap);
    if (!more) return;
  }
}

/** Opens the hub's database, numbers waiting scope rows, closes it. */
export async function settleScopesIn(options: {
  dataDir: string;
  databaseUrl: string | undefined;
}): Promise<void> {
  const db = await openDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  try {
    await settleAllScopes(db);
  } finally {
    await db.close();
  }
}

type Run = <T>(fn: string, arg: unknown) => Promise<T>;

/** The initial-sync figures only (see the file comment); prints one JSON object. */
export async function syncOnly(run: Run, setup: object, mode: string): Promise<void> {
  const out: Record<string, unknown> = { mode };
  const step = async (name: string, fn: string, arg: unknown) => {
    const value = await run<unknown>(fn, arg);
    out[name] = value;
    console.error(name, JSON.stringify(value));
  };
  if (mode === 'feed') {
    await step('feedCold', 'feedOnly', setup);
    await step('feedWarm', 'feedOnly', setup);
  } else if (mode === 'breakdown') {
    await step('breakdownCold', 'feedBreakdown', setup);
    await step('breakdownWarm', 'feedBreakdown', setup);
  } else {
    await step('syncCold', 'syncTimed', { ...setup, name: 'cold' });
    await step('syncWarm', 'syncTimed', { ...setup, name: 'warm' });
    // The same warm sync once more, same hub, with one part of the app switched (the A/B).
    if (process.env.BENCH_AB === 'pool') {
      // BENCH_AB=pool: one page worker against the setup's count (the app's 2).
      await step('syncWarmOnePageWorker', 'syncTimed', { ...setup, name: 'other', pageWorkers: 1 });
    } else if (process.env.BENCH_AB === 'page') {
      // BENCH_AB=page: the page worker on against off (or off against on).
      const other = (setup as { pageWorker?: boolean }).pageWorker === false;
      await step(other ? 'syncWarmPageWorker' : 'syncWarmPageThread', 'syncTimed', {
        ...setup,
        name: 'other',
        pageWorker: other,
      });
    } else {
      await step('syncWarmSealedHere', 'syncTimed', { ...setup, name: 'other', sealWorker: false });
    }
    await step('feedWarm', 'feedOnly', setup);
  }
  console.log(JSON.stringify(out, null, 2));
}
