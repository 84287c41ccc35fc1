/**
 * Not a test: what one terminal's feed pull after a `customers:changed` hint costs, on ONE hub node
 * on PostgreSQL (issue #17; bench:chain `--pull-feeds` found these pulls the 11.11 peak's largest
 * load: one per arrival per terminal of the store).
 *
 * One hub (`server/main.ts`) on a fresh PostgreSQL database and the machine's Redis (its own
 * prefix), `--stores` stores with 2 terminals each and `--members` members homed round robin. Each
 * store's cursor is set one row short of its feed's end, so every pull is what a hint's pull is:
 * `GET /api/v1/sync/customers?after=<cursor>&limit=2000&withTotal=…` answered with one row (a
 * last, partial page: never from the hub's page cache). Then a closed loop of `--concurrency`
 * pulls for `--seconds`, the terminals taken in turn, once with `withTotal=true` (what the
 * terminal asks on a pull's first page) and once with `false`. Reported per pull: hub CPU ms,
 * PostgreSQL CPU ms (this database's backends), PostgreSQL transactions, and latency.
 *
 *   npx tsx test/bench/feed-pull-bench.ts [--stores 500] [--members 50000] [--seconds 15]
 *     [--concurrency 32] [--pg postgres://postgres@127.0.0.1:5432/postgres]
 *     [--redis redis://127.0.0.1:6379/13]
 *
 * The database is dropped at the end and the hub stopped. 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { API_PREFIX, endpointPath, endpoints } from '../../shared/protocol';
import { startHub } from '../support/hub-process';
import { keepAliveClient } from './bench-http';
import {
  benchFeedScope,
  cpuWindow,
  freshPgDatabase,
  hubErrors,
  benchLifecycle,
  openDatabaseProbe,
  percentile,
  pool,
  setUpBenchChain,
  sleep,
} from './bench-support';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379/13' },
    stores: { type: 'string', default: '500' },
    members: { type: 'string', default: '50000' },
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '32' },
  },
});
const STORES = Number(args.stores);
const MEMBERS = Number(args.members);
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const WARM_UP_S = 3;
for (const [name, value, min, max] of [
  ['stores', STORES, 1, 5_000],
  ['members', MEMBERS, 2 * STORES, 200_000],
  ['seconds', SECONDS, 1, 120],
  ['concurrency', CONCURRENCY, 1, 256],
] as const)
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`--${name} must be a whole number between ${min} and ${max}`);
for (const url of [args.pg, args.redis])
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`only 127.0.0.1: ${url}`);

const bench = benchLifecycle('feed-pull-bench');

type Page = { items: unknown[]; cursor: string; hasMore: boolean };

async function main() {
  console.log(`feed-pull-bench — ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  const database = await freshPgDatabase(args.pg, 'bench_feed_pull');
  bench.held.drop = database.drop;
  const h = await startHub({
    databaseUrl: database.url,
    redisUrl: args.redis,
    env: {
      HUB_ADMIN_CALLS_PER_MIN: '1000000',
      HUB_TERMINAL_CALLS_PER_MIN: '10000000',
      HUB_REDIS_PREFIX: 'sgbench-feed-pull',
      ...benchFeedScope('store'),
    },
  });
  bench.held.hubs.push(h);
  console.log(`database ${database.name}; hub ${h.url} (pid ${h.proc.pid})`);
  const fx = await setUpBenchChain([h], {
    stores: STORES,
    terminals: () => 2,
    guide: () => false,
    products: 20,
    customers: MEMBERS,
    concurrency: 8,
  });
  const client = keepAliveClient(CONCURRENCY);
  const feedUrl = `${h.url}${API_PREFIX}${endpointPath(endpoints.syncCustomers)}`;
  const pull = async (token: string, after: string, limit: number, withTotal: boolean) => {
    const answer = await client.get(
      `${feedUrl}?after=${after}&limit=${limit}&withTotal=${withTotal}`,
      { authorization: `Bearer ${token}` },
    );
    if (answer.status !== 200) throw new Error(`feed: HTTP ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body) as Page;
  };
  // Each store's cursor one row short of its feed's end: a pull from it brings exactly one row.
  const cursors = await pool(fx.stores, 8, async (store) => {
    const token = store.terminals[0]!.token;
    const all = await pull(token, '0', 2_000, false);
    if (all.hasMore || all.items.length < 2)
      throw new Error(`store feed of ${all.items.length} rows: use fewer members per store`);
    return (await pull(token, '0', all.items.length - 1, false)).cursor;
  });
  const terminals = fx.stores.flatMap((s, i) => s.terminals.map((t) => [t.token, cursors[i]!]));
  console.log(
    `${STORES} stores × 2 terminals, ${MEMBERS} members (${Math.floor(MEMBERS / STORES)} a store's feed)`,
  );

  const probe = await openDatabaseProbe(database.url);

  let next = 0;
  const run = async (seconds: number, withTotal: boolean) => {
    const until = performance.now() + seconds * 1000;
    const latencies: number[] = [];
    let rows = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const [token, after] = terminals[next++ % terminals.length]!;
          const t = performance.now();
          const page = await pull(token!, after!, 2_000, withTotal);
          latencies.push(performance.now() - t);
          rows += page.items.length;
        }
      }),
    );
    return { latencies: latencies.sort((a, b) => a - b), rows };
  };

  for (const withTotal of [true, false]) {
    await run(WARM_UP_S, withTotal);
    await sleep(1_000);
    const window = await cpuWindow(probe, { hub: [h.proc.pid!], self: [process.pid] });
    const t0 = performance.now();
    const { latencies, rows } = await run(SECONDS, withTotal);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = await window();
    const pulls = latencies.length;
    const per = (seconds: number) => ((seconds * 1000) / pulls).toFixed(2);
    console.log(
      `withTotal=${withTotal}: ${pulls} pulls in ${elapsed.toFixed(1)} s = ${(pulls / elapsed).toFixed(0)}/s, ` +
        `${(rows / pulls).toFixed(2)} rows a pull; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms (concurrency ${CONCURRENCY})`,
    );
    console.log(
      `  CPU ms/pull: hub ${per(cpu.groups.hub)}, PostgreSQL ${per(cpu.pg)} ` +
        `(${cpu.pgBackends} backends), load generator ${per(cpu.groups.self)}, ` +
        `whole machine ${per(cpu.machine)}; PostgreSQL transactions/pull ` +
        `${(cpu.transactions / pulls).toFixed(2)}`,
    );
  }
  await probe.end();
  client.close();
  hubErrors(h);
}

await bench.run(main);
