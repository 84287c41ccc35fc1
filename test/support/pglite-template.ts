import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db } from '../../server/db/database';
import { migrate, migrations } from '../../server/db/migrate';
import { openPglite } from '../../server/db/pglite';
import { scratchTmpdir } from './scratch-dir';

/**
 * A fresh PGlite data dir for a test hub, copied from a template instead of made by PGlite's
 * initdb. initdb in WebAssembly takes 3–20 s on the 2-core CI machine (the most of a hub start
 * there); copying its result takes a fraction of a second.
 *
 * Two templates, each made once per machine:
 * - `empty`: what initdb would have written: an empty cluster, shut down cleanly, no hub migration
 *   applied — a hub on it migrates it as it would a new data dir (`{ migrated: false }`);
 * - `migrated` (the default): the empty one with every hub migration applied by `migrate()`, and
 *   nothing else (no phone hash key, no row): a hub on it finds every migration done, as on a
 *   restart, and skips 2–3 s of migrating. Its name carries a hash of the migrations, so adding or
 *   changing one makes a new template.
 *
 * Both live in the tests' scratch dir (scratch-dir.ts: in memory where the machine has a tmpfs)
 * under the PGlite version (an upgrade makes new ones), are made in a scratch dir and then renamed
 * into place, so a test process never sees a half-written one and two making one at once both end
 * up with a whole one.
 */
export async function freshPgliteDataDir(
  prefix = 'sg-hub-',
  { migrated = true }: { migrated?: boolean } = {},
): Promise<string> {
  const template = migrated ? await migratedTemplate() : await emptyTemplate();
  const dir = mkdtempSync(join(scratchTmpdir(), prefix));
  cpSync(template, dir, { recursive: true });
  return dir;
}

/**
 * Makes both templates if this machine has not got them yet. The test projects that open PGlite
 * run this as a `globalSetup` (db-templates-setup.ts), once in vitest's main process before any
 * test file starts: otherwise the first file of each worker made them at the same time (8–9
 * CPU-seconds each, initdb and the migrations in WebAssembly), both workers waiting on it.
 */
export async function makePgliteTemplates(): Promise<void> {
  await Promise.all([emptyTemplate(), migratedTemplate()]);
}

let madeEmpty: Promise<string> | null = null;
let madeMigrated: Promise<string> | null = null;

function emptyTemplate(): Promise<string> {
  madeEmpty ??= makeTemplate(`sg-pglite-initdb-${pgliteVersion()}`, async (scratch) => {
    const pg = await PGlite.create(scratch);
    await pg.query('select 1');
    await pg.close();
  }).catch((error: unknown) => {
    madeEmpty = null;
    throw error;
  });
  return madeEmpty;
}

function migratedTemplate(): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(migrations)).digest('hex').slice(0, 16);
  madeMigrated ??= makeTemplate(
    `sg-pglite-migrated-${pgliteVersion()}-${hash}`,
    async (scratch) => {
      rmSync(scratch, { recursive: true, force: true });
      cpSync(await emptyTemplate(), scratch, { recursive: true });
      const db = await openPglite(scratch);
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
    },
  ).catch((error: unknown) => {
    madeMigrated = null;
    throw error;
  });
  return madeMigrated;
}

function pgliteVersion(): string {
  const { version } = JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, '../../node_modules/@electric-sql/pglite/package.json'),
      'utf8',
    ),
  ) as { version: string };
  return version;
}

async function makeTemplate(name: string, fill: (scratch: string) => Promise<void>) {
  const template = join(scratchTmpdir(), name);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const scratch = mkdtempSync(join(scratchTmpdir(), `${name}-scratch-`));
  try {
    await fill(scratch);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  try {
    renameSync(scratch, template);
  } catch (error) {
    // Another test process renamed its template into place first: use that one.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(join(template, 'PG_VERSION'))) throw error;
  }
  return template;
}

/**
 * An in-process PGlite database for a test, on a fresh copy of a template (instead of
 * `openPglite('memory://')`, which runs initdb every time); `close()` also removes the copy.
 * Empty (not migrated) unless `migrated: true`: the migration tests step through the migrations
 * themselves.
 */
export async function openTestPglite({
  migrated = false,
}: { migrated?: boolean } = {}): Promise<Db> {
  const dir = await freshPgliteDataDir('sg-pglite-test-', { migrated });
  const db = await openPglite(dir);
  return {
    ...db,
    async close() {
      try {
        await db.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
