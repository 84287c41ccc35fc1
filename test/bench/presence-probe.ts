/**
 * Sequential cost of one presence sighting, in process: `recordPresence` against a database opened
 * here (PGlite in memory, and PostgreSQL on 127.0.0.1 with `--pg <url>` or TEST_DATABASE_URL), one
 * call at a time, counting the SQL round trips each call makes (a transaction's BEGIN and COMMIT
 * count as one each). Not a test: it prints figures. No HTTP and no sockets, so it isolates the
 * database path of `POST /api/v1/presence` from the rest of the hub.
 *
 *   npx tsx test/bench/presence-probe.ts [--pg postgres://postgres@127.0.0.1:5432/test] [--calls 500]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { newId } from '../../shared/domain/ids';
import type { PresenceEvent } from '../../shared/protocol';
import { openDatabase, type Db, type Queryable } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { recordPresence } from '../../server/presence/presence';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string' },
    calls: { type: 'string', default: '500' },
    'pglite-only': { type: 'boolean', default: false },
    'by-statement': { type: 'boolean', default: false },
    /** PGlite persisted to a fresh folder on disk, as the hub runs it (default: in memory) */
    'pglite-on-disk': { type: 'boolean', default: false },
  },
});
const CALLS = Number(args.calls);
if (!Number.isInteger(CALLS) || CALLS < 10 || CALLS > 20_000)
  throw new Error('--calls must be between 10 and 20000');
const PG_URL = args['pglite-only'] ? undefined : (args.pg ?? process.env.TEST_DATABASE_URL);
const SKUS = 60;
const TRAIL = 8;

/** Time spent per statement, keyed by its first words (with `--by-statement`). */
const byStatement = new Map<string, { n: number; ms: number }>();
async function timed<T>(sql: string, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    const key = sql.replace(/\s+/g, ' ').trim().slice(0, 60);
    const entry = byStatement.get(key) ?? { n: 0, ms: 0 };
    entry.n += 1;
    entry.ms += performance.now() - t0;
    byStatement.set(key, entry);
  }
}

/** Wraps a Db so every statement (and each BEGIN / COMMIT) adds one to `count`. */
function counting(db: Db): Db & { count: number } {
  const counted = {
    kind: db.kind,
    count: 0,
    query: (sql: string, params?: readonly unknown[]) => {
      counted.count += 1;
      return timed(sql, () => db.query(sql, params));
    },
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      counted.count += 2;
      return db.transaction((tx) =>
        fn({
          query: (sql, params) => {
            counted.count += 1;
            return timed(sql, () => tx.query(sql, params));
          },
        }),
      );
    },
    close: () => db.close(),
  };
  return counted as Db & { count: number };
}

async function fixture(db: Db) {
  const storeId = newId();
  await db.query(
    `insert into stores(id, name, timezone, lat, lng) values ($1, 'Probe', 'Asia/Shanghai', 31.2, 121.4)`,
    [storeId],
  );
  const at = new Date(Date.now() - 3_600_000).toISOString();
  for (let i = 0; i < SKUS; i++) {
    const productId = newId();
    await db.query(
      `insert into products(id, sku, name, category, price) values ($1, $2, $3, 'T恤', 19900)`,
      [productId, `PROBE-${i}`, `Probe product ${i}`],
    );
    await db.query(
      `insert into store_products(store_id, product_id, stock, seq) values ($1, $2, 5, nextval('change_seq'))`,
      [storeId, productId],
    );
  }
  const codes: string[] = [];
  for (let i = 0; i < CALLS; i++) {
    const trail = (offset: number) =>
      Array.from({ length: TRAIL }, (_, k) => ({
        sku: `PROBE-${(i + k * 7 + offset) % SKUS}`,
        at,
        channel: 'app',
      }));
    const online = {
      viewed: trail(0),
      carted: trail(3),
      wishlisted: trail(5),
      onlineOrders: 2,
      onlineSpend: 59_800,
      lastOnlineAt: at,
      channel: 'app',
    };
    const code = `P${String(i).padStart(9, '0')}`;
    codes.push(code);
    await db.query(
      `insert into customers(id, seq, name, member_code, tier, online)
       values ($1, nextval('change_seq'), $2, $3, 'gold', $4::jsonb)`,
      [newId(), `顾客${i}`, code, JSON.stringify(online)],
    );
  }
  return { storeId, codes };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

async function probe(kind: string, raw: Db) {
  await migrate(raw);
  const { storeId, codes } = await fixture(raw);
  const db = counting(raw);
  const ctx = { db };
  const run = async (label: string, expectAlert: boolean) => {
    const times: number[] = [];
    const before = db.count;
    for (const memberCode of codes) {
      const event: PresenceEvent = { customer: { memberCode }, storeId, source: 'wifi' };
      const t0 = performance.now();
      const result = await recordPresence(ctx, event);
      times.push(performance.now() - t0);
      if ((result.alert !== null) !== expectAlert)
        throw new Error(`${label}: expected ${expectAlert ? 'an' : 'no'} alert`);
    }
    const trips = (db.count - before) / codes.length;
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(
      `${kind.padEnd(10)} ${label.padEnd(16)} ${trips.toFixed(1)} round trips/call; ` +
        `mean ${mean.toFixed(2)} ms, p50 ${percentile(times, 50).toFixed(2)}, p90 ${percentile(times, 90).toFixed(2)}, p99 ${percentile(times, 99).toFixed(2)} ms`,
    );
  };
  // Warm up JIT and plans on a different store-less path would skew nothing; the first calls are
  // simply part of the sample (500 calls make their weight small).
  await run('new visit+alert', true);
  await run('repeat sighting', false);
  if (args['by-statement']) {
    for (const [sql, { n, ms }] of byStatement)
      console.log(`  ${(ms / n).toFixed(2).padStart(7)} ms × ${n}  ${sql}`);
    byStatement.clear();
  }
}

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')}; ${CALLS} calls each`,
);
const liteDir = args['pglite-on-disk'] ? mkdtempSync(join(tmpdir(), 'sg-probe-')) : 'memory://';
const lite = await openDatabase({ dataDir: liteDir });
try {
  await probe(args['pglite-on-disk'] ? 'PGlite/disk' : 'PGlite', lite);
} finally {
  await lite.close();
  if (liteDir !== 'memory://') rmSync(liteDir, { recursive: true, force: true });
}
if (PG_URL) {
  const base = new URL(PG_URL);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname))
    throw new Error('the probe only targets PostgreSQL on 127.0.0.1');
  const name = `sg_probe_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
  try {
    await probe('PostgreSQL', db);
  } finally {
    await db.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
