/**
 * Bounded stress for `POST /api/v1/orders` on PostgreSQL (127.0.0.1 only): several terminals post
 * 500-order batches at the same moment, every batch naming the same small set of members (so the
 * batches update the same customers' in-store summaries and convert the same visits), while
 * arrivals of those members keep coming in. Prints every refused call with the hub's error log,
 * and checks that each order was accepted exactly once. Not a test: a reproduction tool.
 *
 *   npx tsx test/bench/orders-stress.ts [--pg postgres://postgres@127.0.0.1:5432/test]
 *                                       [--rounds 10] [--parallel 4] [--members 40]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { newId } from '../../shared/domain/ids';
import type { ApiError } from '../../shared/api-client';
import { endpoints, type Order } from '../../shared/protocol';
import { hubApi, must } from '../support/api';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { customerFeed } from '../support/seed';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string' },
    rounds: { type: 'string', default: '10' },
    parallel: { type: 'string', default: '4' },
    members: { type: 'string', default: '40' },
  },
});
const ROUNDS = Number(args.rounds);
const PARALLEL = Number(args.parallel);
const MEMBERS = Number(args.members);
const BATCH = 500;
const PG_URL = args.pg ?? process.env.TEST_DATABASE_URL;
if (!PG_URL) throw new Error('pass --pg <url> or set TEST_DATABASE_URL');
for (const [name, value, max] of [
  ['rounds', ROUNDS, 100],
  ['parallel', PARALLEL, 16],
  ['members', MEMBERS, 500],
] as const)
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`--${name} must be between 1 and ${max}`);

/** A refused call as printed: HTTP status, the client's code, the hub's code, message and details. */
const refusal = (e: ApiError) =>
  `HTTP ${e.status ?? '-'} ${e.code}${e.reason ? ` ${e.reason}` : ''}: ${e.message}${
    e.details === undefined ? '' : ` ${JSON.stringify(e.details)}`
  }`.slice(0, 300);

async function run(hub: HubProcess) {
  const api = hubApi(hub);
  const { id: storeId } = await must(
    api.call(endpoints.adminCreateStore, {
      body: { name: 'Stress', timezone: 'Asia/Shanghai', lat: 31.2, lng: 121.4 },
    }),
    'store',
  );
  const guide = await must(
    api.call(endpoints.adminCreateGuide, { body: { storeId, name: '导购', pin: '480613' } }),
    'guide',
  );
  const terminals: { id: string; token: string }[] = [];
  for (let t = 0; t < PARALLEL; t++)
    terminals.push(
      await must(
        api.call(endpoints.adminCreateTerminal, { body: { storeId, name: `T${t}` } }),
        'terminal',
      ),
    );
  const skus = Array.from({ length: 20 }, (_, i) => `STRESS-${i}`);
  await must(
    api.call(endpoints.importProducts, {
      body: {
        products: skus.map((sku) => ({
          sku,
          name: sku,
          category: 'T恤',
          price: 9900,
          stock: { [storeId]: 100 },
        })),
      },
    }),
    'products',
  );
  const codes = Array.from({ length: MEMBERS }, (_, i) => `S${String(i).padStart(9, '0')}`);
  await must(
    api.call(endpoints.importCustomers, {
      body: {
        customers: codes.map((memberCode, i) => ({
          crmId: `stress-${i}`,
          name: `顾客${i}`,
          memberCode,
          // homed at the stress store: its terminals' store-scoped feed carries them
          homeStoreId: storeId,
        })),
      },
    }),
    'customers',
  );
  const members = (await customerFeed(hub, terminals[0]!.token)).map((c) => c.id);

  const sent = new Map<string, number>();
  const failures: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Arrivals of the same members, concurrently with the batches: visits and alerts to convert.
    const arrivals = codes.map((memberCode) =>
      api.call(endpoints.presence, {
        body: {
          customer: { memberCode },
          storeId,
          source: 'wifi',
          at: new Date(Date.now() - (ROUNDS - round) * 40 * 60_000).toISOString(),
        },
      }),
    );
    const batches = terminals.map((terminal, t) => {
      const orders: Order[] = Array.from({ length: BATCH }, (_, i) => ({
        id: newId(),
        storeId,
        terminalId: terminal.id,
        guideId: guide.id,
        // Each batch walks the shared members from a different starting point.
        customerId: members[(i * (t + 1) + t * 7) % members.length]!,
        paymentMethod: 'wechat',
        createdAt: new Date().toISOString(),
        lines: [{ sku: skus[i % skus.length]!, quantity: 1, unitPrice: 9900, discount: 0 }],
      }));
      for (const o of orders) sent.set(o.id, 0);
      return { terminal, orders };
    });
    const answers = await Promise.all(
      batches.map(({ terminal, orders }) =>
        hubApi(hub, { token: terminal.token }).call(endpoints.postOrders, { body: { orders } }),
      ),
    );
    for (const a of answers) {
      if (!a.ok) {
        failures.push(`round ${round}: ${refusal(a.error)}`);
        continue;
      }
      for (const r of a.value.results)
        if (r.status === 'accepted') sent.set(r.id, (sent.get(r.id) ?? 0) + 1);
    }
    const arrived = await Promise.all(arrivals);
    for (const a of arrived)
      if (!a.ok) failures.push(`round ${round}: presence ${refusal(a.error)}`);
  }
  const once = [...sent.values()].filter((n) => n === 1).length;
  console.log(
    `${ROUNDS} rounds × ${PARALLEL} parallel batches of ${BATCH} sharing ${MEMBERS} members: ` +
      `${once}/${sent.size} orders accepted exactly once; ${failures.length} failed requests`,
  );
  for (const f of failures.slice(0, 10)) console.log(`  ${f}`);
  for (const e of hub.logs.filter((l) => Number(l.level) >= 50).slice(0, 5))
    console.log(`  hub error: ${JSON.stringify(e.err ?? e.msg).slice(0, 500)}`);
}

const base = new URL(PG_URL);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname))
  throw new Error('the stress only targets PostgreSQL on 127.0.0.1');
const name = `sg_stress_${Date.now()}`;
const adminDb = new pg.Client({ connectionString: PG_URL });
await adminDb.connect();
await adminDb.query(`create database ${name}`);
const url = new URL(PG_URL);
url.pathname = `/${name}`;
const hub = await startHub({ databaseUrl: url.toString() });
try {
  await run(hub);
} finally {
  await hub.kill();
  removeDataDir(hub);
  await adminDb.query(`drop database if exists ${name} with (force)`);
  await adminDb.end();
}
process.exit(0);
