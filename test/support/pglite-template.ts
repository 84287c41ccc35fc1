import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db } from '../../server/db/database';
import { openPglite } from '../../server/db/pglite';

/**
 * A fresh, empty PGlite data dir for a test hub, copied from a template instead of made by
 * PGlite's initdb. initdb in WebAssembly takes 3–20 s on the 2-core CI machine (the most of a hub
 * start there); copying its result takes a fraction of a second. The copy is what initdb would
 * have written: an empty cluster, shut down cleanly, no hub migration applied — the hub migrates it
 * as it would a new data dir.
 *
 * The template lives in the temp dir under the PGlite version (an upgrade makes a new one) and is
 * made once per machine: in a scratch dir, then renamed into place, so a test process never sees a
 * half-written one and two making it at once both end up with a whole one.
 */
export async function freshPgliteDataDir(prefix = 'sg-hub-'): Promise<string> {
  const template = await pgliteTemplate();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(template, dir, { recursive: true });
  return dir;
}

let made: Promise<string> | null = null;

function pgliteTemplate(): Promise<string> {
  made ??= makeTemplate().catch((error: unknown) => {
    made = null;
    throw error;
  });
  return made;
}

async function makeTemplate(): Promise<string> {
  const { version } = JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, '../../node_modules/@electric-sql/pglite/package.json'),
      'utf8',
    ),
  ) as { version: string };
  const template = join(tmpdir(), `sg-pglite-initdb-${version}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const scratch = mkdtempSync(join(tmpdir(), 'sg-pglite-initdb-scratch-'));
  const pg = await PGlite.create(scratch);
  await pg.query('select 1');
  await pg.close();
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
 * An in-process PGlite database for a test, on a fresh copy of the template (instead of
 * `openPglite('memory://')`, which runs initdb every time); `close()` also removes the copy.
 */
export async function openTestPglite(): Promise<Db> {
  const dir = await freshPgliteDataDir('sg-pglite-test-');
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
