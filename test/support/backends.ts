import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Db } from '../../server/db/database';
import { removeDataDir, startHub, type HubOptions, type HubProcess } from './hub-process';
import { openTestPglite } from './pglite-template';
import {
  TEST_DATABASE_URL,
  freshPostgresDatabase,
  openFreshPostgres,
  postgresReason,
} from './services';

export type Backend = {
  kind: 'pglite' | 'postgres';
  /** Starts a hub on a fresh database (or on `options.dataDir` / `options.databaseUrl` to reuse one). */
  startHub(options?: HubOptions): Promise<HubProcess>;
  /** Stops every hub this backend started and removes their databases. */
  cleanup(): Promise<void>;
};

function makeBackend(kind: Backend['kind']): Backend {
  const hubs: HubProcess[] = [];
  const drops: (() => Promise<void>)[] = [];
  return {
    kind,
    async startHub(options = {}) {
      let opts = options;
      if (kind === 'postgres' && !options.databaseUrl) {
        // migrated unless `migrated: false`, as a fresh PGlite data dir (hub-process.ts)
        const database = await freshPostgresDatabase({ migrated: options.migrated ?? true });
        drops.push(database.drop);
        opts = { ...options, databaseUrl: database.url };
      }
      const hub = await startHub(opts);
      hubs.push(hub);
      return hub;
    },
    async cleanup() {
      for (const hub of hubs.splice(0)) {
        await hub.kill();
        removeDataDir(hub);
      }
      for (const drop of drops.splice(0)) await drop();
    },
  };
}

/**
 * A suite that needs PostgreSQL: run when TEST_DATABASE_URL is set (CI sets it); otherwise
 * reported as skipped with the reason in its name, except under CI, where it fails.
 */
export function describeOnPostgres(title: string, body: () => void): void {
  if (!TEST_DATABASE_URL && process.env.CI) {
    // In CI the PostgreSQL run is required: a missing variable fails loudly instead of skipping.
    describe(`${title} (on PostgreSQL)`, () => {
      it('needs TEST_DATABASE_URL in CI', () => {
        throw new Error(
          'TEST_DATABASE_URL is not set: CI must run the PostgreSQL suites (see .ci/run)',
        );
      });
    });
    return;
  }
  describe.skipIf(!TEST_DATABASE_URL)(`${title} (${postgresReason})`, body);
}

/**
 * Runs a suite against the hub on PGlite, and again on PostgreSQL (see `describeOnPostgres`).
 */
export function describeOnBackends(title: string, body: (backend: Backend) => void): void {
  describe(`${title} (PGlite)`, () => body(makeBackend('pglite')));
  describeOnPostgres(title, () => body(makeBackend('postgres')));
}

/**
 * Runs a suite in this process against a migrated PGlite, and again against a fresh PostgreSQL
 * database (see `describeOnPostgres`): `setUp` makes the suite's world on the opened database
 * before its first test, and the database is closed (and dropped) after its last. `body` gets the
 * world as an object filled in by then: read it inside tests and hooks, not while declaring them.
 */
export function describeOnDatabases<W extends object>(
  title: string,
  setUp: (db: Db) => Promise<W>,
  body: (world: W) => void,
): void {
  const suite = (open: () => Promise<{ db: Db; drop(): Promise<void> }>) => () => {
    const world = {} as W;
    let drop: (() => Promise<void>) | null = null;
    beforeAll(async () => {
      const opened = await open();
      drop = opened.drop;
      Object.assign(world, await setUp(opened.db));
    });
    afterAll(async () => {
      await drop?.();
    });
    body(world);
  };
  describe(
    `${title} (PGlite)`,
    suite(async () => {
      const db = await openTestPglite({ migrated: true });
      return { db, drop: () => db.close() };
    }),
  );
  describeOnPostgres(
    title,
    suite(() => openFreshPostgres()),
  );
}
