import { describe, it } from 'vitest';
import { removeDataDir, startHub, type HubOptions, type HubProcess } from './hub-process';
import { TEST_DATABASE_URL, freshPostgresDatabase, postgresReason } from './services';

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
