import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { acquireDataDirLock, DataDirLockedError } from '../admin/data-dir-lock';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { credentialsPath } from './credentials';
import { DEFAULT_CUSTOMERS, seedDemo } from './seed';
import { safeErrorMessage } from '../http/log-safety';

const USAGE = `Usage: npm run hub:seed -- [--customers N] [--no-history]

Seeds the demo chain (4 stores, guides, terminals, ~500 products, N customers with online
behaviour, a week of footfall, visits and orders) into the hub's database — DATABASE_URL, or the
embedded database in HUB_DATA_DIR (default .hub-data/) — and writes demo-credentials.json there.
Idempotent: run it again and nothing is duplicated. Stop the hub first when it runs on the
embedded database (PGlite allows one process only).

  --customers N   how many customers (default ${DEFAULT_CUSTOMERS})
  --no-history    skip the week of dashboard history`;

/** `npm run hub:seed`: returns the exit code. */
export async function runSeedCli(argv: readonly string[], env = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        customers: { type: 'string' },
        'no-history': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`hub:seed: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const customers = z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .safeParse(values.customers ?? DEFAULT_CUSTOMERS);
  if (!customers.success) {
    console.error('hub:seed: --customers must be a whole number from 0 to 1000000');
    return 2;
  }

  const config = loadConfig(env);
  let lock: ReturnType<typeof acquireDataDirLock> | null;
  try {
    lock = config.databaseUrl ? null : acquireDataDirLock(config.dataDir);
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      console.error(`hub:seed: ${error.message}.\nStop the hub, seed, then start it again.`);
      return 1;
    }
    throw error;
  }
  const started = Date.now();
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgliteThread: config.pgliteThread,
  });
  try {
    const path = credentialsPath(config.dataDir);
    const summary = await seedDemo(db, {
      customers: customers.data,
      credentialsPath: path,
      hubUrl: `http://${config.host}:${config.port}`,
      history: !values['no-history'],
      log: (message) =>
        console.log(`hub:seed: [${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`),
    });
    console.log(
      `hub:seed: done in ${((Date.now() - started) / 1000).toFixed(1)} s on ${db.kind}` +
        ` (history ${summary.history})`,
    );
    console.log(`Demo credentials (keys, terminal tokens, guide PINs): ${path}`);
    return 0;
  } catch (error) {
    // Not rethrown: Node would print the whole error object, and database errors carry the
    // statement's parameters (names, phones).
    console.error(`hub:seed: seeding failed: ${safeErrorMessage(error)}`);
    return 1;
  } finally {
    await db.close();
    lock?.release();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runSeedCli(process.argv.slice(2));
}
