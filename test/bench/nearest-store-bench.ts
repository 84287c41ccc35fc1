/**
 * The nearest store of an online event's place ("online nearby", issue #17): events per second
 * for a chain of N stores (default 6,000), before — SQL `nearest_store` per event, as
 * recordOnlineEvents called it inside the change-feed lock — and after — the in-memory k-d tree
 * (server/stores/nearest-store.ts). Also the plain JS scan of every store, and how many of the
 * sampled points SQL and the index answer alike (must be all).
 *
 *   npx tsx test/bench/nearest-store-bench.ts [stores=6000] [sqlEvents=2000] [indexEvents=200000]
 *
 * On PGlite (the embedded hub database); with TEST_DATABASE_URL also on PostgreSQL.
 */
import { execSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Db } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import {
  buildNearestStoreIndex,
  nearestStoreByScan,
  type Point,
  type StorePlace,
} from '../../server/stores/nearest-store';
import { onEachBenchDatabase } from './bench-support';
import {
  insertStorePlaces,
  placeInChina,
  seededRandom,
  storesAcrossChina,
} from '../support/seeded';

const [stores = 6_000, sqlEvents = 2_000, indexEvents = 200_000] = process.argv
  .slice(2)
  .map(Number);
/** Events arrive in batches; recordOnlineEvents sends a batch's places in one statement. */
const BATCH = 500;

const next = seededRandom(42);
const places: StorePlace[] = storesAcrossChina(stores, next);
const points: Point[] = Array.from({ length: Math.max(sqlEvents, indexEvents) }, () =>
  placeInChina(next),
);

const rate = (n: number, ms: number) => Math.round((n / ms) * 1_000).toLocaleString('en-US');

async function sqlBefore(db: Db, label: string): Promise<(string | null)[]> {
  await migrate(db);
  await insertStorePlaces(db, places);
  const answers: (string | null)[] = [];
  const started = performance.now();
  for (let i = 0; i < sqlEvents; i += BATCH) {
    const rows = await db.query<{ id: string | null }>(
      `select nearest_store((p->>'lat')::float8, (p->>'lng')::float8)::text as id
         from jsonb_array_elements($1::jsonb) with ordinality as x(p, n) order by n`,
      [JSON.stringify(points.slice(i, Math.min(i + BATCH, sqlEvents)))],
    );
    answers.push(...rows.map((r) => r.id));
  }
  const ms = performance.now() - started;
  console.log(
    `before  SQL nearest_store, ${label}: ${sqlEvents} events in ${ms.toFixed(0)} ms = ${rate(sqlEvents, ms)} events/s`,
  );
  return answers;
}

async function main() {
  console.log(`uptime at start: ${execSync('uptime').toString().trim()}`);
  console.log(`${stores} stores, batches of ${BATCH} events`);

  const sqlAnswers = (await onEachBenchDatabase(sqlBefore)).map(({ label, result }) => ({
    label,
    answers: result,
  }));

  const scanN = Math.min(indexEvents, 20_000);
  let started = performance.now();
  for (let i = 0; i < scanN; i++) nearestStoreByScan(points[i]!, places);
  let ms = performance.now() - started;
  console.log(
    `        JS scan of every store: ${scanN} events in ${ms.toFixed(0)} ms = ${rate(scanN, ms)} events/s`,
  );

  started = performance.now();
  const index = buildNearestStoreIndex(places);
  const buildMs = performance.now() - started;
  started = performance.now();
  const answers: (string | null)[] = [];
  for (let i = 0; i < indexEvents; i++) answers.push(index.nearest(points[i]!));
  ms = performance.now() - started;
  console.log(
    `after   k-d tree (built in ${buildMs.toFixed(1)} ms): ${indexEvents} events in ${ms.toFixed(0)} ms = ${rate(indexEvents, ms)} events/s`,
  );

  for (const { label, answers: sql } of sqlAnswers) {
    const same = sql.filter((id, i) => id === answers[i]).length;
    console.log(`agreement with SQL on ${label}: ${same} / ${sql.length}`);
  }
  console.log(`uptime at end: ${execSync('uptime').toString().trim()}`);
}

await main();
