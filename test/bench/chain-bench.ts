/**
 * `npm run bench:chain` — not a test: the 11.11 burst on a whole chain (issue #17 item 3), with
 * the figures written to docs/benchmarks.md.
 *
 * Two hub nodes (`server/main.ts`) on one fresh PostgreSQL database and the machine's Redis;
 * `--stores` × `--sockets-per-store` terminal sockets held by `--socket-children` child processes
 * (`socket-swarm.ts`; one child alone lagged 2 s at p99 under the burst), half on each node (a load balancer's sticky sessions); then `--rate`
 * presence events/s and `--orders-rate` orders/s for `--seconds`. Half-way through, one node is
 * killed with SIGKILL: its sockets reconnect through the stand-in balancer to the other node and
 * run the terminal's catch-up (`GET /alerts?since=`), presence and orders in flight to it are
 * retried on the other node under the same ids. Reported: sockets connected and kept, alerts lost
 * per (alert, terminal of its store), alert latency, orders exactly once (acknowledged vs rows in
 * the database), memory per socket and per node, CPU per process, reconnect and catch-up times.
 *
 *   npm run bench:chain -- [--stores 6000] [--sockets-per-store 2] [--rate 1000]
 *     [--orders-rate 200] [--seconds 30] [--selling-stores 200] [--kill-at <s>] [--no-kill]
 *     [--socket-children 2] [--presence-connections 64 (keep-alive connections per node)]
 *     [--presence-batch-ms 0 (> 0: a gateway sends each node's events of that many ms as one
 *     POST /presence/batch; an event's latency is counted from when it happened, the wait included)]
 *     [--orders-connections 32 (the selling terminals' keep-alive connections, all nodes)]
 *     [--trail (every member has an online trail: each arrival's card reads its items' stock)]
 *     [--no-write] [--pg postgres://postgres@127.0.0.1:5432/postgres]
 *     [--redis redis://127.0.0.1:6379/13]
 *
 * The database (`bench_chain_<time>`) is dropped at the end, also after a failure or Ctrl-C; the
 * hubs and the socket children are killed. Targets 127.0.0.1 only; every loop is bounded.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { newId } from '../../shared/domain/ids';
import {
  API_PREFIX,
  endpointPath,
  endpoints,
  PRESENCE_BATCH_MAX,
  type Order,
  type PresenceBatchResponse,
} from '../../shared/protocol';
import { REPO_ROOT, startHub, TEST_INTEGRATION_KEY, type HubProcess } from '../support/hub-process';
import { createBalancer, isConnectionFailure, keepAliveClient } from './bench-http';
import {
  benchFeedScope,
  benchLifecycle,
  cpuSeconds,
  freshPgDatabase,
  giveOnlineTrails,
  hubErrors,
  machineSeconds,
  openDatabaseProbe,
  openLoop,
  probeHub,
  setUpBenchChain,
  sleep,
  startSwarm,
  writeBenchBlock,
  type BenchChain,
} from './bench-support';
import {
  renderChainSection,
  type ChainResult,
  type LockSample,
  type SentPresence,
} from './chain-report';
import { nodeWithReusePort } from '../support/node-with-reuse-port';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379/13' },
    stores: { type: 'string', default: '6000' },
    'sockets-per-store': { type: 'string', default: '2' },
    rate: { type: 'string', default: '1000' },
    'orders-rate': { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    'selling-stores': { type: 'string', default: '200' },
    'socket-children': { type: 'string', default: '2' },
    'presence-connections': { type: 'string', default: '64' },
    'orders-connections': { type: 'string', default: '32' },
    'kill-at': { type: 'string' },
    'no-kill': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    // the sockets pull the customer feed on each customers:changed and the catalog feed on each
    // catalog:changed, as terminals do
    'pull-feeds': { type: 'boolean', default: false },
    trail: { type: 'boolean', default: false },
    // a presence gateway: the events of each node gathered for this many ms, then sent as one
    // POST /presence/batch (0: one POST /presence per event)
    'presence-batch-ms': { type: 'string', default: '0' },
    // the evening before midnight: this many seconds at a tenth of the burst's rates first, on
    // other members, not counted (0: the burst hits hubs that have served no arrival yet)
    'warm-up': { type: 'string', default: '10' },
  },
});
const STORES = Number(args.stores);
const PER_STORE = Number(args['sockets-per-store']);
const RATE = Number(args.rate);
const ORDERS_RATE = Number(args['orders-rate']);
const SECONDS = Number(args.seconds);
const SELLING = Math.min(Number(args['selling-stores']), STORES);
const SOCKET_CHILDREN = Number(args['socket-children']);
/** keep-alive connections per node the presence sender holds: at most this many in a hub at once */
const PRESENCE_CONNECTIONS = Number(args['presence-connections']);
const ORDERS_CONNECTIONS = Number(args['orders-connections']);
const PRESENCE_BATCH_MS = Number(args['presence-batch-ms']);
if (!Number.isInteger(PRESENCE_BATCH_MS) || PRESENCE_BATCH_MS < 0 || PRESENCE_BATCH_MS > 1_000)
  throw new Error('--presence-batch-ms must be a whole number between 0 and 1000');
