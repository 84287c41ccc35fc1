import { makePgliteTemplates } from './pglite-template';

/**
 * vitest `globalSetup` of the test projects that open PGlite (in the test process, or in the hubs
 * they start): the PGlite data dir templates (pglite-template.ts) made once, before any worker
 * starts, on a machine that has not got them yet; nothing to do on one that has.
 */
export default async function setup(): Promise<void> {
  await makePgliteTemplates();
}
