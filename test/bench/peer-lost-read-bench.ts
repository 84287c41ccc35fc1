/**
 * `npx tsx test/bench/peer-lost-read-bench.ts` — not a test: what a survivor's database work costs
 * after a peer's silent death (issue #17), the old way against the new one, on a fresh PostgreSQL
 * database (dropped at the end).
 *
 * - old: every terminal on the survivor asks `GET /alerts?since=<now − 35 min>`, i.e. one
 *   `listAlerts` per terminal (here one per store, `--stores` of them, 10 at a time like the pool);
 * - new: one `alertsChangedWithin` over the same stores (batches of 500), window ≈ 20 s;
 * - and the catch-ups themselves when they all come at once (a node's terminals reconnecting after
 *   it was killed, bench:chain): every store's `GET /alerts` at the same moment, answered by the
 *   node's `createAlertCatchUp` (two statements at a time, the requests waiting meanwhile
 *   answered together), against the old way's one statement each, 10 at a time.
 *
 * Only the database side is timed (no HTTP, no JSON to the terminals), so the old way's real cost
 * is higher still. Seeded: `--stores` stores, alerts at `--rate`/s over the last 35 min and a burst
 * of `--burst`/s over the last 15 s (bench:chain's shape), after `--history` alerts over the week
 * before (so the table is not all "recent"), each with its own visit and a card.
 *
 *   npx tsx test/bench/peer-lost-read-bench.ts [--stores 6000] [--rate 20] [--burst 500]
 *     [--history 200000] [--pg postgres://postgres@127.0.0.1:5432/postgres]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { migrate } from '../../server/db/migrate';
import { openPostgres } from '../../server/db/postgres';
import { alertsChangedWithin, createAlertCatchUp, listAlerts } from '../../server/presence/alerts';
import { peerBlindWindowMs } from '../../server/realtime/peer-watch';
import { freshPgDatabase } from './bench-support';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    stores: { type: 'string', default: '6000' },
    rate: { type: 'string', default: '20' },
    burst: { type: 'string', default: '500' },
    history: { type: 'string', default: '200000' },
  },
});
const STORES = Math.min(Number(args.stores), 10_000);
const RATE = Math.min(Number(args.rate), 200);
const BURST = Math.min(Number(args.burst), 2_000);
const HISTORY = Math.min(Number(args.history), 1_000_000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const database = await freshPgDatabase(args.pg!, 'sg_bench_peerlost');
  const db = await openPostgres(database.url, { poolMax: 10 });
  try {
    await migrate(db);
    const card = JSON.stringify({
      name: '王芳',
      tier: 'gold',
      phoneLast4: '5678',
      sizes: { top: 'M', bottom: '28' },
      favouriteCategories: ['连衣裙', '外套'],
      viewed: [],
      carted: [],
      wishlisted: [],
      lastPurchases: [],
      lifetimeSpend: 129_900,
    });
    await db.query(
      `insert into stores(id, name, timezone, lat, lng)
       select gen_random_uuid(), 'S' || i, 'Asia/Shanghai', 31, 121 from generate_series(1, $1) i`,
      [STORES],
    );
    const stores = (await db.query<{ id: string }>('select id::text as id from stores')).map(
      (r) => r.id,
    );
    // `count` alerts round the stores, raised at random within `spanS` seconds before `endAgoS`
    // seconds ago (the hub's clock = this one).
    const seed = async (count: number, spanS: number, endAgoS = 0) => {
      await db.query(
        `with x as (
           select i, ($2::uuid[])[1 + i % array_length($2::uuid[], 1)] as store,
                  gen_random_uuid() as customer, gen_random_uuid() as visit,
                  gen_random_uuid() as alert,
                  $4::timestamptz - make_interval(secs => random() * $3) as at
             from generate_series(1, $1) i),
         c as (insert into customers(id, seq, name, member_code, home_store_id)
               select customer, nextval('change_seq'), 'C', 'M' || alert, store from x),
         v as (insert into visits(id, store_id, customer_id, source, started_at, last_seen_at,
                                  alert_id)
               select visit, store, customer, 'wifi', at, at, alert from x)
         insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at,
                            card)
         select alert, visit, store, customer, 'wifi', at, at + interval '30 minutes',
                jsonb_set($5::jsonb, '{customerId}', to_jsonb(customer::text)) from x`,
        [count, stores, spanS, new Date(Date.now() - endAgoS * 1000).toISOString(), card],
      );
    };
    // A week of older alerts (what makes the per-store index worth using), then the last 35 min.
    for (let done = 0; done < HISTORY; done += 50_000)
      await seed(Math.min(50_000, HISTORY - done), 7 * 86_400, 40 * 60);
    await seed(RATE * 35 * 60, 35 * 60);
    await seed(BURST * 15, 15);
    await db.query('analyze');
    const [{ n }] = (await db.query<{ n: number }>('select count(*)::int as n from alerts')) as [
      { n: number },
    ];
    console.log(`seeded ${STORES} stores, ${n} alerts; load ${loadavg()[0]!.toFixed(2)}`);

    const windowMs = peerBlindWindowMs();
    const newWay: number[] = [];
    let resent = 0;
    for (let run = 0; run < 5; run++) {
      const t = performance.now();
      resent = (await alertsChangedWithin(db, stores, windowMs)).length;
      newWay.push(performance.now() - t);
    }
    const oldWay: number[] = [];
    let caughtUp = 0;
    for (let run = 0; run < 3; run++) {
      const since = new Date(Date.now() - 35 * 60_000).toISOString();
      const t = performance.now();
      let next = 0;
      caughtUp = 0;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (next < stores.length) {
            const store = stores[next++]!;
            const items = await listAlerts(db, store, since);
            caughtUp += items.length;
          }
        }),
      );
      oldWay.push(performance.now() - t);
    }
    // Every store's catch-up at once through the node's catch-up batching (the old way above
    // runs them 10 at a time: all at once they wait for the pool's 10 connections, and past its
    // connection timeout they fail).
    const batchedRuns: number[] = [];
    let batchedRows = 0;
    const catchUp = createAlertCatchUp(db);
    for (let run = 0; run < 3; run++) {
      const since = new Date(Date.now() - 35 * 60_000).toISOString();
      const t = performance.now();
      const lists = await Promise.all(stores.map((store) => catchUp.list(store, since)));
      batchedRuns.push(performance.now() - t);
      batchedRows = lists.flat().length;
    }
    // Which index the new read's batches use (the per-store one, bounded by the catch-up reach).
    const plan = await db.query<{ 'QUERY PLAN': string }>(
      `explain select a.id from alerts a
        where a.store_id = any($1::uuid[]) and a.raised_at >= now() - interval '35 minutes'`,
      [stores.slice(0, 500)],
    );
    console.log(
      plan
        .map((r) => r['QUERY PLAN'].trim())
        .filter((line) => /Scan/.test(line))
        .map((line) => line.replace(/ {2}\(cost.*$|Index Cond:.*$/, ''))
        .join('\n'),
    );
    console.log(
      `new: alertsChangedWithin over ${STORES} stores, ${windowMs / 1000} s: ${resent} alerts, ` +
        `median ${median(newWay).toFixed(0)} ms (runs ${newWay.map((x) => x.toFixed(0)).join(', ')})`,
    );
    console.log(
      `old: ${STORES} × listAlerts(35 min), 10 at a time: ${caughtUp} alert rows, ` +
        `median ${median(oldWay).toFixed(0)} ms (runs ${oldWay.map((x) => x.toFixed(0)).join(', ')})`,
    );
    console.log(
      `batched: ${STORES} catch-ups at once through createAlertCatchUp: ${batchedRows} alert ` +
        `rows, median ${median(batchedRuns).toFixed(0)} ms ` +
        `(runs ${batchedRuns.map((x) => x.toFixed(0)).join(', ')})`,
    );
    console.log(`load at the end ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    await db.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
