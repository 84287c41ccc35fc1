/**
 * Not a test: where a presence event's CPU goes, on ONE hub node on PostgreSQL (issue #17 item 3).
 *
 * One hub (`server/main.ts`) on a fresh PostgreSQL database and the machine's Redis (its own
 * prefix), `--stores` × 1 terminal sockets held by the socket child, then a closed loop of
 * `--concurrency` presence requests for `--seconds` (after a short warm-up): every event is a new
 * member × store, so every one opens a visit and raises an alert to that store's terminal room —
 * the chain bench's load, at saturation. Reported per event answered: hub CPU ms, PostgreSQL CPU
 * ms (this database's backends), socket child CPU ms, PostgreSQL transactions (`pg_stat_database`
 * commits: an autocommit statement counts one, a transaction one), and alert latency.
 *
 *   npx tsx test/bench/presence-cpu-bench.ts [--stores 1000] [--seconds 20] [--concurrency 64]
 *     [--rate <events/s> [--batch-ms 0]] [--trail] [--profile /tmp/prof] [--pg postgres://postgres@127.0.0.1:5432/postgres]
 *     [--redis redis://127.0.0.1:6379/13]
 *
 * `--rate` sends at that fixed rate instead (an open loop, at most `--concurrency` outstanding):
 * what an event costs below saturation, where a node's arrivals rarely share a statement
 * (bench:chain at 200 arrivals/s, 2026-12-06).
 *
 * `--batch-ms B` (with `--rate`): a presence gateway gathers the events of B ms and sends them as
 * one `POST /presence/batch` — what an arrival costs when a node's arrivals come in batches.
 *
 * `--trail`: every member has an online trail (viewed, carted, wish-listed), so each arrival's card
 * reads those items' stock at its store, as a real member's does.
 *
 * `--profile <dir>` runs the hub with `--cpu-prof` into that folder (written on its graceful stop).
 * The database is dropped at the end; the hub and the socket child are stopped. 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import {
  API_PREFIX,
  endpointPath,
  endpoints,
  PRESENCE_BATCH_MAX,
  type PresenceBatchResponse,
} from '../../shared/protocol';
import { startHub, TEST_INTEGRATION_KEY } from '../support/hub-process';
import { keepAliveClient } from './bench-http';
import {
  benchFeedScope,
  cpuWindow,
  freshPgDatabase,
  giveOnlineTrails,
  hubErrors,
  benchLifecycle,
  openLoop,
  openDatabaseProbe,
  percentile,
  setUpBenchChain,
  sleep,
  startSwarm,
} from './bench-support';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379/13' },
    stores: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '64' },
    profile: { type: 'string' },
    rate: { type: 'string' },
    'batch-ms': { type: 'string', default: '0' },
    trail: { type: 'boolean', default: false },
  },
});
/** events/s of the open loop; null: the closed loop of `--concurrency` at saturation */
const RATE = args.rate === undefined ? null : Number(args.rate);
if (RATE !== null && !(Number.isInteger(RATE) && RATE > 0 && RATE <= 2_000))
  throw new Error('--rate must be a whole number between 1 and 2000');
/** with `--rate`: a gateway sends the events of this many ms as one POST /presence/batch */
const BATCH_MS = Number(args['batch-ms']);
if (!Number.isInteger(BATCH_MS) || BATCH_MS < 0 || BATCH_MS > 1_000)
  throw new Error('--batch-ms must be a whole number between 0 and 1000');
if (BATCH_MS > 0 && RATE === null) throw new Error('--batch-ms goes with --rate');
if (RATE !== null && (RATE * BATCH_MS) / 1000 > PRESENCE_BATCH_MAX)
  throw new Error(`--rate × --batch-ms must fit a batch of ${PRESENCE_BATCH_MAX} events`);
const STORES = Number(args.stores);
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const WARM_UP_S = 3;
for (const [name, value, max] of [
  ['stores', STORES, 5_000],
  ['seconds', SECONDS, 120],
  ['concurrency', CONCURRENCY, 256],
] as const)
  if (!Number.isInteger(value) || value <= 0 || value > max)
    throw new Error(`--${name} must be a whole number between 1 and ${max}`);
