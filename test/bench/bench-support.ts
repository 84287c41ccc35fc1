import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { CHROMIUM_FLAGS } from '../e2e/support/chromium';
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