const WARM_UP = Number(args['warm-up']);
if (!Number.isInteger(WARM_UP) || WARM_UP < 0 || WARM_UP > 60)
  throw new Error('--warm-up must be a whole number of seconds between 0 and 60');
/** the warm-up's rates: a tenth of the burst's */
const WARM_RATE = Math.max(1, Math.round(RATE / 10));
const WARM_ORDERS_RATE = Math.round(ORDERS_RATE / 10);
const KILL = !args['no-kill'];
const KILL_AT = Number(args['kill-at'] ?? SECONDS / 2);
for (const [name, value, max] of [
  ['stores', STORES, 10_000],
  ['sockets-per-store', PER_STORE, 4],
  ['rate', RATE, 2_000],
  ['orders-rate', ORDERS_RATE, 1_000],
  ['seconds', SECONDS, 120],
  ['selling-stores', SELLING, 1_000],
  ['socket-children', SOCKET_CHILDREN, 4],
  ['presence-connections', PRESENCE_CONNECTIONS, 1_000],
  ['orders-connections', ORDERS_CONNECTIONS, 1_000],
] as const) {
  if (!Number.isInteger(value) || value <= 0 || value > max)
    throw new Error(`--${name} must be a whole number between 1 and ${max}`);
}
// Each socket is a file descriptor in the child and, after a failover, in the surviving hub.
if (STORES * PER_STORE > 16_000) throw new Error('at most 16,000 sockets (the fd limit is 20,000)');
if (!(KILL_AT > 0 && KILL_AT < SECONDS)) throw new Error('--kill-at must lie inside the burst');
for (const url of [args.pg, args.redis])
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`only 127.0.0.1: ${url}`);

const UPTIME_AT_START = execFileSync('uptime', { encoding: 'utf8' }).trim();
// HUB_LISTENERS > 1 needs a Node with `reusePort` (≥ 22.12): without HUB_NODE, the hubs run on
// this one if it has it, else on Node 22 from the npm registry (cached; node-with-reuse-port.ts).
if (Number(process.env.HUB_LISTENERS ?? 1) > 1 && !process.env.HUB_NODE)
  process.env.HUB_NODE = nodeWithReusePort();
/** The hubs' own runtime settings, written with the figures: `HUB_NODE` runs them on another Node. */
const HUB_SETTINGS = ['HUB_LISTENERS']
  .filter((name) => process.env[name])
  .map((name) => `${name}=${process.env[name]} `)
  .join('');
const HUB_RUNTIME = process.env.HUB_NODE
  ? ` (the hubs: Node ${execFileSync(process.env.HUB_NODE, ['-v'], { encoding: 'utf8' }).trim()})`
  : '';
const LOAD_AT_START = loadavg()
  .map((x) => x.toFixed(2))
  .join(' / ');
const SOCKETS = STORES * PER_STORE;
const NODES = 2;
const KILLED = 1;
/**
 * A member per arrival (as on 11.11: 30,000 arrivals are 30,000 members, each at one store), homed
 * at the store before the one she walks into — so each arrival also brings her into a store's
 * scope (a settle and its hint), the heavier case. Before 2026-12-06 the burst was 5 members
 * each walking into all 6,000 stores: each of them then sat in 6,000 stores' scopes, and an order
 * naming one renumbered 6,000 scope rows and hinted 12,000 terminals.
 */
const CUSTOMERS = Math.max(1_000, RATE * SECONDS);
/** The warm-up's members, after the burst's (each arrives once too). */
const WARM_CUSTOMERS = WARM_RATE * WARM_UP;
const now = () => performance.timeOrigin + performance.now();
const n = (x: number) => x.toLocaleString('en-US');
/** Seconds of the CPU reading at rest before the burst (sockets connected, nothing sent). */
const REST_SECONDS = 10;
/** Seconds past the burst's end the generators may still start calls (the backlog). */
const GRACE_S = 30;

// ——— process bookkeeping: everything started here is ended here ———

// Bounded: the full run takes a few minutes of setup and one of burst.
const bench = benchLifecycle('bench:chain', 45);
const hubs = bench.held.hubs;

