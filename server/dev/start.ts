import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHub } from '../app';
import { acquireDataDirLock, DataDirLockedError } from '../admin/data-dir-lock';
import { loadConfig, type HubConfig } from '../config';
import { openDatabase } from '../db/database';
import { migrate } from '../db/migrate';
import { credentialsPath, readCredentials } from '../demo/credentials';
import { seedDemo } from '../demo/seed';
import { RENDERER_OUT, REPO_ROOT, startTerminal } from '../../scripts/start-terminal';
import { buildConsole } from '../../scripts/build-console.mjs';

/**
 * `npm start`: the main job for a newcomer. Seeds demo data on first run, starts the hub and
 * says how to use it. (The terminal app will be started from here too, see below.)
 */

/** Fewer than `hub:seed`'s 20,000 so the first start takes seconds; run hub:seed for the full set. */
const FIRST_RUN_CUSTOMERS = 2000;

// Request logs would drown the instructions; HUB_LOG_LEVEL=info brings them back.
const config = loadConfig({ HUB_LOG_LEVEL: 'warn', ...process.env });
const credentials = credentialsPath(config.dataDir);

let lock: ReturnType<typeof acquireDataDirLock> | null;
try {
  lock = config.databaseUrl ? null : acquireDataDirLock(config.dataDir);
} catch (error) {
  if (!(error instanceof DataDirLockedError)) throw error;
  console.error(`${error.message}.\nA hub already runs on it: use that one, or stop it first.`);
  process.exit(1);
}

await seedIfEmpty(config);
// Head office's console (/console/) is rebuilt on every start: esbuild takes about a second.
if (!process.env.HUB_CONSOLE_DIR) await buildConsole();

const hub = await createHub(config);
const port = await hub.listen();
const url = `http://${config.host}:${port}`;
lock?.setUrl(url);

// ── Terminal app ───────────────────────────────────────────────────────────────────────────────
// The in-store terminal (Electron, or browser mode when its binary is missing), enrolled with the
// first demo store's first terminal token from the credentials file and pointed at `url`.
const demo = readCredentials(credentials);
const demoStore = demo?.stores[0];
let terminalProblem = 'no demo terminal token; run npm run hub:seed with the hub stopped';
const terminal = demoStore?.terminals[0]
  ? await startTerminal({
      hubUrl: url,
      token: demoStore.terminals[0].token,
      rebuild: rendererIsStale(),
    }).catch((error: unknown) => {
      terminalProblem = `it failed to start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      return null;
    })
  : null;
const demoGuide = demoStore?.guides.find((g) => g.role === 'guide');
const demoManager = demoStore?.guides.find((g) => g.role === 'manager');
// ───────────────────────────────────────────────────────────────────────────────────────────────

const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};
console.log(`
ShopGuide hub is running: ${url}   (database: ${hub.ctx.db.kind})
Demo credentials (integration/admin keys, terminal tokens, guide PINs, sample customers):
  ${existsSync(credentials) ? shown(credentials) : `none yet: run npm run hub:seed (hub stopped)`}
Terminal: ${
  terminal === null
    ? `not started (${terminalProblem})`
    : `${terminal.url}  (${demoStore?.name ?? ''}; sign in as ${demoGuide ? `${demoGuide.name} PIN ${demoGuide.pin}` : 'a guide'}${demoManager ? `, manager ${demoManager.name} PIN ${demoManager.pin}` : ''})`
}
Watch arrivals: in another terminal run
  npm run hub:simulate -- ${
    // A data dir of its own: the simulator finds the credentials only when told where.
    process.env.HUB_DATA_DIR ? `--credentials ${shown(credentials)} ` : ''
  }--store ${demoStore?.id ?? '<store id>'} --rate 20
Head-office console: ${url}/console/   (sign in with the admin key: HUB_ADMIN_KEY or the credentials file)
Admin: npm run hub:admin -- --help   (use --url ${url} while this hub runs)
Stop with Ctrl-C.`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the hub…');
    (terminal?.stop() ?? Promise.resolve())
      .then(() => hub.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error('error during shutdown', error);
        process.exit(1);
      });
  });
}

/** First run (no stores yet): seed the demo chain with a smaller customer set. */
async function seedIfEmpty(hubConfig: HubConfig): Promise<void> {
  const db = await openDatabase({
    databaseUrl: hubConfig.databaseUrl,
    dataDir: hubConfig.dataDir,
    pgliteThread: hubConfig.pgliteThread,
  });
  try {
    await migrate(db);
    const [row] = await db.query<{ n: number }>('select count(*)::int as n from stores');
    if ((row?.n ?? 0) > 0) return;
    console.log(`First start: seeding demo data (${FIRST_RUN_CUSTOMERS} customers)…`);
    const started = Date.now();
    await seedDemo(db, {
      customers: FIRST_RUN_CUSTOMERS,
      credentialsPath: credentials,
      hubUrl: `http://${hubConfig.host}:${hubConfig.port}`,
      log: (message) => console.log(`  ${message}`),
    });
    console.log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.close();
  }
}

/** The renderer build is older than its sources (a pull or an edit since the last build). */
function rendererIsStale(): boolean {
  const built = join(RENDERER_OUT, 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newer(path) : statSync(path).mtimeMs > builtAt;
    });
  return newer(join(REPO_ROOT, 'renderer')) || newer(join(REPO_ROOT, 'shared'));
}
