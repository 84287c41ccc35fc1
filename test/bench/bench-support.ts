import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../support/hub-process';

/** What `hub:seed` writes next to the data dir: stores, terminal tokens, sample customers. */
export type DemoCredentials = {
  stores: {
    id: string;
    name: string;
    timezone: string;
    terminals: { id: string; token: string }[];
  }[];
  sampleCustomers: { id: string; name: string; phone: string; memberCode: string }[];
};

/**
 * A hub data dir seeded with the demo chain (`hub:seed --customers N --no-history`): `dataDir`
 * when it already holds a seed, otherwise a new one (seeding 200,000 customers takes ~80 s).
 * With `databaseUrl` the hub's database is that PostgreSQL database (the data dir then only keeps
 * the credentials file), as `DATABASE_URL` does for the hub.
 */
export function seededHubDir(
  customers: number,
  dataDir = mkdtempSync(join(tmpdir(), 'sg-bench-hub-')),
  databaseUrl?: string,
): { dataDir: string; credentials: DemoCredentials } {
  if (!existsSync(join(dataDir, 'demo-credentials.json'))) {
    console.error(`seeding ${customers} customers into ${dataDir} …`);
    const seeded = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'server/demo/seed-cli.ts'),
        '--customers',
        String(customers),
        '--no-history',
      ],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          HUB_DATA_DIR: dataDir,
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        },
        stdio: 'inherit',
      },
    );
    if (seeded.status !== 0) throw new Error('seed failed');
  }
  const credentials = JSON.parse(
    readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'),
  ) as DemoCredentials;
  return { dataDir, credentials };
}

/** Bundles a bench page (a browser-side entry under test/bench) into one script. */
export async function bundleBenchPage(entry: string): Promise<Buffer> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'sg-bench-page-')), 'page.js');
  await build({
    entryPoints: [join(REPO_ROOT, entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    outfile,
    logLevel: 'error',
  });
  return readFileSync(outfile);
}
