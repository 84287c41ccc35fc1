import { fork, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import pg from 'pg';
import { endpoints, type CustomerProfile } from '../../shared/protocol';
import { CHROMIUM_FLAGS } from '../e2e/support/chromium';
import { hubApi, must } from '../support/api';
import { REPO_ROOT, removeDataDir, type HubProcess } from '../support/hub-process';
import { freshPostgresDatabase, TEST_DATABASE_URL } from '../support/services';
import { customerFeed } from '../support/seed';
import type { Db } from '../../server/db/database';
import { openPglite } from '../../server/db/pglite';
import { openPostgres } from '../../server/db/postgres';
import type {
  AlertSeen,
  Feed,
  FeedPulls,
  Reconnect,
  SwarmCommand,
  SwarmReport,
} from './socket-swarm';

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
 * The customer feed a bench's hubs serve: `HUB_CUSTOMER_FEED_SCOPE` when the run names one, else
 * `fallback`. The hub's default is the store-scoped feed (#17). bench:hub and the presence CPU
 * bench keep `chain` (their recorded figures were measured on it); bench:chain serves the hub's
 * default, the one a 6,000-store chain runs: on the chain feed every order's `customers:changed`
 * goes to all 12,000 sockets (twice a second per node), which took ≈ ¼ of each hub and most of
 * the socket children's CPU in the 2026-12-05 19:33 profile (docs/benchmarks.md).
 */
export function benchFeedScope(fallback: 'chain' | 'store' = 'chain'): {
  HUB_CUSTOMER_FEED_SCOPE: 'chain' | 'store';
} {
  const named = process.env.HUB_CUSTOMER_FEED_SCOPE;
  return { HUB_CUSTOMER_FEED_SCOPE: named === 'store' || named === 'chain' ? named : fallback };
}

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

/** A bench page in Chromium, driven over plain HTTP (no DevTools protocol attached). */
export type BenchBrowser = {
  /** Calls `globalThis[globalName][fn](arg)` in the page and resolves with its result. */
  run<T>(fn: string, arg?: unknown): Promise<T>;
  /** Chromium's version, e.g. "156.0.8078.73". */
  version: string;
  close(): Promise<void>;
};

type Command = { id: number; fn: string; arg: unknown };
type Done = { id: number; ok: boolean; value?: unknown; error?: string };

/**
 * The page side of the driver: long-polls `/next` for a command, runs it, posts the outcome to
 * `/done`; console output goes to `/log`.
 */
const driverScript = (globalName: string) => `(() => {
  const post = (path, body) => fetch(path, { method: 'POST', body: JSON.stringify(body) });
  for (const level of ['log', 'warn', 'error']) {
    const original = console[level].bind(console);
    console[level] = (...args) => { original(...args); void post('/log', args.map(String).join(' ')); };
  }
  (async () => {
    for (;;) {
      const command = await (await fetch('/next')).json();
      if (command.stop) return;
      try {
        const value = await globalThis[${JSON.stringify(globalName)}][command.fn](command.arg);
        await post('/done', { id: command.id, ok: true, value });
      } catch (error) {
        await post('/done', { id: command.id, ok: false, error: String(error && error.stack || error) });
      }
    }
  })();
})();`;

/**
 * Opens a bench page in headless Chromium started as a plain process — not through Playwright —
 * so no DevTools session is attached: Playwright enables the network domain on every page, which
 * makes Chromium copy each response body for the inspector and slowed the bench's 300 MB of feed
 * fetches by half. The Electron app has no DevTools attached either. The page is served from
 * 127.0.0.1 (`port` fixes its origin and so its IndexedDB across runs) and runs `script`, which
 * must put its functions on `globalThis[globalName]`.
 */
export async function openBenchBrowser(options: {
  script: Buffer;
  globalName: string;
  port?: number;
  profileDir?: string;
  /** extra static routes (path → body), e.g. a fixture the page fetches */
  files?: Record<string, { type: string; body: string | Buffer }>;
  /** extra Chromium flags */
  args?: string[];
  /**
   * A Content-Security-Policy sent with every response (the page, its scripts, its workers): the
   * app's own (shared/web/csp.ts) makes the page run as the app does — no eval, so zod checks
   * rows without its compiled fast path.
   */
  csp?: string;
  chromium?: string;
}): Promise<BenchBrowser> {
  const chromiumPath = options.chromium ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  let nextId = 1;
  const queue: Command[] = [];
  let waiting: ServerResponse | null = null;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let stopped = false;

  const flush = () => {
    if (!waiting) return;
    if (stopped) {
      waiting.writeHead(200, { 'content-type': 'application/json' }).end('{"stop":true}');
      waiting = null;
      return;
    }
    const command = queue.shift();
    if (!command) return;
    waiting.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(command));
    waiting = null;
  };

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const server = createServer((req, res) => {
    if (options.csp) res.setHeader('content-security-policy', options.csp);
    const url = req.url ?? '/';
    if (url === '/next') {
      waiting = res;
      flush();
      return;
    }
    if (url === '/done' || url === '/log') {
      void readBody(req).then((body) => {
        res.writeHead(204).end();
        if (url === '/log') {
          console.error(`[page] ${JSON.parse(body) as string}`);
          return;
        }
        const done = JSON.parse(body) as Done;
        const call = pending.get(done.id);
        pending.delete(done.id);
        if (done.ok) call?.resolve(done.value);
        else call?.reject(new Error(`in the page: ${done.error ?? 'failed'}`));
      });
      return;
    }
    if (url === '/bench.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(options.script);
    if (url === '/driver.js')
      return void res
        .writeHead(200, { 'content-type': 'text/javascript' })
        .end(driverScript(options.globalName));
    const file = options.files?.[url];
    if (file) return void res.writeHead(200, { 'content-type': file.type }).end(file.body);
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><script src="/bench.js"></script><script src="/driver.js"></script>');
  });
  server.keepAliveTimeout = 0;
  await new Promise<void>((r) => server.listen(options.port ?? 0, '127.0.0.1', r));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;

  const version = /[\d.]+/.exec(
    spawnSync(chromiumPath, ['--version'], { encoding: 'utf8' }).stdout,
  )?.[0];
  const browser = spawn(
    chromiumPath,
    [
      ...CHROMIUM_FLAGS,
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      `--user-data-dir=${options.profileDir ?? mkdtempSync(join(tmpdir(), 'sg-bench-chromium-'))}`,
      ...(options.args ?? []),
      // Diagnostics: more Chromium switches, space-separated (e.g. `--js-flags=--trace-gc`).
      ...(process.env.BENCH_CHROMIUM_ARGS?.split(' ').filter(Boolean) ?? []),
      ...(process.env.BENCH_CDP_PORT
        ? [`--remote-debugging-port=${process.env.BENCH_CDP_PORT}`]
        : []),
      url,
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise<void>((r) => browser.once('exit', () => r()));
  void exited.then(() => {
    for (const call of pending.values()) call.reject(new Error('Chromium exited'));
    pending.clear();
  });

  return {
    version: version ?? 'unknown',
    run<T>(fn: string, arg?: unknown): Promise<T> {
      const id = nextId++;
      const result = new Promise<T>((resolve, reject) =>
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject }),
      );
      queue.push({ id, fn, arg });
      flush();
      return result;
    },
    async close() {
      stopped = true;
      flush();
      browser.kill('SIGTERM');
      const timer = setTimeout(() => browser.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// ——— Shared by the hub benches (hub-bench.ts, chain-bench.ts) ———

const CLK_TCK = 100;
/** CPU seconds (user + system) a process has used so far; null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Busy and total CPU seconds of the whole machine so far (all cores). */
export function machineSeconds(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

/**
 * What a bench that starts hubs must undo however it ends — its hubs (stopped gracefully, so a
 * hub run with HUB_NODE_ARGS=--cpu-prof writes its profile, SIGKILLed after 15 s; their data
 * dirs removed), its database (dropped), a child holding sockets (killed) — and `run`, which runs
 * the bench's `main` once and exits: 0, or 1 when `main` threw, 130 on SIGINT / SIGTERM, 2 when
 * `limitMinutes` ran out. Push hubs and set `drop` and `kill` as they come into being.
 */
export function benchLifecycle(name: string, limitMinutes = 20) {
  const held = {
    hubs: [] as HubProcess[],
    drop: null as (() => Promise<void>) | null,
    kill: null as (() => void) | null,
  };
  const cleanUp = async () => {
    held.kill?.();
    held.kill = null;
    const hubs = held.hubs.splice(0);
    await Promise.all(
      hubs.map((h) =>
        Promise.race([h.stop(), sleep(15_000)])
          .then(() => h.kill())
          .catch(() => undefined),
      ),
    );
    for (const h of hubs) removeDataDir(h);
    const drop = held.drop;
    held.drop = null;
    if (drop)
      await drop().catch((e: unknown) => console.error(`drop database failed: ${String(e)}`));
  };
  process.on('exit', () => {
    for (const h of held.hubs) if (h.proc.exitCode === null) h.proc.kill('SIGKILL');
    held.kill?.();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up…`);
      void cleanUp().finally(() => process.exit(130));
    });
  const run = async (main: () => Promise<void>): Promise<never> => {
    const watchdog = setTimeout(() => {
      console.error(`${name}: watchdog, giving up after ${limitMinutes} min`);
      void cleanUp().finally(() => process.exit(2));
    }, limitMinutes * 60_000).unref();
    let exitCode = 0;
    try {
      await main();
    } catch (error) {
      console.error(error);
      exitCode = 1;
    } finally {
      clearTimeout(watchdog);
      await cleanUp();
    }
    process.exit(exitCode);
  };
  return { held, run };
}

/**
 * A connection to a bench's own database that reads what its server does for it: the backends'
 * pids (their CPU is in /proc) and the transactions committed or rolled back.
 */
export async function openDatabaseProbe(url: string) {
  const admin = new pg.Client({ connectionString: url });
  // The database is dropped with force at the end, which ends this connection too.
  admin.on('error', () => undefined);
  await admin.connect();
  const backendPids = async () =>
    (
      await admin.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      )
    ).rows.map((r) => r.pid);
  const transactions = async () => {
    // The statistics are those of this backend's snapshot: clear it for a fresh reading.
    await admin.query('select pg_stat_clear_snapshot()');
    const [row] = (
      await admin.query<{ n: string }>(
        'select (xact_commit + xact_rollback)::text as n from pg_stat_database where datname = current_database()',
      )
    ).rows;
    return Number(row?.n ?? 0);
  };
  return { admin, backendPids, transactions, end: () => admin.end() };
}

/**
 * Starts a measured window: CPU seconds of each group of processes, of the database's backends
 * (also those opened during the window) and of the whole machine, and the database's
 * transactions. The function returned ends the window and answers what each used in it.
 */
export async function cpuWindow<G extends string>(
  probe: Awaited<ReturnType<typeof openDatabaseProbe>>,
  groups: Record<G, readonly number[]>,
) {
  const used = (pids: readonly number[]) =>
    pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
  const names = Object.keys(groups) as G[];
  const pgPids = await probe.backendPids();
  const before = {
    groups: names.map((g) => used(groups[g])),
    pg: new Map(pgPids.map((pid) => [pid, cpuSeconds(pid) ?? 0])),
    machine: machineSeconds().busy,
    transactions: await probe.transactions(),
  };
  return async () => {
    const pgAfter = [...new Set([...pgPids, ...(await probe.backendPids())])];
    return {
      groups: Object.fromEntries(
        names.map((g, i) => [g, used(groups[g]) - before.groups[i]!]),
      ) as Record<G, number>,
      pg: pgAfter.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0) - (before.pg.get(pid) ?? 0), 0),
      pgBackends: pgAfter.length,
      machine: machineSeconds().busy - before.machine,
      transactions: (await probe.transactions()) - before.transactions,
    };
  };
}

export const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends a hub a signal its preloaded bench probe answers (loop-delay-probe.mjs, heap-probe.mjs)
 * and waits (≤ 5 s) for the JSON line `{"msg": msg, …}` the probe prints: that line, or null.
 */
export async function probeHub(
  hub: HubProcess,
  msg: string,
  signal: NodeJS.Signals = 'SIGUSR2',
): Promise<Record<string, unknown> | null> {
  const from = hub.logs.length;
  hub.proc.kill(signal);
  for (let i = 0; i < 100; i++) {
    const line = hub.logs.slice(from).find((l) => l.msg === msg);
    if (line) return line;
    await sleep(50);
  }
  return null;
}

/**
 * An open loop: `fn(k)` for k = 0 … rate × seconds − 1, each started at `start + k / rate` (the
 * `performance.now()` clock) whatever the answers, but never more than `cap` outstanding. Resolves
 * when every call has settled, with how many started more than 100 ms late (the generator fell
 * behind) and how many were never started because `deadline` came first.
 */
export async function openLoop(
  rate: number,
  seconds: number,
  cap: number,
  fn: (k: number) => Promise<void>,
  start = performance.now(),
  /** `performance.now()` after which no call starts (the rest count as unsent) */
  deadline = Number.POSITIVE_INFINITY,
): Promise<{ late: number; unsent: number }> {
  const pending: Promise<void>[] = [];
  const total = rate * seconds;
  let inFlight = 0;
  let late = 0;
  for (let k = 0; k < total; k++) {
    const wait = start + (k * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    else if (wait < -100) late += 1;
    while (inFlight >= cap && performance.now() < deadline) await sleep(1);
    if (performance.now() >= deadline) {
      await Promise.all(pending);
      return { late, unsent: total - k };
    }
    inFlight += 1;
    pending.push(
      fn(k).finally(() => {
        inFlight -= 1;
      }),
    );
  }
  await Promise.all(pending);
  return { late, unsent: 0 };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
) {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Prints the hub's own error log lines (the cause behind a 500), once each. */
const shownErrors = new WeakMap<HubProcess, number>();
export function hubErrors(hub: HubProcess, label = ''): void {
  const from = shownErrors.get(hub) ?? 0;
  const errors = hub.logs.slice(from).filter((l) => Number(l.level) >= 50);
  shownErrors.set(hub, hub.logs.length);
  for (const e of errors.slice(0, 3))
    console.log(`  ${label}hub error: ${JSON.stringify(e.err ?? e.msg).slice(0, 600)}`);
  if (errors.length > 3) console.log(`  … ${errors.length - 3} more hub errors`);
}

/**
 * A fresh database on a PostgreSQL at 127.0.0.1 (`create database <prefix>_<time>`), dropped by
 * `drop()` (with force: a killed hub may leave connections behind).
 */
export async function freshPgDatabase(baseUrl: string, prefix = 'sg_bench') {
  const base = new URL(baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname))
    throw new Error('the benchmark only targets PostgreSQL on 127.0.0.1');
  const name = `${prefix}_${Date.now()}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export type BenchStore = {
  id: string;
  /** null for stores set up without a guide (guides cost a scrypt hash each) */
  guideId: string | null;
  terminals: { id: string; token: string }[];
};
export type BenchChain = {
  stores: BenchStore[];
  skus: { sku: string; price: number }[];
  memberCodes: string[];
  customerIds: string[];
  idByMemberCode: Map<string, string>;
};

/**
 * Stores, guides, terminals, products and CRM customers through the public APIs (admin key for
 * IT's objects, integration key for the CRM's), spread over `hubs` round robin. The admin key's
 * per-minute guard must be raised on those hubs (`HUB_ADMIN_CALLS_PER_MIN`): a chain is thousands
 * of admin calls. Products' stock names the stores with a guide (the ones that sell in a bench).
 */
export async function setUpBenchChain(
  hubs: readonly Pick<HubProcess, 'url'>[],
  options: {
    stores: number;
    /** terminals of store i */
    terminals: (store: number) => number;
    /** does store i get a guide (and stock)? */
    guide: (store: number) => boolean;
    products: number;
    customers: number;
    /** stores set up in parallel (each its terminals 4 at a time) */
    concurrency?: number;
    progress?: (storesDone: number) => void;
  },
): Promise<BenchChain> {
  const apis = hubs.map((h) => hubApi(h));
  let done = 0;
  const stores = await pool(
    Array.from({ length: options.stores }, (_, i) => i),
    options.concurrency ?? 4,
    async (i): Promise<BenchStore> => {
      const api = apis[i % apis.length]!;
      const { id } = await must(
        api.call(endpoints.adminCreateStore, {
          body: {
            name: `Bench store ${i + 1}`,
            timezone: 'Asia/Shanghai',
            lat: 31 + (i % 100) * 0.01,
            lng: 121 + Math.floor(i / 100) * 0.01,
          },
        }),
        'store',
      );
      const guide = options.guide(i)
        ? await must(
            api.call(endpoints.adminCreateGuide, {
              body: { storeId: id, name: `导购${i + 1}`, pin: '480613' },
            }),
            'guide',
          )
        : null;
      const terminals = await pool(
        Array.from({ length: Math.max(options.terminals(i), 1) }, (_, t) => t),
        4,
        (t) =>
          must(
            api.call(endpoints.adminCreateTerminal, { body: { storeId: id, name: `T${t + 1}` } }),
            'terminal',
          ),
      );
      done += 1;
      if (done % 500 === 0) options.progress?.(done);
      return { id, guideId: guide?.id ?? null, terminals };
    },
  );

  const api = apis[0]!;
  const skus = Array.from({ length: options.products }, (_, i) => ({
    sku: `BENCH-${String(i).padStart(4, '0')}`,
    price: (99 + (i % 20) * 50) * 100,
  }));
  const selling = stores.filter((s) => s.guideId !== null);
  const stock = Object.fromEntries(selling.map((s) => [s.id, 1000]));
  // A product's stock names every selling store: with hundreds of stores, 200 products in one call
  // pass the hub's 1 MiB batch limit, so they go in slices of 4,000 store figures.
  const perCall = Math.max(1, Math.floor(4000 / Math.max(1, selling.length)));
  for (let start = 0; start < skus.length; start += perCall)
    await must(
      api.call(endpoints.importProducts, {
        body: {
          products: skus.slice(start, start + perCall).map((s, i) => ({
            sku: s.sku,
            name: `Bench product ${start + i}`,
            category: 'T恤',
            price: s.price,
            stock,
          })),
        },
      }),
      'products',
    );

  const memberCodes = Array.from(
    { length: options.customers },
    (_, i) => `B${String(i).padStart(9, '0')}`,
  );
  // Member i is homed at store i (round robin), imported 1,000 a call (the endpoint's limit).
  for (let start = 0; start < memberCodes.length; start += 1_000)
    await must(
      api.call(endpoints.importCustomers, {
        body: {
          customers: memberCodes.slice(start, start + 1_000).map((code, j) => ({
            crmId: `bench-${start + j}`,
            name: `顾客${start + j}`,
            memberCode: code,
            tier: 'gold' as const,
            homeStoreId: stores[(start + j) % stores.length]!.id,
          })),
        },
      }),
      'customers',
    );
  // Every store's feed: with HUB_CUSTOMER_FEED_SCOPE=store a terminal gets its own store's members
  // only (here the members homed there), and the alerts name members of every store.
  const byId = new Map<string, CustomerProfile>();
  const firstFeed = stores[0]?.terminals[0]?.token;
  if (firstFeed) for (const c of await customerFeed(hubs[0]!, firstFeed)) byId.set(c.id, c);
  // The chain feed: the first store had them all.
  if (byId.size < memberCodes.length)
    await pool(stores.slice(1), 8, async (store) => {
      const token = store.terminals[0]?.token;
      if (token) for (const c of await customerFeed(hubs[0]!, token)) byId.set(c.id, c);
    });
  const feed = [...byId.values()];
  return {
    stores,
    skus,
    memberCodes,
    customerIds: feed.map((c) => c.id),
    idByMemberCode: new Map(feed.map((c) => [c.memberCode, c.id])),
  };
}

/**
 * Every member viewed, carted and wish-listed a product online (3 of `skus`, through the
 * integration API), so each arrival's card reads those items' stock at its store — as a real
 * member's does; the fixture's CRM members have no trail otherwise, and their cards read nothing.
 * Returns the number of online events sent.
 */
export async function giveOnlineTrails(
  hub: Pick<HubProcess, 'url'>,
  memberCodes: readonly string[],
  skus: readonly { sku: string }[],
): Promise<number> {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const types = ['viewed', 'carted', 'wishlisted'] as const;
  const events = memberCodes.flatMap((memberCode, i) =>
    types.map((type, t) => ({
      id: `trail-${i}-${t}`,
      customer: { memberCode },
      type,
      sku: skus[(i + t) % skus.length]!.sku,
      channel: 'app' as const,
      at,
    })),
  );
  const api = hubApi(hub);
  for (let start = 0; start < events.length; start += 5_000)
    await must(
      api.call(endpoints.onlineEvents, { body: { events: events.slice(start, start + 5_000) } }),
      'online events',
    );
  return events.length;
}

/**
 * Starts the socket-holding children (`socket-swarm.ts`) and connects their sockets (see
 * `SwarmCommand`): `children` processes (default 1), each holding a contiguous share of `tokens`
 * so that no one child's event loop lags behind the deliveries it timestamps. Socket numbers in
 * `received` and `reconnects` (which fill as the children report) are the swarm's, 0-based over
 * `tokens`; the final report adds the children's counts and keeps the worst event-loop delay.
 */
export async function startSwarm(
  connect: Omit<Extract<SwarmCommand, { type: 'connect' }>, 'type' | 'offset'>,
  children = 1,
) {
  const received: AlertSeen[] = [];
  const pageMs: Record<Feed, number[]> = { customers: [], catalog: [] };
  const reconnects: Reconnect[] = [];
  const share = Math.ceil(connect.tokens.length / children);
  const parts = Array.from({ length: children }, (_, k) => {
    const offset = k * share;
    const child = fork(join(REPO_ROOT, 'test/bench/socket-swarm.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let done: ((report: Extract<SwarmReport, { type: 'done' }>) => void) | null = null;
    const connected = new Promise<Extract<SwarmReport, { type: 'connected' }>>(
      (resolve, reject) => {
        child.on('message', (report: SwarmReport) => {
          if (report.type === 'connected') resolve(report);
          else if (report.type === 'error') reject(new Error(`socket swarm: ${report.message}`));
          else if (report.type === 'alerts') for (const item of report.items) received.push(item);
          else if (report.type === 'pageMs')
            for (const ms of report.items) pageMs[report.feed].push(ms);
          else if (report.type === 'reconnects')
            for (const item of report.items) reconnects.push(item);
          else done?.(report);
        });
        child.once('exit', (code) => reject(new Error(`socket swarm exited (${code})`)));
      },
    );
    const command = (c: SwarmCommand) => child.send(c);
    command({
      type: 'connect',
      ...connect,
      tokens: connect.tokens.slice(offset, offset + share),
      nodes: connect.nodes?.slice(offset, offset + share),
      offset,
    });
    const stop = () =>
      new Promise<Extract<SwarmReport, { type: 'done' }>>((resolve) => {
        done = resolve;
        command({ type: 'stop' });
      }).finally(() => child.kill());
    return { child, connected, command, stop };
  });
  const killAll = () => parts.forEach((p) => p.child.kill('SIGKILL'));
  let reports: Extract<SwarmReport, { type: 'connected' }>[];
  try {
    reports = await Promise.all(parts.map((p) => p.connected));
  } catch (error) {
    killAll();
    throw error;
  }
  return {
    pids: parts.map((p) => p.child.pid!),
    count: reports.reduce((sum, r) => sum + r.count, 0),
    rssBytes: reports.reduce((sum, r) => sum + r.rssBytes, 0),
    received,
    reconnects,
    /** `pullFrom`: the sockets pull each feed on its hints from then on (socket-swarm.ts) */
    measure: (pullFrom?: Record<Feed, string>) =>
      parts.forEach((p) => p.command({ type: 'measure', ...(pullFrom && { pullFrom }) })),
    /** Disconnects every socket; resolves with the children's last reports, combined. */
    stop: async (): Promise<Extract<SwarmReport, { type: 'done' }>> => {
      const done = await Promise.all(parts.map((p) => p.stop()));
      const connectedPerNode: number[] = [];
      for (const d of done)
        d.connectedPerNode.forEach(
          (n, i) => (connectedPerNode[i] = (connectedPerNode[i] ?? 0) + n),
        );
      return {
        type: 'done',
        loopDelayP99: Math.max(...done.map((d) => d.loopDelayP99)),
        connectedPerNode: Array.from(connectedPerNode, (n) => n ?? 0),
        stillDown: done.reduce((sum, d) => sum + d.stillDown, 0),
        catchUpFailures: done.reduce((sum, d) => sum + d.catchUpFailures, 0),
        hints: {
          customers: done.reduce((sum, d) => sum + d.hints.customers, 0),
          catalog: done.reduce((sum, d) => sum + d.hints.catalog, 0),
        },
        pulls: {
          customers: sumPulls(
            done.map((d) => d.pulls.customers),
            pageMs.customers,
          ),
          catalog: sumPulls(
            done.map((d) => d.pulls.catalog),
            pageMs.catalog,
          ),
        },
        rssBytes: done.reduce((sum, d) => sum + d.rssBytes, 0),
      };
    },
    /** Ends the children at once (cleanup after a failure). */
    kill: killAll,
  };
}

/** The children's pulls of one feed, with the page times they reported along the way. */
function sumPulls(parts: readonly FeedPulls[], pageMs: number[]): FeedPulls {
  const sum = (key: 'pulls' | 'pages' | 'rows' | 'failed') =>
    parts.reduce((total, p) => total + p[key], 0);
  return {
    pulls: sum('pulls'),
    pages: sum('pages'),
    rows: sum('rows'),
    failed: sum('failed'),
    pageMs,
  };
}

/**
 * Replaces the block between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->` in
 * docs/benchmarks.md with `section` (appends it when the markers are missing).
 */
export function writeBenchBlock(name: string, section: string): string {
  const path = join(REPO_ROOT, 'docs/benchmarks.md');
  let doc: string;
  try {
    doc = readFileSync(path, 'utf8');
  } catch {
    doc = '# Benchmarks\n\n';
  }
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${begin}\n${section}${end}`;
  doc = doc.includes(begin)
    ? doc.slice(0, doc.indexOf(begin)) + block + doc.slice(doc.indexOf(end) + end.length)
    : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, doc);
  return path;
}

/**
 * Runs `work` on an in-memory PGlite, then — when TEST_DATABASE_URL is set — on a fresh
 * PostgreSQL database (dropped afterwards): the in-process benches that compare both backends.
 */
export async function onEachBenchDatabase<T>(
  work: (db: Db, label: 'PGlite' | 'PostgreSQL') => Promise<T>,
): Promise<{ label: 'PGlite' | 'PostgreSQL'; result: T }[]> {
  const out: { label: 'PGlite' | 'PostgreSQL'; result: T }[] = [];
  const pglite = await openPglite('memory://');
  try {
    out.push({ label: 'PGlite', result: await work(pglite, 'PGlite') });
  } finally {
    await pglite.close();
  }
  if (!TEST_DATABASE_URL) return out;
  const database = await freshPostgresDatabase();
  const db = await openPostgres(database.url);
  try {
    out.push({ label: 'PostgreSQL', result: await work(db, 'PostgreSQL') });
  } finally {
    await db.close();
    await database.drop();
  }
  return out;
}
