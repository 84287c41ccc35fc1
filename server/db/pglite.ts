import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pingWithin, type Db, type Queryable, type Row } from './database';

export async function openPglite(dataDir: string): Promise<Db> {
  if (dataDir !== 'memory://') mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
  const query = async <T extends Row>(
    runner: Pick<PGlite, 'query'>,
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<T[]> => (await runner.query<T>(sql, params as unknown[])).rows;
  return {
    kind: 'pglite',
    query: (sql, params) => query(pg, sql, params),
    transaction: (fn) =>
      pg.transaction((tx) => {
        const scoped: Queryable = { query: (sql, params) => query(tx, sql, params) };
        return fn(scoped);
      }),
    ping: () => pingWithin(() => pg.query('select 1')),
    close: () => pg.close(),
  };
}
