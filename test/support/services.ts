import pg from 'pg';
import { Redis } from 'ioredis';
import type { Db } from '../../server/db/database';
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

/** Creates a fresh database on the test server and returns its URL and a drop function. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
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
  const name = `sg_test_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  await admin.query(`create database ${name}`);
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
