/**
 * `bench:idb-layout` — what an initial sync's IndexedDB writes cost in different record layouts
 * (raw IndexedDB in headless Chromium, no sync engine): the current one-row-per-profile layout,
 * the previous two-store one, and profiles packed several to a record behind one multi-entry
 * `terms` index. Each layout runs in a fresh browser profile: a second layout in the same
 * profile is slowed by the first one's compaction. Env: BENCH_CUSTOMERS (profiles written,
 * default 50000), BENCH_HUB_DIR (a seeded hub to read them from), BENCH_LAYOUTS (list separated by ;).
 * A benchmark, not a test: it prints figures and asserts nothing about time.
 */
import { endpoints } from '../../shared/protocol';
import { hubApi, must } from '../support/api';
import { startHub } from '../support/hub-process';
import { bundleBenchPage, openBenchBrowser, seededHubDir } from './bench-support';

const PROFILES = Number(process.env.BENCH_CUSTOMERS ?? 50_000);

async function readProfiles(): Promise<string> {
  const { dataDir, credentials } = seededHubDir(PROFILES, process.env.BENCH_HUB_DIR);
  const token = credentials.stores[0]!.terminals[0]!.token;
  // The chain feed: the layouts are compared on every seeded profile, not one store's share (the
  // hub's default feed is the store's).
  const hub = await startHub({ dataDir, env: { HUB_CUSTOMER_FEED_SCOPE: 'chain' } });
  try {
    const api = hubApi(hub, { token });
    await must(api.call(endpoints.terminalInfo), 'terminal info');
    const items: unknown[] = [];
    let after = '0';
    while (items.length < PROFILES) {
      // The page's envelope is validated; its rows go to the page as the hub sent them.
      const page = await must(
        api.call(endpoints.syncCustomers, { query: { after, limit: 5000, withTotal: false } }),
        'customer feed',
      );
      items.push(...page.items.filter((i) => !(i as { deleted?: boolean }).deleted));
      after = page.cursor;
      if (!page.hasMore) break;
    }
    return JSON.stringify(items.slice(0, PROFILES));
  } finally {
    await hub.stop();
  }
}

async function main(): Promise<void> {
  const profiles = await readProfiles();
  const script = await bundleBenchPage('test/bench/idb-layout-page.ts');
  const files = { '/profiles.json': { type: 'application/json', body: profiles } };
  const rows: string[] = [];
  let layouts = process.env.BENCH_LAYOUTS?.split(';');
  let version: string | undefined;
  for (let i = 0; ; i++) {
    // A fresh browser profile per layout (openBenchBrowser makes one).
    const browser = await openBenchBrowser({ script, globalName: 'idbLayout', files });
    try {
      version = browser.version;
      layouts ??= await browser.run<string[]>('layouts');
      const name = layouts[i];
      if (name === undefined) break;
      const result = await browser.run<{ seconds: number; profiles: number; puts: number }>(
        'run',
        name,
      );
      console.error(name, result);
      rows.push(
        `| ${name} | ${result.puts.toLocaleString('en')} | ${result.seconds.toFixed(1)} s | ${Math.round(result.profiles / result.seconds).toLocaleString('en')} |`,
      );
    } finally {
      await browser.close();
    }
  }
  console.log(`## IndexedDB layouts (bench:idb-layout, headless Chromium ${version ?? ''}, no DevTools attached, ${new Date().toISOString().slice(0, 10)})

${PROFILES.toLocaleString('en')} demo profiles, 5,000 profiles per relaxed transaction, fresh browser profile per layout.

| Layout | Puts | Write time | Profiles/s |
|---|---|---|---|
${rows.join('\n')}
`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
