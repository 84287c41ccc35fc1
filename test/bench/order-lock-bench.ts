/**
 * Order upload while the change-feed lock is contended (issue #17, chain scale): one hub on a
 * fresh PostgreSQL database (127.0.0.1 only), `--terminals` terminals across `--stores` stores
 * each posting its share of `--orders` orders one order per request (a terminal's outbox during
 * live selling), every order naming a member and moving stock, while `--presence` arrivals/s of
 * members keep the hub's event loop busy and feed the store scopes the hub's settle round numbers
 * under the same lock. Prints orders/s, p50/p99 upload latency, and how the change-feed lock was
 * held (sampled from pg_locks / pg_stat_activity every 50 ms). Not a test; figures in
 * docs/benchmarks.md (issue #17). Bounded: every loop ends, the database is dropped at the end.
 *
 *   npx tsx test/bench/order-lock-bench.ts [--pg postgres://postgres@127.0.0.1:5432/test]
 *     [--orders 2000] [--terminals 16] [--stores 4] [--members 2000] [--presence 300]
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { newId } from '../../shared/domain/ids';
import { endpoints, type Order } from '../../shared/protocol';
import { hubApi, must } from '../support/api';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { cpuSeconds, freshPgDatabase, sleep } from './bench-support';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    orders: { type: 'string', default: '2000' },
    terminals: { type: 'string', default: '16' },
    stores: { type: 'string', default: '4' },
    members: { type: 'string', default: '2000' },
    presence: { type: 'string', default: '300' },
  },
});
const ORDERS = Number(args.orders);
const TERMINALS = Number(args.terminals);
const STORES = Number(args.stores);
const MEMBERS = Number(args.members);
const PRESENCE = Number(args.presence);
for (const [name, value, max] of [
  ['orders', ORDERS, 20_000],
  ['terminals', TERMINALS, 64],
  ['stores', STORES, 64],
  ['members', MEMBERS, 20_000],
  ['presence', PRESENCE, 2_000],
] as const)
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`--${name} must be a whole number between 1 and ${max}`);
if (TERMINALS < STORES) throw new Error('--terminals must be at least --stores');

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function setUp(hub: HubProcess) {
  const api = hubApi(hub);
  const stores: string[] = [];
  const guides: string[] = [];
  for (let s = 0; s < STORES; s++) {
    const { id } = await must(
      api.call(endpoints.adminCreateStore, {
        body: { name: `Bench ${s}`, timezone: 'Asia/Shanghai', lat: 31.2 + s / 100, lng: 121.4 },
      }),
      'store',
    );
    stores.push(id);
    const guide = await must(
      api.call(endpoints.adminCreateGuide, { body: { storeId: id, name: '导购', pin: '480613' } }),
      'guide',
    );
    guides.push(guide.id);
  }
  const terminals: { id: string; token: string; store: number }[] = [];
  for (let t = 0; t < TERMINALS; t++) {
    const store = t % STORES;
    const terminal = await must(
      api.call(endpoints.adminCreateTerminal, {
        body: { storeId: stores[store]!, name: `T${t}` },
      }),
      'terminal',
    );
    terminals.push({ ...terminal, store });
  }
  const skus = Array.from({ length: 50 }, (_, i) => `LOCK-${i}`);
  await must(
    api.call(endpoints.importProducts, {
      body: {
        products: skus.map((sku) => ({
          sku,
          name: sku,
          category: 'T恤',
          price: 9900,
          stock: Object.fromEntries(stores.map((s) => [s, 100_000])),
        })),
      },
    }),
    'products',
  );
  const codes = Array.from({ length: MEMBERS }, (_, i) => `L${String(i).padStart(9, '0')}`);
  for (let i = 0; i < MEMBERS; i += 500)
    await must(
      api.call(endpoints.importCustomers, {
        body: {
          customers: codes.slice(i, i + 500).map((memberCode, j) => ({
            crmId: `lock-${i + j}`,
            name: `顾客${i + j}`,
            memberCode,
            homeStoreId: stores[(i + j) % STORES],
          })),
        },
      }),
      'customers',
    );
  return { api, stores, guides, terminals, skus, codes };
}

async function run(hub: HubProcess, databaseUrl: string) {
  const world = await setUp(hub);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const members = (
    await client.query<{ id: string; code: string }>(
      'select id::text as id, member_code as code from customers order by member_code',
    )
  ).rows;
  await client.end();
  if (members.length !== MEMBERS) throw new Error(`expected ${MEMBERS} members`);

  // Presence: an open loop of arrivals until the orders are in, bounded by a deadline.
  let uploading = true;
  let presenceSent = 0;
  let presenceFailed = 0;
  const presence = (async () => {
    const start = performance.now();
    const deadline = start + 10 * 60_000;
    const inFlight = new Set<Promise<void>>();
    for (let k = 0; uploading && performance.now() < deadline; k++) {
      const wait = start + (k * 1000) / PRESENCE - performance.now();
      if (wait > 1) await sleep(wait);
      if (inFlight.size >= 200) await Promise.race(inFlight);
      const m = members[(k * 7919) % MEMBERS]!;
      const call = world.api
        .call(endpoints.presence, {
          body: {
            customer: { memberCode: m.code },
            storeId: world.stores[k % STORES]!,
            source: 'wifi',
            at: new Date().toISOString(),
          },
        })
        .then((r) => {
          presenceSent += 1;
          if (!r.ok) presenceFailed += 1;
        });
      const tracked = call.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
  })();
  await sleep(2_000); // presence under way before the first order

  // The change-feed lock (4600) seen from PostgreSQL every 50 ms while the orders go in: held or
  // not, what its holder's backend is doing (`idle in transaction`: waiting for its hub), how many
  // backends wait for it. What issue #17 describes; the orders path's round trips under the lock.
  const sampler = new pg.Client({ connectionString: databaseUrl });
  await sampler.connect();
  const lock = { samples: 0, held: 0, idle: 0, waiters: 0 };
  // The idle holder's last statement (its head) → samples: where the lock holder waits for its hub.
  const idleAfter = new Map<string, number>();
  const sampling = (async () => {
    while (uploading) {
      const { rows } = await sampler.query<{
        state: string | null;
        query: string | null;
        waiters: number;
      }>(
        `select h.state, h.query,
                (select count(*)::int from pg_locks l
                  where l.locktype = 'advisory' and l.classid = 0 and l.objid = 4600
                    and l.objsubid = 1 and not l.granted and l.database = d.oid) as waiters
           from pg_database d
           left join lateral (
             select a.state, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 40) as query
               from pg_locks l join pg_stat_activity a on a.pid = l.pid
              where l.locktype = 'advisory' and l.classid = 0 and l.objid = 4600
                and l.objsubid = 1 and l.granted and l.database = d.oid limit 1) h on true
          where d.datname = current_database()`,
      );
      const r = rows[0]!;
      lock.samples += 1;
      if (r.state !== null) lock.held += 1;
      if (r.state === 'idle in transaction') {
        lock.idle += 1;
        idleAfter.set(r.query ?? '', (idleAfter.get(r.query ?? '') ?? 0) + 1);
      }
      lock.waiters += r.waiters;
      await sleep(50);
    }
  })();

  const latencies: number[] = [];
  let accepted = 0;
  let failed = 0;
  let n = 0;
  // CPU of the hub and of this database's PostgreSQL backends, and its transactions, over the
  // orders (the presence beside them included: compare runs at the same --presence rate).
  const reading = async () => {
    await sampler.query('select pg_stat_clear_snapshot()');
    const { rows } = await sampler.query<{ pid: number; xacts: string }>(
      `select a.pid, (select (xact_commit + xact_rollback)::text from pg_stat_database
                        where datname = current_database()) as xacts
         from pg_stat_activity a
        where a.datname = current_database() and a.pid <> pg_backend_pid()`,
    );
    return {
      hub: cpuSeconds(hub.proc.pid!) ?? 0,
      pg: new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid) ?? 0])),
      xacts: Number(rows[0]?.xacts ?? 0),
    };
  };
  const before = await reading();
  const began = performance.now();
  await Promise.all(
    world.terminals.map(async (terminal, t) => {
      const api = hubApi(hub, { token: terminal.token });
      for (let i = t; i < ORDERS; i += TERMINALS) {
        n += 1;
        const order: Order = {
          id: newId(),
          storeId: world.stores[terminal.store]!,
          terminalId: terminal.id,
          guideId: world.guides[terminal.store]!,
          customerId: members[(i * 104_729) % MEMBERS]!.id,
          paymentMethod: 'wechat',
          createdAt: new Date().toISOString(),
          lines: Array.from({ length: 1 + (i % 2) }, (_, l) => ({
            sku: world.skus[(i + l * 13) % world.skus.length]!,
            quantity: 1,
            unitPrice: 9900,
            discount: 0,
          })),
        };
        const sent = performance.now();
        const answer = await api.call(endpoints.postOrders, { body: { orders: [order] } });
        latencies.push(performance.now() - sent);
        if (answer.ok && answer.value.results[0]?.status === 'accepted') accepted += 1;
        else failed += 1;
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  const after = await reading();
  uploading = false;
  await presence;
  await sampling;
  await sampler.end();
  latencies.sort((a, b) => a - b);
  console.log(
    `${n} orders from ${TERMINALS} terminals in ${STORES} stores, ${MEMBERS} members, ` +
      `presence ${PRESENCE}/s (${presenceSent} sent, ${presenceFailed} failed): ` +
      `${accepted} accepted, ${failed} failed in ${seconds.toFixed(1)} s → ` +
      `${(accepted / seconds).toFixed(1)} orders/s; upload latency p50 ` +
      `${quantile(latencies, 0.5).toFixed(0)} ms, p99 ${quantile(latencies, 0.99).toFixed(0)} ms`,
  );
  let pgUsed = 0;
  for (const [pid, cpu] of after.pg) pgUsed += cpu - (before.pg.get(pid) ?? 0);
  const perOrder = (cpu: number) => ((cpu * 1000) / Math.max(1, accepted)).toFixed(2);
  console.log(
    `CPU ms per order (presence beside it included): hub ${perOrder(after.hub - before.hub)}, ` +
      `PostgreSQL ${perOrder(pgUsed)} (${after.pg.size} backends); PostgreSQL transactions per ` +
      `order ${((after.xacts - before.xacts) / Math.max(1, accepted)).toFixed(2)}`,
  );
  const share = (n: number) => `${((100 * n) / Math.max(1, lock.samples)).toFixed(0)} %`;
  console.log(
    `change-feed lock over ${lock.samples} samples: held ${share(lock.held)}, its holder idle in ` +
      `transaction ${share(lock.idle)}, waiting backends ${(lock.waiters / Math.max(1, lock.samples)).toFixed(1)} on average`,
  );
  for (const [query, count] of [...idleAfter].sort((x, y) => y[1] - x[1]).slice(0, 4))
    console.log(`  idle holder after "${query}…": ${share(count)}`);
  const retries = hub.logs.filter((l) => String(l.msg ?? '').includes('retr')).length;
  const errors = hub.logs.filter((l) => Number(l.level) >= 50).length;
  console.log(`hub log: ${retries} retry lines, ${errors} errors`);
}

console.log(`uptime at start: ${uptime()}`);
const database = await freshPgDatabase(args.pg, 'sg_orderlock');
const hub = await startHub({ databaseUrl: database.url });
try {
  await run(hub, database.url);
} finally {
  // gracefully first: a hub run with HUB_NODE_ARGS="--cpu-prof …" writes its profile on exit
  await Promise.race([hub.stop(), sleep(15_000)]);
  await hub.kill();
  removeDataDir(hub);
  await database.drop();
  console.log(`uptime at end: ${uptime()}`);
}
process.exit(0);
