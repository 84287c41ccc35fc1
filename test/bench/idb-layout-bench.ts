/**
 * `bench:idb-layout` — what an initial sync's IndexedDB writes cost in different record layouts
 * (raw IndexedDB in headless Chromium, no sync engine): the current one-row-per-profile layout,
 * the previous two-store one, and profiles packed several to a record behind one multi-entry
 * `terms` index. Each layout runs in a fresh browser profile: a second layout in the same
 * profile is slowed by the first one's compaction. Env: BENCH_CUSTOMERS (profiles written,
 * default 50000), BENCH_HUB_DIR (a seeded hub to read them from), BENCH_LAYOUTS (list separated by ;).
 * A benchmark, not a test: it prints figures and asserts nothing about time.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { terminalInfo } from '../../shared/protocol';
import { call } from '../support/http';
import { startHub } from '../support/hub-process';
import { bundleBenchPage, seededHubDir } from './bench-support';

const PROFILES = Number(process.env.BENCH_CUSTOMERS ?? 50_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function readProfiles(): Promise<string> {
  const { dataDir, credentials } = seededHubDir(PROFILES, process.env.BENCH_HUB_DIR);
  const token = credentials.stores[0]!.terminals[0]!.token;
  const hub = await startHub({ dataDir });
  try {
    terminalInfo.parse((await call(hub, 'GET', '/api/v1/terminal', undefined, { token })).body);
    const items: unknown[] = [];
    let after = '0';
    while (items.length < PROFILES) {
      const page = await call<{ items: unknown[]; cursor: string; hasMore: boolean }>(
        hub,
        'GET',
        `/api/v1/sync/customers?after=${after}&limit=5000&withTotal=false`,
        undefined,
        { token },
      );
      items.push(...page.body.items.filter((i) => !(i as { deleted?: boolean }).deleted));
      after = page.body.cursor;
      if (!page.body.hasMore) break;
    }
    return JSON.stringify(items.slice(0, PROFILES));
  } finally {
    await hub.stop();
  }
}

async function main(): Promise<void> {
  const profiles = await readProfiles();
  const script = await bundleBenchPage('test/bench/idb-layout-page.ts');
  const server = createServer((req, res) => {
    if (req.url === '/page.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    if (req.url === '/profiles.json')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(profiles);
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><script src="/page.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;

  type Page = { run(name: string): Promise<unknown>; layouts: string[] };
  const rows: string[] = [];
  let layouts = process.env.BENCH_LAYOUTS?.split(';');
  let version = '';
  try {
    for (let i = 0; ; i++) {
      const context = await chromium.launchPersistentContext(
        mkdtempSync(join(tmpdir(), 'sg-bench-layout-profile-')),
        { executablePath: CHROMIUM, headless: true },
      );
      try {
        version = context.browser()?.version() ?? version;
        const page = await context.newPage();
        await page.goto(url);
        layouts ??= await page.evaluate(
          () => (globalThis as unknown as { idbLayout: Page }).idbLayout.layouts,
        );
        const name = layouts[i];
        if (name === undefined) break;
        const result = (await page.evaluate(
          (n) => (globalThis as unknown as { idbLayout: Page }).idbLayout.run(n),
          name,
        )) as { seconds: number; profiles: number; puts: number };
        console.error(name, result);
        rows.push(
          `| ${name} | ${result.puts.toLocaleString('en')} | ${result.seconds.toFixed(1)} s | ${Math.round(result.profiles / result.seconds).toLocaleString('en')} |`,
        );
      } finally {
        await context.close();
      }
    }
  } finally {
    server.close();
  }
  console.log(`## IndexedDB layouts (bench:idb-layout, headless Chromium ${version}, ${new Date().toISOString().slice(0, 10)})

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