// ——— /proc readings ———

function rssBytes(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}
/**
 * Connections the kernel dropped because a listening socket's accept queue was full
 * (TcpExt ListenDrops, machine-wide: on this loopback bench, the hubs' listeners).
 */
function listenDrops(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const header = lines.find((l) => l.startsWith('TcpExt:'))!.split(/\s+/);
  const values = lines.filter((l) => l.startsWith('TcpExt:'))[1]!.split(/\s+/);
  return Number(values[header.indexOf('ListenDrops')] ?? Number.NaN);
}
function redisPid(): number | null {
  try {
    return Number(execFileSync('pidof', ['redis-server'], { encoding: 'utf8' }).split(' ')[0]);
  } catch {
    return null;
  }
}

type CpuProbe = { name: string; pids: number[] };
type CpuReading = Map<string, Map<number, number>>;
/** CPU seconds of each probe's processes, per pid (a process gone is absent). */
function readCpu(probes: readonly CpuProbe[]): CpuReading {
  const out: CpuReading = new Map();
  for (const p of probes) {
    const pids = new Map<number, number>();
    for (const pid of p.pids) {
      const seconds = cpuSeconds(pid);
      if (seconds !== null) pids.set(pid, seconds);
    }
    out.set(p.name, pids);
  }
  return out;
}
/**
 * CPU seconds each probe used between two readings: the processes alive at `to` (one started in
 * between counts from its start; one that ended in between, e.g. a pool connection replaced, is
 * not counted).
 */
function cpuUsed(from: CpuReading, to: CpuReading): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, pids] of to) {
    let sum = 0;
    for (const [pid, seconds] of pids) sum += seconds - (from.get(name)?.get(pid) ?? 0);
    out.set(name, sum);
  }
  return out;
}

/** Preloaded into the hubs: SIGUSR2 collects garbage and prints the heap (heap-probe.mjs). */
const HEAP_PROBE = pathToFileURL(join(REPO_ROOT, 'test/bench/heap-probe.mjs')).href;

/** A hub's JS heap + external memory after a full collection, or null if the probe is silent. */
async function heapOf(hub: HubProcess): Promise<number | null> {
  const line = await probeHub(hub, 'bench heap');
  return line && Number(line.heapUsed) + Number(line.external);
}

/** Alerts the survivors re-sent their own sockets after a peer's death, from their logs (or null). */
function resentAfterPeerLost(survivors: readonly HubProcess[]): number | null {
  const counts = survivors.flatMap((h) =>
    h.logs.flatMap((l) => (typeof l.alertsResent === 'number' ? [l.alertsResent] : [])),
  );
  return counts.length === 0 ? null : counts.reduce((a, b) => a + b, 0);
}

// ——— the load: presence (integration, round robin over the nodes) and orders (terminals) ———

type Sent = SentPresence & {
  /** no more tries (answered, refused or given up) */
  done: boolean;
};
type OrderOutcome = {
  status: 'accepted' | 'duplicate' | 'rejected' | 'unacknowledged';
  attempts: number;
};

/**
 * The burst, after `WARM_UP` seconds at the warm-up's rates (their arrivals and orders not counted;
 * `started` runs between the two, where the burst's CPU window opens).
 */
