import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freshPgliteDataDir } from './pglite-template';
import { scratchTmpdir } from './scratch-dir';
import { HUB_BUNDLE_ENTRIES, type HubEntry } from './hub-bundle-entries';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const TEST_INTEGRATION_KEY = 'test-integration-key-0123456789';

export type HubOptions = {
  /** reuse a data dir (PGlite) across restarts; a fresh temp dir otherwise */
  dataDir?: string;
  databaseUrl?: string;
  redisUrl?: string;
  port?: number;
  /**
   * A fresh PGlite data dir (no `dataDir`, no `databaseUrl`) comes with every migration applied
   * (pglite-template.ts); `false` gives an empty cluster the hub migrates at its start. So does a
   * fresh PostgreSQL database a backend makes (backends.ts, services.ts).
   */
  migrated?: boolean;
  /** on top of this process's environment; `undefined` leaves a variable out */
  env?: Record<string, string | undefined>;
  /**
   * the Node binary that runs the hub (default: HUB_NODE, else this one), e.g. a Node with
   * `reusePort` for HUB_LISTENERS > 1 (node-with-reuse-port.ts)
   */
  node?: string;
};

export type HubProcess = {
  url: string;
  port: number;
  dataDir: string;
  /** the data dir is a temp dir this helper made (removeDataDir deletes it), kept on restart */
  ownsDataDir: boolean;
  options: HubOptions;
  proc: ChildProcess;
  /** every log line the hub printed (JSON objects) */
  logs: Record<string, unknown>[];
  /** everything the hub printed so far, stdout and stderr, as raw text (for log scans) */
  output(): string;
  /** SIGTERM and wait for exit (graceful). */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit (crash). */
  kill(): Promise<void>;
};

/**
 * The ports a hub started without `port` listens on: below Linux's ephemeral range (32768–60999),
 * which the OS hands to outgoing connections and to `port: 0`. A test that stops a hub and starts
 * it again on the same port (so clients reconnect) must find that port still free: with
 * integration files running two at a time, a connection or a `port: 0` listener of the other
 * file's could take an ephemeral port in between, never one of these. Picked at random, so two
 * test processes rarely pick the same one; a hub that finds its port taken is started again on
 * another.
 */
const HUB_PORTS = { from: 20_000, to: 32_000 };
const PORT_ATTEMPTS = 5;

/**
 * The directory of the run's hub bundle when the test project bundles the hub once per run
 * (the globalSetup of the integration, faults and e2e projects, hub-bundle.ts), else undefined:
 * outside vitest (the benches) and in projects without that setup, hubs and CLIs run from
 * source under tsx.
 */
export async function hubBundle(): Promise<string | undefined> {
  if (!process.env.VITEST) return undefined;
  const { inject } = await import('vitest');
  // undefined in a project that does not provide one
  return inject('hubBundle') as string | undefined;
}

/**
 * V8 flags for the hubs and CLIs of a test run (not for the benches, which measure the hub as it
 * ships): PGlite's WebAssembly (PostgreSQL) compiled by V8's baseline compiler only, without
 * tiering hot functions up to the optimising one. What the code does is the same (a compiler
 * tier, not a semantic); what changes is the CPU: a test hub lives seconds, too short for the
 * optimised code to pay back the background compiles, which took ~1.2 of a PGlite hub start's
 * ~3.5 CPU-seconds on the 2-core machine, where the integration phase is CPU-bound.
 */
export const TEST_HUB_NODE_FLAGS: readonly string[] = ['--liftoff-only'];

/**
 * The Node arguments that run one of the hub's entry points (`server/main.ts`, a CLI): its file
 * in this run's bundle (built from the current source at the run's start, hub-bundle.ts) with
 * TEST_HUB_NODE_FLAGS, or the source file under tsx where there is no bundle.
 */
export async function hubEntryArgs(source: HubEntry): Promise<string[]> {
  const bundle = await hubBundle();
  return bundle
    ? [...TEST_HUB_NODE_FLAGS, join(bundle, `${HUB_BUNDLE_ENTRIES[source]}.js`)]
    : ['--import', 'tsx', join(REPO_ROOT, source)];
}

/**
 * Starts a real hub process (`server/main.ts`, from this run's bundle or under tsx, see
 * `hubEntryArgs`) on a free port and waits until it listens. Each call gets a fresh PGlite data dir (migrated, no data; see `HubOptions.migrated`)
 * unless one is given.
 */
export async function startHub(options: HubOptions = {}): Promise<HubProcess> {
  if (options.port !== undefined) return launchHub(options, options.port);
  for (let attempt = 1; ; attempt++) {
    const port = randomInt(HUB_PORTS.from, HUB_PORTS.to);
    if (!(await portIsFree(port)) && attempt < PORT_ATTEMPTS) continue;
    try {
      return await launchHub(options, port);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === PORT_ATTEMPTS) throw error;
    }
  }
}

