import { makePgliteTemplates } from './pglite-template';
import { makePostgresTemplate } from './services';

/**
 * vitest `globalSetup` of the test projects that open databases (in the test process, or in the
 * hubs they start): the PGlite data dir templates (pglite-template.ts) and, with
 * TEST_DATABASE_URL, the migrated PostgreSQL template database (services.ts), made once before
 * any worker starts where they are missing; nothing to do where they are there.
 */
export default async function setup(): Promise<void> {
  await Promise.all([makePgliteTemplates(), makePostgresTemplate()]);
}
