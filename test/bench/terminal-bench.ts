/**
 * `bench:terminal` — the terminal's sync and lookup figures in headless Chromium on real IndexedDB
 * against a local hub seeded with the demo chain. Run: `npx tsx test/bench/terminal-bench.ts`
 * (env BENCH_CUSTOMERS, default 200000; BENCH_HUB_DIR reuses a seeded hub data dir;
 * BENCH_DATABASE_URL puts the hub on that PostgreSQL database instead of PGlite;
 * BENCH_PAGE_SIZE rows per feed page, default the app's (DEFAULT_PAGE_SIZE, 2,000); BENCH_FEED_CACHE_MB=0 turns the hub's feed
 * page cache off, so the sync below is a cold one; BENCH_UPGRADE=1 also times the v4 → v5 upgrade;
 * BENCH_WORKER=1 also runs the feed-in-a-Web-Worker experiment against the main-thread sync;
 * BENCH_PAGE_WORKERS how many customer page workers (default 2, as the app), BENCH_PAGE_WORKER=0
 * the customer feed on the page's thread instead;
 * BENCH_CDP_PORT opens Chromium's DevTools port for a CPU profile of the page during a run).
 * Order: the feed alone first (the chain's first terminal: the hub builds every page), then the
 * initial sync (a second terminal: full pages come from the hub's page cache), then the raw
 * IndexedDB baseline (the same packed records), then the feed alone again (warm), the index,
 * lookups (on a settled cache, then each right after a live change of one customer) and drain, and last the issue's reference baseline (the same profiles one row each
 * with the lookup indexes as native IndexedDB indexes).
 * Prints a markdown section for docs/benchmarks.md. A benchmark, not a test: no assertions on time.
 */
import { DEFAULT_PAGE_SIZE } from '../../renderer/sync/sync-engine';
import { endpoints } from '../../shared/protocol';
import { hubApi, must } from '../support/api';
import { startHub } from '../support/hub-process';
import { buildCsp } from '../../shared/web/csp';
import { bundleBenchPage, openBenchBrowser, seededHubDir } from './bench-support';
import { fillStoreScope, settleScopesIn, syncOnly } from './scoped-bench';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 200_000);
const DRAIN_ORDERS = Number(process.env.BENCH_ORDERS ?? 10_000);
/** Rows per feed page: what the app uses unless BENCH_PAGE_SIZE says otherwise (hub maximum 5,000). */
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? DEFAULT_PAGE_SIZE);