class PortTakenError extends Error {}

/** Whether nothing listens on 127.0.0.1:`port` (this process listens on it for a moment). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

async function launchHub(options: HubOptions, listenPort: number): Promise<HubProcess> {
  // A fresh PGlite hub gets a cluster copied from a template (pglite-template.ts: PGlite's initdb
  // and the migrations were most of a hub's start), migrated unless `migrated: false`; on
  // PostgreSQL the dir holds no database and stays empty.
  const dataDir =
    options.dataDir ??
    (options.databaseUrl
      ? mkdtempSync(join(scratchTmpdir(), 'sg-hub-'))
      : await freshPgliteDataDir('sg-hub-', { migrated: options.migrated ?? true }));
  const merged: Record<string, string | undefined> = {
    ...(process.env as Record<string, string>),
    HUB_HOST: '127.0.0.1',
    HUB_PORT: String(listenPort),
    HUB_DATA_DIR: dataDir,
    HUB_ADMIN_KEY: TEST_ADMIN_KEY,
    HUB_INTEGRATION_KEY: TEST_INTEGRATION_KEY,
    HUB_LOG_LEVEL: 'info',
    ...options.env,
  };
  const env = Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  if (options.redisUrl) env.REDIS_URL = options.redisUrl;

  // Extra Node flags for the hub only, e.g. `HUB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`
  // to profile a bench's hubs (NODE_OPTIONS refuses --cpu-prof, and would profile every process).
  const nodeArgs = (process.env.HUB_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const hubArgs = [...nodeArgs, ...(await hubEntryArgs('server/main.ts'))];
  // The Node binary for the hub only, e.g. `HUB_NODE=/opt/node22/bin/node` to run a bench's hubs
  // on a Node with `reusePort` for HUB_LISTENERS > 1.
  const proc = spawn(options.node ?? process.env.HUB_NODE ?? process.execPath, hubArgs, {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // a data dir this helper made, or one of its made dirs a hub is restarted on (restartHub)
  if (options.dataDir === undefined || madeDataDirs.has(dataDir))
    madeDataDirs.set(dataDir, [...(madeDataDirs.get(dataDir) ?? []), proc]);
  const logs: Record<string, unknown>[] = [];
  const stdoutLines: string[] = [];
  let stderr = '';
  proc.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));

  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`hub did not start in 90 s\n${stderr}`)), 90_000);
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      stdoutLines.push(line);
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === 'hub listening' && typeof entry.port === 'number') {
        clearTimeout(timer);
        res(entry.port);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      const failed = new Error(`hub exited with ${code} before listening\n${stderr}`);
      if (options.port !== undefined) return rej(failed);
      // A port we picked, taken by another process since: this data dir (if ours) goes, the
      // next attempt makes a fresh one on another port.
      void portIsFree(listenPort).then((free) => {
        if (free) return rej(failed);
        if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
        rej(new PortTakenError(`port ${listenPort} was taken`));
      });
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    ownsDataDir: options.dataDir === undefined,
    options,
    proc,
    logs,
    output: () => `${stdoutLines.join('\n')}\n${stderr}`,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Restarts a hub on the same data (and the same port, so clients reconnect to it). */
export async function restartHub(hub: HubProcess): Promise<HubProcess> {
  await hub.stop();
  const next = await startHub({ ...hub.options, dataDir: hub.dataDir, port: hub.port });
  return { ...next, ownsDataDir: hub.ownsDataDir };
}

export function removeDataDir(hub: HubProcess): void {
  if (!hub.ownsDataDir) return;
  rmSync(hub.dataDir, { recursive: true, force: true });
  madeDataDirs.delete(hub.dataDir);
}

/** The data dirs this helper made for hubs (not given one) and not removed yet, with their hubs. */
const madeDataDirs = new Map<string, ChildProcess[]>();

/**
 * Removes the data dirs this helper made whose hubs have all exited: run after each test file
 * (hub-data-dirs.ts, a `setupFiles` entry of the projects that start hubs), for the files that
 * stop their hubs without `removeDataDir`. In the scratch dir, in memory (scratch-dir.ts), each
 * such dir left behind held 40 MB of the machine's memory until a reboot.
 */
export function removeExitedHubsDataDirs(): void {
  for (const [dir, procs] of madeDataDirs) {
    if (procs.some((proc) => proc.exitCode === null && proc.signalCode === null)) continue;
    rmSync(dir, { recursive: true, force: true });
    madeDataDirs.delete(dir);
  }
}