async function burst(fx: BenchChain, kill: () => Promise<void>, started: () => void) {
  const lb = createBalancer(hubs.map((h) => h.url));
  const presenceClient = keepAliveClient(PRESENCE_CONNECTIONS);
  const ordersClient = keepAliveClient(ORDERS_CONNECTIONS);
  const presencePath = `${API_PREFIX}${endpointPath(endpoints.presence)}`;
  const batchPath = `${API_PREFIX}${endpointPath(endpoints.presenceBatch)}`;
  const ordersPath = `${API_PREFIX}${endpointPath(endpoints.postOrders)}`;
  const failures = new Map<string, number>();
  const fail = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1);
  const sent: Sent[] = [];
  const orders = new Map<string, OrderOutcome>();
  /** what the warm-up sent: not counted */
  let warming = false;
  const warmSent: Sent[] = [];
  const warmOrders = new Map<string, OrderOutcome>();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();

  /** A presence source retries on another node when one is gone (idempotent in the visit window). */
  const postPresence = async (k: number) => {
    // Member m is homed at store m: she walks into the next one.
    const m = warming ? CUSTOMERS + (k % WARM_CUSTOMERS) : k % CUSTOMERS;
    const store = fx.stores[(m + 1) % fx.stores.length]!;
    const memberCode = fx.memberCodes[m]!;
    const event = { customer: { memberCode }, storeId: store.id, source: 'wifi' as const };
    const entry: Sent = {
      key: `${store.id}:${fx.idByMemberCode.get(memberCode)}`,
      at: now(),
      alertId: null,
      attempts: 0,
      failed: true,
      done: false,
    };
    (warming ? warmSent : sent).push(entry);
    if (PRESENCE_BATCH_MS > 0)
      return new Promise<void>((done) => {
        gateway.push({ k, entry, event, done });
        gatewayTimer ??= setTimeout(flushGateway, PRESENCE_BATCH_MS);
      });
    for (let attempt = 0; attempt < 5; attempt++, entry.done = attempt === 5) {
      const node = lb.route(k % NODES);
      entry.attempts += 1;
      try {
        const answer = await presenceClient.post(`${hubs[node]!.url}${presencePath}`, event, {
          'x-integration-key': TEST_INTEGRATION_KEY,
        });
        if (answer.status === 202) {
          entry.answeredAt = now();
          entry.alertId = (JSON.parse(answer.body) as { alertId: string | null }).alertId;
          entry.failed = false;
          entry.done = true;
          return;
        }
        fail(`presence HTTP ${answer.status}`);
        if (answer.status < 500 && answer.status !== 429) {
          entry.done = true;
          return;
        }
      } catch (error) {
        fail(`presence ${(error as { code?: string }).code ?? String(error)}`);
        if (isConnectionFailure(error)) lb.markDown(node);
      }
      await sleep(200 * (attempt + 1));
    }
  };

  /**
   * `--presence-batch-ms`: a presence gateway. It gathers the events of each node for that long and
   * sends them as one batch; a batch that fails whole (node gone, 5xx) and the items answered 5xx
   * go again to a node that is up, like `postPresence`'s single events, at most 5 times.
   */
  type Gathered = {
    k: number;
    entry: Sent;
    event: { customer: { memberCode: string }; storeId: string; source: 'wifi' };
    done: () => void;
  };
  const gateway: Gathered[] = [];
  let gatewayTimer: ReturnType<typeof setTimeout> | null = null;
  const finish = (g: Gathered, failed: boolean) => {
    g.entry.failed = failed;
    g.entry.done = true;
    g.done();
  };
  const sendGathered = (items: Gathered[], attempt: number) => {
    const byNode = new Map<number, Gathered[]>();
    for (const g of items) {
      const node = lb.route(g.k % NODES);
      const group = byNode.get(node) ?? [];
      group.push(g);
      byNode.set(node, group);
    }
    for (const [node, group] of byNode)
      for (let i = 0; i < group.length; i += PRESENCE_BATCH_MAX)
        void postBatch(node, group.slice(i, i + PRESENCE_BATCH_MAX), attempt);
  };
  const flushGateway = () => {
    gatewayTimer = null;
    sendGathered(gateway.splice(0), 0);
  };
  const again = (group: Gathered[], attempt: number) => {
    if (attempt + 1 >= 5) {
      for (const g of group) finish(g, true);
      return;
    }
    setTimeout(() => sendGathered(group, attempt + 1), 200 * (attempt + 1));
  };
  const postBatch = async (node: number, group: Gathered[], attempt: number) => {
    for (const g of group) g.entry.attempts += 1;
    try {
      const answer = await presenceClient.post(
        `${hubs[node]!.url}${batchPath}`,
        { events: group.map((g) => g.event) },
        { 'x-integration-key': TEST_INTEGRATION_KEY },
      );
      if (answer.status === 202) {
        const { results } = JSON.parse(answer.body) as PresenceBatchResponse;
        const retry: Gathered[] = [];
        group.forEach((g, i) => {
          const result = results[i];
          if (result && 'alertId' in result) {
            g.entry.alertId = result.alertId;
            finish(g, false);
            return;
          }
          const status = result?.error.status ?? 500;
          fail(`presence item ${status}`);
          if (status >= 500) retry.push(g);
          else finish(g, true);
        });
        if (retry.length > 0) again(retry, attempt);
        return;
      }
      fail(`presence batch HTTP ${answer.status}`);
      if (answer.status < 500 && answer.status !== 429) {
        for (const g of group) finish(g, true);
        return;
      }
    } catch (error) {
      fail(`presence batch ${(error as { code?: string }).code ?? String(error)}`);
      if (isConnectionFailure(error)) lb.markDown(node);
    }
    again(group, attempt);
  };

  /** A terminal's outbox: the same order (same id) again until the hub answers, 1 s apart. */
  const postOrder = async (k: number) => {
    const s = k % SELLING;
    const store = fx.stores[s]!;
    const t = Math.floor(k / SELLING) % store.terminals.length;
    const terminal = store.terminals[t]!;
    const socketIndex = s * PER_STORE + t;
    const sku = fx.skus[k % fx.skus.length]!;
    const order: Order = {
      id: newId(),
      storeId: store.id,
      terminalId: terminal.id,
      guideId: store.guideId!,
      ...(k % 3 === 0 ? { customerId: fx.customerIds[k % fx.customerIds.length]! } : {}),
      paymentMethod: 'wechat',
      createdAt: new Date().toISOString(),
      lines: [{ sku: sku.sku, quantity: 1, unitPrice: sku.price, discount: 0 }],
    };
    const outcome: OrderOutcome = { status: 'unacknowledged', attempts: 0 };
    (warming ? warmOrders : orders).set(order.id, outcome);
    for (let attempt = 0; attempt < 20; attempt++) {
      const node = lb.route(socketIndex % NODES);
      outcome.attempts += 1;
      try {
        const answer = await ordersClient.post(
          `${hubs[node]!.url}${ordersPath}`,
          { orders: [order] },
          { authorization: `Bearer ${terminal.token}` },
        );
        if (answer.status === 200) {
          const [result] = (JSON.parse(answer.body) as { results: { status: string }[] }).results;
          outcome.status = (result?.status ?? 'rejected') as OrderOutcome['status'];
          if (outcome.status === 'rejected') fail(`order rejected: ${answer.body.slice(0, 200)}`);
          return;
        }
        fail(`orders HTTP ${answer.status}`);
        if (answer.status < 500 && answer.status !== 429) return;
      } catch (error) {
        fail(`orders ${(error as { code?: string }).code ?? String(error)}`);
        if (isConnectionFailure(error)) lb.markDown(node);
      }
      await sleep(1_000);
    }
  };

  if (WARM_UP > 0) {
    warming = true;
    console.log(
      `warm-up: ${WARM_RATE} presence/s and ${WARM_ORDERS_RATE} orders/s for ${WARM_UP} s (not counted)`,
    );
    const from = performance.now();
    const until = from + (WARM_UP + GRACE_S) * 1000;
    await Promise.all([
      openLoop(WARM_RATE, WARM_UP, 2_000, postPresence, from, until),
      openLoop(WARM_ORDERS_RATE, WARM_UP, 1_000, postOrder, from, until),
    ]);
    warming = false;
    const answered = warmSent.filter((e) => !e.failed).length;
    console.log(
      `warm-up: presence ${n(answered)} of ${n(warmSent.length)} accepted, orders ${n([...warmOrders.values()].filter((o) => o.status === 'accepted').length)} of ${n(warmOrders.size)}`,
    );
  }
  started();
  const start = performance.now();
  const startedAt = now();
  let killedAt: number | null = null;
  const killer = KILL
    ? sleep(KILL_AT * 1000).then(async () => {
        killedAt = now();
        await kill();
      })
    : Promise.resolve();
  // Bounded: what the hubs have not taken by the end of the burst plus GRACE_S is not sent.
  const deadline = start + (SECONDS + GRACE_S) * 1000;
  const progress = setInterval(() => {
    const answered = sent.filter((e) => e.attempts > 0 && (!e.failed || e.done)).length;
    const ordersAnswered = [...orders.values()].filter((o) => o.status !== 'unacknowledged').length;
    console.log(
      `  ${((performance.now() - start) / 1000).toFixed(0)} s: presence ${n(answered)} answered of ${n(sent.length)} started; orders ${n(ordersAnswered)} of ${n(orders.size)}`,
    );
  }, 5_000);
  const [presenceLoop, ordersLoop] = await Promise.all([
    openLoop(RATE, SECONDS, 2_000, postPresence, start, deadline),
    openLoop(ORDERS_RATE, SECONDS, 1_000, postOrder, start, deadline),
    killer,
  ]);
  clearInterval(progress);
  const endedAt = now();
  lag.disable();
  lb.stop();
  presenceClient.close();
  ordersClient.close();
  return {
    sent,
    orders,
    warmOrderIds: [...warmOrders.keys()],
    failures,
    startedAt,
    endedAt,
    killedAt: killedAt as number | null,
    generatorLagP99: lag.percentile(99) / 1e6,
    presenceLoop,
    ordersLoop,
  };
}

