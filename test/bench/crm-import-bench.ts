/**
 * A CRM import of members with a place (issue #17, the catchment): `upsertCrmCustomers`
 * (server/customers/crm.ts) in batches of 1,000 (the endpoint's largest) into a chain of N stores,
 * in process, on PGlite (the embedded hub database, on this thread) and, with TEST_DATABASE_URL, on
 * PostgreSQL. Reports members imported per second, and how many of them are in the catchment scope
 * (reason 32) of the store SQL `nearest_store`'s definition names (checked with the JS scan of
 * every store, `nearestStoreByScan`, which the tests hold equal to SQL): must be all.
 *
 *   npx tsx test/bench/crm-import-bench.ts [stores=6000] [members=20000]
 */
import { execSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { crmCustomer } from '../../shared/protocol';
import { upsertCrmCustomers } from '../../server/customers/crm';
import { ensurePhoneHashKey } from '../../server/customers/phone-key';
import type { Db } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { nearestStoreByScan, type StorePlace } from '../../server/stores/nearest-store';
import { onEachBenchDatabase } from './bench-support';
import {
  insertStorePlaces,
  placeInChina,
  seededRandom,
  storesAcrossChina,
} from '../support/seeded';

const [stores = 6_000, members = 20_000] = process.argv.slice(2).map(Number);
const BATCH = 1_000;

const next = seededRandom(42);
const places: StorePlace[] = storesAcrossChina(stores, next);
const items = Array.from({ length: members }, (_, i) =>
  crmCustomer.parse({
    crmId: `bench-${i}`,
    name: '会员',
    phone: `139${String(i).padStart(8, '0')}`,
    memberCode: `BM${String(i).padStart(8, '0')}`,
    location: placeInChina(next),
  }),
);

async function run(db: Db, label: string): Promise<void> {
  await migrate(db);
  await ensurePhoneHashKey(db);
  await insertStorePlaces(db, places);
  const started = performance.now();
  for (let i = 0; i < members; i += BATCH) {
    const { results } = await upsertCrmCustomers(db, items.slice(i, i + BATCH));
    const refused = results.filter((r) => r.status !== 'accepted');
    if (refused.length > 0) throw new Error(`${refused.length} refused: ${refused[0]?.status}`);
  }
  const ms = performance.now() - started;
  const rate = Math.round((members / ms) * 1_000).toLocaleString('en-US');
  console.log(`${label}: ${members} members in ${(ms / 1_000).toFixed(1)} s = ${rate} members/s`);

  const scoped = await db.query<{ crm_id: string; store_id: string }>(
    `select c.crm_id, s.store_id::text as store_id from customer_store_scope s
       join customers c on c.id = s.customer_id where s.reasons & 32 <> 0`,
  );
  const byCrm = new Map(scoped.map((r) => [r.crm_id, r.store_id]));
  const same = items.filter(
    (item) => byCrm.get(item.crmId) === nearestStoreByScan(item.location!, places),
  ).length;
  console.log(`${label}: in the nearest store's catchment: ${same} / ${members}`);
}

console.log(`uptime at start: ${execSync('uptime').toString().trim()}`);
console.log(`${stores} stores, ${members} members with a place, batches of ${BATCH}`);
await onEachBenchDatabase(run);
console.log(`uptime at end: ${execSync('uptime').toString().trim()}`);