for (const url of [args.pg, args.redis])
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`only 127.0.0.1: ${url}`);
// Enough members that no (member, store) pair repeats at up to 2,000 events/s.
const CUSTOMERS = Math.max(1_000, Math.ceil((2_000 * (SECONDS + WARM_UP_S)) / STORES) + 1);
if (args.profile) process.env.HUB_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${args.profile}`;

const bench = benchLifecycle('presence-cpu-bench');

async function main() {
  console.log(`presence-cpu-bench — ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  const database = await freshPgDatabase(args.pg, 'bench_presence');
  bench.held.drop = database.drop;
  const h = await startHub({
    databaseUrl: database.url,
    redisUrl: args.redis,
    env: {
      HUB_ADMIN_CALLS_PER_MIN: '1000000',
      HUB_REDIS_PREFIX: 'sgbench-presence',
      ...benchFeedScope(),
    },
  });
  bench.held.hubs.push(h);
  console.log(`database ${database.name}; hub ${h.url} (pid ${h.proc.pid})`);
  const fx = await setUpBenchChain([h], {
    stores: STORES,
    terminals: () => 1,
    guide: () => false,
    products: 20,
    customers: CUSTOMERS,
    concurrency: 8,
  });
  const tokens = fx.stores.flatMap((s) => s.terminals.map((t) => t.token));
  const swarm = await startSwarm({ urls: [h.url], tokens });
  bench.held.kill = swarm.kill;
  console.log(`${STORES} stores, ${CUSTOMERS} members, ${swarm.count} sockets connected`);
  if (args.trail)
    console.log(`online trails: ${await giveOnlineTrails(h, fx.memberCodes, fx.skus)} events`);
  await sleep(3_000);

  const probe = await openDatabaseProbe(database.url);

  const client = keepAliveClient(CONCURRENCY);
  const url = `${h.url}${API_PREFIX}${endpointPath(endpoints.presence)}`;
  const batchUrl = `${h.url}${API_PREFIX}${endpointPath(endpoints.presenceBatch)}`;
  const now = () => performance.timeOrigin + performance.now();
  const sentAt = new Map<string, number>();
  const failures = new Map<string, number>();
  let next = 0;
  const run = async (seconds: number) => {
    let answered = 0;
    let alerts = 0;
    const answeredWith = (alertId: string | null) => {
      answered += 1;
      if (alertId) alerts += 1;
    };
    const failed = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1);
    const eventOf = () => {
      const k = next++;
      const store = fx.stores[k % STORES]!;
      const memberCode = fx.memberCodes[Math.floor(k / STORES) % fx.memberCodes.length]!;
      sentAt.set(`${store.id}:${fx.idByMemberCode.get(memberCode)}`, now());
      return { customer: { memberCode }, storeId: store.id, source: 'wifi' as const };
    };
    const send = async () => {
      const answer = await client
        .post(url, eventOf(), { 'x-integration-key': TEST_INTEGRATION_KEY })
        .catch((e: unknown) => ({ status: 0, body: String(e) }));
      if (answer.status !== 202) return void failed(`HTTP ${answer.status}`);
      answeredWith((JSON.parse(answer.body) as { alertId: string | null }).alertId);
    };
    // --batch-ms: the gateway; each event's call resolves when its batch is answered.
    let gathered: { event: ReturnType<typeof eventOf>; done: () => void }[] = [];
    const flush = async () => {
      const group = gathered;
      gathered = [];
      const answer = await client
        .post(
          batchUrl,
          { events: group.map((g) => g.event) },
          { 'x-integration-key': TEST_INTEGRATION_KEY },
        )
        .catch((e: unknown) => ({ status: 0, body: String(e) }));
      if (answer.status !== 202) failed(`batch HTTP ${answer.status}`);
      else
        for (const result of (JSON.parse(answer.body) as PresenceBatchResponse).results) {
          if ('alertId' in result) answeredWith(result.alertId);
          else failed(`item ${result.error.status}`);
        }
      for (const g of group) g.done();
    };
    const gather = () =>
      new Promise<void>((done) => {
        if (gathered.length === 0) setTimeout(() => void flush(), BATCH_MS);
        gathered.push({ event: eventOf(), done });
      });
    // A gateway's events wait for their batch, not for a connection: no cap on them.
    if (RATE !== null && BATCH_MS > 0) await openLoop(RATE, seconds, 100_000, gather);
    else if (RATE !== null) await openLoop(RATE, seconds, CONCURRENCY, send);
    else {
      const until = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < until) await send();
        }),
      );
    }
    return { answered, alerts };
  };

  await run(WARM_UP_S);
  await sleep(2_000);
  const measuredFrom = now();
  const window = await cpuWindow(probe, {
    hub: [h.proc.pid!],
    swarm: swarm.pids,
    self: [process.pid],
  });
  const t0 = performance.now();
  const { answered, alerts } = await run(SECONDS);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = await window();
  await sleep(3_000);
  const received = swarm.received.filter(([, key]) => (sentAt.get(key) ?? 0) >= measuredFrom);
  const latencies = received.map(([, key, at]) => at - sentAt.get(key)!).sort((a, b) => a - b);
  await probe.end();
  await swarm.stop();
  bench.held.kill = null;

  const perEvent = (seconds: number) => ((seconds * 1000) / answered).toFixed(2);
  console.log(
    `answered ${answered} in ${elapsed.toFixed(1)} s = ${(answered / elapsed).toFixed(0)} events/s ` +
      `(${alerts} alerts); ${RATE === null ? `concurrency ${CONCURRENCY}` : `open loop at ${RATE}/s, at most ${CONCURRENCY} outstanding`}` +
      (BATCH_MS > 0 ? `, in batches every ${BATCH_MS} ms` : ''),
  );
  console.log(
    `CPU ms/event: hub ${perEvent(cpu.groups.hub)}, PostgreSQL ${perEvent(cpu.pg)} ` +
      `(${cpu.pgBackends} backends), socket child ${perEvent(cpu.groups.swarm)}; ` +
      `cores: hub ${(cpu.groups.hub / elapsed).toFixed(2)}, PostgreSQL ${(cpu.pg / elapsed).toFixed(2)}`,
  );
  console.log(
    `load generator ${perEvent(cpu.groups.self)} ms/event; whole machine busy ` +
      `${(cpu.machine / elapsed).toFixed(2)} cores = ${perEvent(cpu.machine)} ms/event`,
  );
  console.log(`PostgreSQL transactions/event: ${(cpu.transactions / answered).toFixed(2)}`);
  console.log(
    `alerts received ${received.length}; latency p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(0)} ms`,
  );
  for (const [why, count] of failures) console.log(`  ${count} failed: ${why}`);
  hubErrors(h);
}

await bench.run(main);