async function main(): Promise<void> {
  // BENCH_DATABASE_URL runs the hub on PostgreSQL (as a head office with many stores would).
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const { dataDir, credentials } = seededHubDir(CUSTOMERS, process.env.BENCH_HUB_DIR, databaseUrl);
  const store = credentials.stores[Number(process.env.BENCH_STORE ?? 0)]!;
  const terminal = store.terminals[0]!;

  const feedCacheMb = process.env.BENCH_FEED_CACHE_MB;
  // BENCH_SCOPE=store: the store-scoped feed (HUB_CUSTOMER_FEED_SCOPE=store), its scope made to
  // hold every seeded member first (scoped-bench.ts), as a store at the cap would.
  const storeScope = process.env.BENCH_SCOPE === 'store';
  const scopeSize = storeScope
    ? await fillStoreScope({ dataDir, databaseUrl, storeId: store.id })
    : null;
  if (scopeSize !== null) console.error(`store scope holds ${scopeSize} members`);
  else await settleScopesIn({ dataDir, databaseUrl });
  const hub = await startHub({
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    env: {
      ...(feedCacheMb ? { HUB_FEED_CACHE_MB: feedCacheMb } : {}),
      // Named either way: the hub's default is `store`, and without BENCH_SCOPE=store this bench
      // measures the chain feed (every seeded member), as its recorded figures did.
      HUB_CUSTOMER_FEED_SCOPE: storeScope ? 'store' : 'chain',
    },
  });
  const script = await bundleBenchPage('test/bench/terminal-bench-page.ts');
  // The page and the hub are different origins and the hub sends no CORS headers, so this bench
  // browser runs with web security off. A fixed BENCH_PAGE_PORT keeps the page's origin (and so
  // its IndexedDB) across runs.
  const browser = await openBenchBrowser({
    script,
    files: {
      '/feed-worker.js': {
        type: 'text/javascript',
        body: await bundleBenchPage('test/bench/feed-worker.ts'),
      },
      // The app's customer page worker (renderer/sync/page-worker.ts).
      '/page-worker.js': {
        type: 'text/javascript',
        body: await bundleBenchPage('renderer/sync/page-worker.ts'),
      },
      // The app's seal worker (renderer/data/seal-worker.ts), as the page's sealer uses it.
      '/seal-worker.js': {
        type: 'text/javascript',
        body: await bundleBenchPage('renderer/data/seal-worker.ts'),
      },
    },
    globalName: 'terminalBench',
    ...(process.env.BENCH_PAGE_PORT ? { port: Number(process.env.BENCH_PAGE_PORT) } : {}),
    ...(process.env.BENCH_PROFILE_DIR ? { profileDir: process.env.BENCH_PROFILE_DIR } : {}),
    args: ['--disable-web-security'],
    // The app's CSP, as the app is served (BENCH_CSP=0: none, so zod may compile with eval).
    ...(process.env.BENCH_CSP === '0' ? {} : { csp: buildCsp(hub.url) }),
  });
  try {
    const api = hubApi(hub, { token: terminal.token });
    const info = await must(api.call(endpoints.terminalInfo), 'terminal info');
    const setup = {
      hubUrl: hub.url,
      token: terminal.token,
      phoneHashKey: info.phoneHashKey,
      terminalId: terminal.id,
      pageSize: PAGE_SIZE,
      sealWorkers: Number(process.env.BENCH_SEAL_WORKERS ?? '1'),
      // BENCH_PAGE_WORKER=0: the customer feed written on the page's thread (the app uses the
      // page worker, renderer/sync/page-worker.ts).
      pageWorker: process.env.BENCH_PAGE_WORKER !== '0',
      // BENCH_PAGE_WORKERS: how many (the app starts 2).
      pageWorkers: Number(process.env.BENCH_PAGE_WORKERS ?? '2'),
    };

    const run = <T>(fn: string, arg: unknown) => browser.run<T>(fn, arg);
    console.error(
      (await run<boolean>('evalAllowed', null))
        ? 'page without the app CSP (BENCH_CSP=0): eval allowed, zod compiles its object checks'
        : "page under the app's CSP: no eval, zod checks rows without compiling (as the app)",
    );

    if (process.env.BENCH_SYNC_ONLY) {
      await syncOnly(run, setup, process.env.BENCH_SYNC_ONLY);
      return;
    }
    if (process.env.BENCH_LOOKUPS_ONLY) {
      // Re-measure lookups on a profile a previous run already synced (BENCH_PROFILE_DIR).
      console.error('attached', await run('attach', setup));
      const only = await run('lookups', { samples: credentials.sampleCustomers, rounds: 400 });
      console.log(JSON.stringify(only, null, 2));
      const changing = await run('lookupsWhileChanging', {
        samples: credentials.sampleCustomers,
        rounds: 100,
      });
      console.log(JSON.stringify({ whileChanging: changing }, null, 2));
      const bursts = await run('liveBursts', { sizes: [10, 100, 1000], rounds: 5 });
      console.log(JSON.stringify({ bursts }, null, 2));
      const merged = await run('mergeBurst', {
        merges: 1000,
        views: 10_000,
        keep: credentials.sampleCustomers.map((c) => c.id),
      });
      console.log(JSON.stringify({ merged }, null, 2));
      return;
    }
    const coldFeed = await run<{ seconds: number; rows: number }>('feedOnly', setup);
    console.error('feed only, first terminal (cold hub cache)', coldFeed);
    const sync = await run<{
      seconds: number;
      rows: number;
      bytes: number;
      lastError: string | null;
    }>('initialSync', setup);
    console.error('initial sync', sync);
    const raw = await run<{ seconds: number; rows: number }>('rawWrite', null);
    console.error('raw write', raw);
    const feed = await run<{ seconds: number; rows: number }>('feedOnly', setup);
    console.error('feed only, warm', feed);
    const index = await run<{
      indexLoadMs: number;
      indexHeapBytes: number;
      indexLongestStallMs: number;
    }>('indexLoad', null);
    console.error('index load', index);
    const lookups = await run<Record<string, { p50: number; p95: number; avgHits: number }>>(
      'lookups',
      { samples: credentials.sampleCustomers, rounds: 400 },
    );
    console.error('lookups', lookups);
    type Spread = { p50: number; p95: number };
    const changing = await run<{ write: Spread; namePrefix: Spread; initials: Spread }>(
      'lookupsWhileChanging',
      { samples: credentials.sampleCustomers, rounds: 100 },
    );
    console.error('lookups while customers change', changing);
    const bursts = await run<Record<string, { p50: number; max: number; blocks: number }>>(
      'liveBursts',
      { sizes: [100, 1000], rounds: 5 },
    );
    console.error('live bursts', bursts);
    // Opt-in (≈ 2 min more): the one-time v4 → v5 upgrade of a cache this size.
    const upgrade = process.env.BENCH_UPGRADE
      ? await run<{ writeSeconds: number; upgradeSeconds: number; rows: number }>(
          'upgradeFromV4',
          setup,
        )
      : null;
    if (upgrade) console.error('upgrade v4 → v5', upgrade);
    const drain = await run<{
      seconds: number;
      synced: number;
      pending: number;
      rejected: number;
      lastError: string | null;
      strictWriteP50: number;
      strictWriteP95: number;
      ids: string[];
    }>('drain', { count: DRAIN_ORDERS, storeId: store.id, terminalId: terminal.id });
    console.error('drain', { ...drain, ids: drain.ids.length });

    // Last: 200,000 rows with native indexes leave IndexedDB busy (compaction, the deleted
    // database) for minutes, which slowed the lookups above 30-fold when it ran before them.
    const rawRows = await run<{ seconds: number; rows: number; indexes: string[] }>(
      'rawWriteRows',
      null,
    );
    console.error('raw write, one row per profile with native indexes', rawRows);

    // Opt-in experiment: the feed in a Web Worker, against the same sync on the main thread.
    const worker = process.env.BENCH_WORKER
      ? {
          main: await run<{ seconds: number; longestMainThreadGapMs: number }>(
            'initialSyncGaps',
            setup,
          ),
          worker: await run<{
            seconds: number;
            rows: number;
            lastError: string | null;
            longestMainThreadGapMs: number;
          }>('initialSyncInWorker', setup),
        }
      : null;
    if (worker) console.error('worker experiment', worker);

    // Zero lost, zero duplicated: the seed has no orders (--no-history), so the hub's count for
    // today must equal the orders the terminal created.
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: store.timezone }).format(new Date());
    const stats = await must(
      api.call(endpoints.storeStats, { params: { storeId: store.id }, query: { date } }),
      'store stats',
    );
    // One date asks for one day's figures; a range answer (`days`) carries them in `total`.
    const hubOrders = 'days' in stats ? stats.total.orders : stats.orders;

    const fmt = (n: number, d = 1) => n.toFixed(d);
    const rowsPerSec = sync.rows / sync.seconds;
    const rawPerSec = raw.rows / raw.seconds;
    console.log(`## Terminal (bench:terminal, headless Chromium ${browser.version}, no DevTools attached, ${new Date().toISOString().slice(0, 10)})

Hub on ${databaseUrl ? 'PostgreSQL' : 'PGlite'} seeded with \`hub:seed --customers ${CUSTOMERS} --no-history\`; terminal page size ${PAGE_SIZE.toLocaleString('en')}; hub feed page cache ${feedCacheMb === '0' ? 'off' : 'on (the sync is the chain’s second terminal)'}.

| Figure | Result | Target |
|---|---|---|
| Initial sync of ${sync.rows.toLocaleString('en')} profiles (hub query → transfer → parse → IndexedDB) | ${fmt(sync.seconds)} s, ${fmt(rowsPerSec, 0)} rows/s | ≤ 30 s |
| Raw IndexedDB bulk write of the same records (customer blocks and key records), same stores | ${fmt(raw.seconds)} s, ${fmt(rawPerSec, 0)} rows/s | — |
| Ratio (sync ÷ raw rows/s) | ${fmt(rowsPerSec / rawPerSec, 2)} | ≥ 0.7 |
| The issue's reference: raw writes of the same profiles one row each with the lookup indexes as native indexes (${rawRows.indexes.join(', ')}) | ${fmt(rawRows.seconds)} s, ${fmt(rawRows.rows / rawRows.seconds, 0)} rows/s | — |
| Ratio against that reference (sync ÷ raw rows/s) | ${fmt(rowsPerSec / (rawRows.rows / rawRows.seconds), 2)} | — |
${
  worker
    ? `| Experiment (BENCH_WORKER=1): the sync again on the main thread, late in the run — time, longest main-thread stall | ${fmt(worker.main.seconds)} s, ${fmt(worker.main.longestMainThreadGapMs, 0)} ms | — |
| Experiment: the same with fetch, parse and validation in a Web Worker — time, longest main-thread stall, ratio against raw | ${fmt(worker.worker.seconds)} s, ${fmt(worker.worker.longestMainThreadGapMs, 0)} ms, ${fmt(worker.worker.rows / worker.worker.seconds / rawPerSec, 2)} | — |
`
    : ''
}
| The feed alone: fetch → validate → cache rows, no writes — first terminal (hub builds every page) | ${fmt(coldFeed.seconds)} s, ${fmt(coldFeed.rows / coldFeed.seconds, 0)} rows/s | — |
| The feed alone, again (${feedCacheMb === '0' ? 'cache off: the hub builds every page again' : "full pages from the hub's cache: the floor under the sync"}) | ${fmt(feed.seconds)} s, ${fmt(feed.rows / feed.seconds, 0)} rows/s | — |
| In-memory customer index loaded at app start (before the first lookup): time, JS heap, longest main-thread stall meanwhile | ${fmt(index.indexLoadMs, 0)} ms, ${fmt(index.indexHeapBytes / 1_048_576, 0)} MiB, ${fmt(index.indexLongestStallMs, 0)} ms | report |
| Lookup full phone p50 / p95 | ${fmt(lookups.fullPhone!.p50, 2)} / ${fmt(lookups.fullPhone!.p95, 2)} ms | p95 ≤ 5 ms |
| Lookup member code p50 / p95 | ${fmt(lookups.memberCode!.p50, 2)} / ${fmt(lookups.memberCode!.p95, 2)} ms | p95 ≤ 5 ms |
| Lookup last 4 (first 50) p50 / p95 | ${fmt(lookups.last4!.p50, 2)} / ${fmt(lookups.last4!.p95, 2)} ms (avg ${fmt(lookups.last4!.avgHits, 0)} hits) | p95 ≤ 10 ms |
| Lookup name prefix (first 50) p50 / p95 | ${fmt(lookups.namePrefix!.p50, 2)} / ${fmt(lookups.namePrefix!.p95, 2)} ms (avg ${fmt(lookups.namePrefix!.avgHits, 0)} hits) | p95 ≤ 10 ms |
| Live change of one customer's name (one feed item written as a pull writes it: its block is rewritten) p50 / p95 | ${fmt(changing.write.p50, 2)} / ${fmt(changing.write.p95, 2)} ms | report |
| Right after each such change: name prefix / initials (first 50) p95 | ${fmt(changing.namePrefix.p95, 2)} / ${fmt(changing.initials.p95, 2)} ms (p50 ${fmt(changing.namePrefix.p50, 2)} / ${fmt(changing.initials.p50, 2)}) | p95 ≤ 10 ms |
| A pull page of 100 / 1,000 changed customers spread over the cache (points changed), write p50 | ${fmt(bursts['100']!.p50, 0)} / ${fmt(bursts['1000']!.p50, 0)} ms (${fmt(bursts['1000']!.blocks, 0)} blocks hold the 1,000) | report |
| Drain of ${DRAIN_ORDERS.toLocaleString('en')} offline orders | ${fmt(drain.seconds)} s; synced ${drain.synced}, pending ${drain.pending}, rejected ${drain.rejected}; hub counts ${hubOrders} orders today | ≤ 20 s, 0 lost, 0 duplicated |
${upgrade ? `| One-time upgrade of a v4 cache (one row per profile) to v5, ${upgrade.rows.toLocaleString('en')} profiles | ${fmt(upgrade.upgradeSeconds)} s | report |\n` : ''}| One strict-durability order write p50 / p95 | ${fmt(drain.strictWriteP50, 2)} / ${fmt(drain.strictWriteP95, 2)} ms | report |
| IndexedDB size per 100,000 profiles (storage estimate delta) | ${fmt(((sync.bytes / sync.rows) * 100_000) / 1_048_576, 0)} MiB | report |
`);
  } finally {
    await browser.close();
    await hub.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