// ——— the run ———

async function main(): Promise<ChainResult> {
  console.log(
    `bench:chain — ${UPTIME_AT_START}; ${benchFeedScope('store').HUB_CUSTOMER_FEED_SCOPE} customer feed`,
  );
  const database = await freshPgDatabase(args.pg, 'bench_chain');
  bench.held.drop = database.drop;
  console.log(`database ${database.name}; Redis ${args.redis}`);
  // Setting up thousands of stores is more admin calls than the admin key's 600/min guard allows;
  // the bench measures the burst, not that guard. Its own Redis prefix: other hubs on the
  // machine's Redis neither receive its alerts nor send it theirs (pub/sub ignores the db number).
  const options = {
    databaseUrl: database.url,
    redisUrl: args.redis,
    env: {
      HUB_ADMIN_CALLS_PER_MIN: '1000000',
      HUB_REDIS_PREFIX: 'sgbench-chain',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HEAP_PROBE}`.trim(),
      // The hub's default (the store feed) unless the run names the chain's.
      ...benchFeedScope('store'),
    },
  };
  // One after the other: the first runs the migrations.
  for (let i = 0; i < NODES; i++) hubs.push(await startHub(options));
  const rssEmpty = hubs.map((h) => rssBytes(h.proc.pid!));
  console.log(`hubs: ${hubs.map((h) => `${h.url} (pid ${h.proc.pid})`).join(', ')}`);

  let t = performance.now();
  const fx = await setUpBenchChain(hubs, {
    stores: STORES,
    terminals: () => PER_STORE,
    guide: (i) => i < SELLING,
    products: 20,
    customers: CUSTOMERS + WARM_CUSTOMERS,
    concurrency: 8,
    progress: (n) =>
      console.log(`  ${n} stores set up (${((performance.now() - t) / 1000).toFixed(0)} s)`),
  });
  const setupSeconds = (performance.now() - t) / 1000;
  console.log(`fixture: ${STORES} stores, ${SOCKETS} terminals in ${setupSeconds.toFixed(0)} s`);
  if (args.trail)
    console.log(
      `online trails: ${await giveOnlineTrails(hubs[0]!, fx.memberCodes, fx.skus)} events`,
    );
  for (const h of hubs) hubErrors(h);
  // Settle before the "no sockets" reading (setup garbage). Restarting the nodes here instead
  // gave a clean reading but a slower burst (a cold node: p50 1.9–2.2 s against 0.5 s, the same on
  // the code before and after; 2026-12-06), so the bench keeps its history's flow; a GC between
  // the two readings can still return the setup's garbage, and per socket then reads "n/a".
  await sleep(5_000);
  const rssSetUp = hubs.map((h) => rssBytes(h.proc.pid!));
  const heapSetUp = await Promise.all(hubs.map(heapOf));

  const tokens = fx.stores.flatMap((s) => s.terminals.map((x) => x.token));
  const nodes = tokens.map((_, j) => j % NODES);
  t = performance.now();
  const dropsBeforeConnect = listenDrops();
  const swarm = await startSwarm(
    { urls: hubs.map((h) => h.url), tokens, nodes, failover: true },
    SOCKET_CHILDREN,
  );
  bench.held.kill = swarm.kill;
  const connectSeconds = (performance.now() - t) / 1000;
  console.log(`${swarm.count} sockets connected in ${connectSeconds.toFixed(0)} s`);
  await sleep(5_000);
  const rssConnected = hubs.map((h) => rssBytes(h.proc.pid!));
  const heapConnected = await Promise.all(hubs.map(heapOf));
  const swarmRss = swarm.pids.reduce((sum, pid) => sum + rssBytes(pid), 0);

  // CPU: our processes, this database's PostgreSQL backends, the machine's Redis (shared).
  const { admin, backendPids } = await openDatabaseProbe(database.url);
  const redis = redisPid();
  const probes: CpuProbe[] = [
    ...hubs.map((h, i) => ({ name: `hub ${i + 1}`, pids: [h.proc.pid!] })),
    { name: `socket child${SOCKET_CHILDREN > 1 ? 'ren' : ''}`, pids: swarm.pids },
    { name: 'load generator', pids: [process.pid] },
    { name: 'PostgreSQL (this database)', pids: await backendPids() },
    ...(redis ? [{ name: 'Redis (shared)', pids: [redis] }] : []),
  ];
  // At rest first: the sockets connected, nothing sent — what the nodes and PostgreSQL spend on
  // holding 12,000 terminals (heartbeats, periodic checks), which the burst pays on top.
  const restStart = readCpu(probes);
  const restMachine = machineSeconds();
  const restFrom = now();
  await sleep(REST_SECONDS * 1000);
  const restCpu = cpuUsed(restStart, readCpu(probes));
  const restSeconds = (now() - restFrom) / 1000;
  const atRest = {
    cpu: restCpu,
    seconds: restSeconds,
    machineBusy: (machineSeconds().busy - restMachine.busy) / restSeconds,
  };
  // Read again when the burst starts, after the warm-up.
  let cpuStart = readCpu(probes);
  let machineStart = machineSeconds();
  let dropsAtBurst = listenDrops();
  const cpuTimes: { start: number; kill: number | null; end: number } = {
    start: now(),
    kill: null,
    end: Number.NaN,
  };
  let cpuAtKill: Map<string, number> | null = null;
  let rssAtKill: number[] = [];

  console.log(
    `burst: ${RATE} presence/s${PRESENCE_BATCH_MS > 0 ? ` (a gateway's batches, every ${PRESENCE_BATCH_MS} ms)` : ''} and ${ORDERS_RATE} orders/s for ${SECONDS} s` +
      (KILL ? `; SIGKILL hub ${KILLED + 1} at ${KILL_AT} s` : ''),
  );
  // With --pull-feeds every terminal starts the burst at the feeds' heads (as one that is in sync).
  const [heads] = args['pull-feeds']
    ? (
        await admin.query<{ customers: string; catalog: string }>(
          `select greatest((select coalesce(max(seq), 0) from customers),
                           (select coalesce(max(seq), 0) from customer_store_scope))::text as customers,
                  (select coalesce(max(seq), 0) from store_products)::text as catalog`,
        )
      ).rows
    : [];
  swarm.measure(heads);
  // Where the hubs' database time goes: backends waiting on an advisory lock (the change feed's,
  // or a visit's), holding a transaction open while their hub is busy, or running, every 2 s.
  const lockSamples: LockSample[] = [];
  const sampler = setInterval(() => {
    admin
      .query<LockSample>(
        `select count(*) filter (where wait_event_type = 'Lock' and wait_event = 'advisory')::int as "advisoryWaits",
                count(*) filter (where state = 'idle in transaction')::int as "idleInTransaction",
                count(*) filter (where state = 'active' and wait_event_type is distinct from 'Lock')::int as running
           from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
      )
      .then((r) => lockSamples.push(r.rows[0]!))
      .catch(() => undefined);
  }, 2_000);
  const load = await burst(
    fx,
    async () => {
      cpuAtKill = cpuUsed(cpuStart, readCpu(probes));
      cpuTimes.kill = now();
      rssAtKill = hubs.map((h) => rssBytes(h.proc.pid!));
      console.log(`  SIGKILL hub ${KILLED + 1}`);
      await hubs[KILLED]!.kill();
    },
    () => {
      cpuStart = readCpu(probes);
      machineStart = machineSeconds();
      dropsAtBurst = listenDrops();
      cpuTimes.start = now();
    },
  );
  // Terminals of the killed node: reconnected and caught up, or given up on after 60 s.
  const movers = KILL ? nodes.filter((n) => n === KILLED).length : 0;
  for (let i = 0; i < 600 && swarm.reconnects.length < movers; i++) await sleep(100);
  await sleep(3_000);
  clearInterval(sampler);
  // Pool connections opened during the burst count too.
  const pgProbe = probes.find((p) => p.name.startsWith('PostgreSQL'));
  if (pgProbe) pgProbe.pids = [...new Set([...pgProbe.pids, ...(await backendPids())])];
  const cpuEnd = cpuUsed(cpuStart, readCpu(probes));
  const machineEnd = machineSeconds();
  const dropsAtEnd = listenDrops();
  cpuTimes.end = now();
  const rssEnd = hubs.map((h, i) => (KILL && i === KILLED ? Number.NaN : rssBytes(h.proc.pid!)));
  const seconds = (load.endedAt - load.startedAt) / 1000;
  const swarmDone = await swarm.stop();
  bench.held.kill = null;

  // Orders exactly once: the database against what the terminals were told, from one read of
  // every order row (the warm-up's left out: a row of no acknowledged order is a duplicate).
  const rowIds = (await admin.query<{ id: string }>('select id::text as id from orders')).rows.map(
    (r) => r.id,
  );
  const storedIds = new Set(rowIds);
  const warmIds = new Set(load.warmOrderIds);
  const burstRowIds = rowIds.filter((id) => load.orders.has(id));
  const inDb = { n: burstRowIds.length, distinct: new Set(burstRowIds).size };
  const ordersInDbTotal = rowIds.filter((id) => !warmIds.has(id)).length;
  await admin.end();
  for (const h of hubs) hubErrors(h, `${h.url} `);

  return {
    command: `${HUB_SETTINGS}npm run bench:chain -- ${process.argv.slice(2).join(' ')}`.trim(),
    uptime: UPTIME_AT_START,
    load: LOAD_AT_START,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}${HUB_RUNTIME}`,
    database: database.name,
    redis: args.redis,
    stores: STORES,
    perStore: PER_STORE,
    selling: SELLING,
    rate: RATE,
    ordersRate: ORDERS_RATE,
    warmUp: { seconds: WARM_UP, rate: WARM_RATE, ordersRate: WARM_ORDERS_RATE },
    seconds: SECONDS,
    kill: KILL ? { at: KILL_AT, node: KILLED, killedAt: load.killedAt } : null,
    setupSeconds,
    connectSeconds,
    connected: swarm.count,
    socketChildren: SOCKET_CHILDREN,
    feedScope: benchFeedScope('store').HUB_CUSTOMER_FEED_SCOPE,
    trail: args.trail,
    swarmDone,
    nodes,
    storeOfSocket: fx.stores.flatMap((_, s) => Array.from({ length: PER_STORE }, () => s)),
    storeIds: fx.stores.map((s) => s.id),
    received: swarm.received,
    reconnects: swarm.reconnects,
    sent: load.sent,
    orders: [...load.orders.entries()].map(([id, o]) => ({ ...o, stored: storedIds.has(id) })),
    ordersInDb: inDb,
    ordersInDbTotal,
    failures: load.failures,
    generatorLagP99: load.generatorLagP99,
    behind: { presence: load.presenceLoop.late, orders: load.ordersLoop.late },
    unsent: { presence: load.presenceLoop.unsent, orders: load.ordersLoop.unsent },
    graceSeconds: GRACE_S,
    lockSamples,
    burstSeconds: seconds,
    memory: {
      rssEmpty,
      rssSetUp,
      rssConnected,
      rssAtKill,
      rssEnd,
      swarmRss,
      heapSetUp,
      heapConnected,
    },
    resentBySurvivor: KILL ? resentAfterPeerLost(hubs.filter((_, i) => i !== KILLED)) : null,
    cpu: {
      atRest,
      atKill: cpuAtKill,
      end: cpuEnd,
      probes: probes.map((p) => p.name),
      times: cpuTimes,
    },
    listenDrops: { connect: dropsAtBurst - dropsBeforeConnect, burst: dropsAtEnd - dropsAtBurst },
    machineBusy: (machineEnd.busy - machineStart.busy) / ((cpuTimes.end - cpuTimes.start) / 1000),
  };
}

await bench.run(async () => {
  const result = await main();
  if (process.env.BENCH_CHAIN_DUMP) dumpAlerts(process.env.BENCH_CHAIN_DUMP, result);
  const section = renderChainSection(result);
  console.log(`\n${section}`);
  if (!args['no-write']) console.log(`written to ${writeBenchBlock('chain', section)}`);
});

/**
 * BENCH_CHAIN_DUMP=<file>: one line per acknowledged arrival (a diagnostic, not a figure) —
 * raised (ms from the burst's first event), answered (ms after it was sent), first `alert:new`
 * (ms after it was sent, empty if none live), attempts.
 */
function dumpAlerts(file: string, r: ChainResult) {
  const firstLive = new Map<string, number>();
  for (const [alertId, , at, , via] of r.received)
    if (via === 0 && at < (firstLive.get(alertId) ?? Number.POSITIVE_INFINITY))
      firstLive.set(alertId, at);
  const start = Math.min(...r.sent.map((e) => e.at));
  const lines = r.sent.flatMap((e) =>
    e.alertId === null || e.failed
      ? []
      : [
          [
            (e.at - start).toFixed(1),
            ((e.answeredAt ?? Number.NaN) - e.at).toFixed(1),
            firstLive.has(e.alertId) ? (firstLive.get(e.alertId)! - e.at).toFixed(1) : '',
            e.attempts,
          ].join('\t'),
        ],
  );
  writeFileSync(file, `raised_ms\tanswered_ms\tfirst_live_ms\tattempts\n${lines.join('\n')}\n`);
  // …and one line per reconnect (ms from the burst's first event): down, the connecting attempt's
  // start, connected, catch-up answered, attempts.
  const at = (x: number) => (x - start).toFixed(1);
  writeFileSync(
    `${file}.reconnects`,
    `down\tattempt\tconnected\tanswered\tattempts\n${r.reconnects
      .map(([, since, connected, , answered, , attempts, attemptAt]) =>
        [at(since), at(attemptAt), at(connected), at(answered), attempts].join('\t'),
      )
      .join('\n')}\n`,
  );
  console.log(`alerts dumped to ${file}, reconnects to ${file}.reconnects`);
}
