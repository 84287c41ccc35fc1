import { createHash } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { Db } from '../../server/db/database';
import { migrate, migrations } from '../../server/db/migrate';
import { openPostgres, type PostgresOptions } from '../../server/db/postgres';

/**
 * The PostgreSQL and multi-node suites need services this machine kind runs (see .ci/run).
 * Without their variables they are reported as not run, with the reason in the suite name;
 * with CI set, an unreachable service fails the suite loudly instead.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

export const postgresReason = TEST_DATABASE_URL
  ? 'on PostgreSQL'
  : 'on PostgreSQL — NOT RUN: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)';
export const redisReason = TEST_REDIS_URL
  ? 'with Redis'
  : 'with Redis — NOT RUN: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379)';

/**
 * Whether a suite that needs both PostgreSQL and Redis (the multi-node suites) runs: `configured`
 * when both variables are set; `enabled` also with CI set, where the suite must then fail in its
 * `beforeAll` rather than skip; `reason` names what is missing (for the suite's title).
 */
export const postgresAndRedis = {
  configured: Boolean(TEST_DATABASE_URL && TEST_REDIS_URL),
  enabled: Boolean(TEST_DATABASE_URL && TEST_REDIS_URL) || Boolean(process.env.CI),
  reason: [TEST_DATABASE_URL ? null : postgresReason, TEST_REDIS_URL ? null : redisReason]
    .filter(Boolean)
    .join('; '),
};

/**
 * Creates a fresh database on the test server and returns its URL and a drop function. Empty
 * unless `migrated`: then a copy of a template database with every hub migration applied by
 * `migrate()` and nothing else (no phone hash key, no row), as a PGlite hub's data dir is
 * (pglite-template.ts): a hub on it finds every migration done, as on a restart.
 */
export async function freshPostgresDatabase({
  migrated = false,
}: { migrated?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const base = new URL(TEST_DATABASE_URL!);
  const template = migrated ? await migratedPostgresTemplate() : null;
  const admin = await connectAdmin();
  const name = `sg_test_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A client of the test server's own database (TEST_DATABASE_URL), connected. */
async function connectAdmin(): Promise<pg.Client> {
  const base = new URL(TEST_DATABASE_URL!);
  const admin = new pg.Client({ connectionString: base.toString() });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${base.host} cannot be reached (TEST_DATABASE_URL): ${String(error)}`,
      { cause: error },
    );
  }
  return admin;
}

let madeTemplate: Promise<string> | null = null;

/**
 * The migrated template database on the test server, made once per server: its name carries a
 * hash of the migrations (adding or changing one makes a new template). Migrated in a scratch
 * database and then renamed into place, so a test never copies a half-migrated one and two test
 * processes making it at once both end up with a whole one. Nothing connects to the template once
 * it is in place (PostgreSQL copies a template only while no session is connected to it).
 */
function migratedPostgresTemplate(): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(migrations)).digest('hex').slice(0, 16);
  const name = `sg_template_migrated_${hash}`;
  madeTemplate ??= (async () => {
    const admin = await connectAdmin();
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rows.length > 0) return name;
      const scratch = `sg_template_scratch_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
      await admin.query(`create database ${scratch}`);
      try {
        const url = new URL(TEST_DATABASE_URL!);
        url.pathname = `/${scratch}`;
        const db = await openPostgres(url.toString(), { poolMax: 1 });
        try {
          await migrate(db);
        } finally {
          await db.close();
        }
        await admin.query(`alter database ${scratch} rename to ${name}`);
      } catch (error) {
        await admin.query(`drop database if exists ${scratch} with (force)`);
        // Another test process renamed its template into place first: use that one.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
      return name;
    } finally {
      await admin.end();
    }
  })().catch((error: unknown) => {
    madeTemplate = null;
    throw error;
  });
  return madeTemplate;
}

/**
 * Makes the migrated template database if the test server has not got it yet (a `globalSetup`
 * of the projects whose hubs run on PostgreSQL, pglite-template-setup.ts); nothing without
 * TEST_DATABASE_URL.
 */
export async function makePostgresTemplate(): Promise<void> {
  if (!TEST_DATABASE_URL) return;
  const current = await migratedPostgresTemplate();
  await dropStaleTestDatabases(current);
}

/** Test databases older than this are left-overs (a run killed before its `drop`): dropped. */
const STALE_TEST_DATABASE_MS = 24 * 60 * 60_000;

/**
 * Drops what earlier runs left on the test server a day ago or more: templates of other
 * migrations (each migration change makes a new one), scratch templates, and test databases whose
 * run was killed before dropping them. Never one in use (a plain `drop` refuses while a session is
 * connected), nor one made in the last day (another checkout's run may still copy it). A server
 * that does not let this user read a database's age (`pg_stat_file`) is left as it is.
 */
async function dropStaleTestDatabases(keep: string): Promise<void> {
  const admin = await connectAdmin();
  try {
    const stale = await admin
      .query<{ datname: string }>(
        `select datname from pg_database
          where (datname like 'sg\\_template\\_%' or datname like 'sg\\_test\\_%')
            and datname <> $1
            and (pg_stat_file('base/' || oid || '/PG_VERSION')).modification
                < now() - $2 * interval '1 millisecond'`,
        [keep, STALE_TEST_DATABASE_MS],
      )
      .catch(() => ({ rows: [] }));
    for (const { datname } of stale.rows)
      await admin.query(`drop database if exists "${datname}"`).catch(() => undefined);
  } finally {
    await admin.end();
  }
}

export async function assertRedisReachable(): Promise<void> {
  const client = new Redis(TEST_REDIS_URL!, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(`Redis cannot be reached (TEST_REDIS_URL): ${String(error)}`, { cause: error });
  } finally {
    client.disconnect();
  }
}

/** A connected client of TEST_REDIS_URL for a test's own reads (fails loudly if unreachable). */
export async function connectTestRedis(): Promise<Redis> {
  await assertRedisReachable();
  const client = new Redis(TEST_REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  return client;
}

/**
 * A fresh database on the test server opened as the hub opens PostgreSQL (not migrated); `drop`
 * closes the pool and drops the database.
 */
export async function openFreshPostgres(
  options?: PostgresOptions,
): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const database = await freshPostgresDatabase();
  const db = await openPostgres(database.url, options);
  return {
    db,
    url: database.url,
    drop: async () => {
      await db.close();
      await database.drop();
    },
  };
}
