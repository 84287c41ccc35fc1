import pg from 'pg';
import { pingWithin, type Db, type Queryable, type Row } from './database';

// int8 → string (never a lossy JS number); we cast counts to ::int in SQL where numbers are wanted.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export async function openPostgres(url: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // Fail fast on a wrong URL instead of at the first request.
  const probe = await pool.connect();
  probe.release();
  const query = async <T extends Row>(
    runner: pg.Pool | pg.PoolClient,
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<T[]> => (await runner.query(sql, params as unknown[])).rows as T[];
  return {
    kind: 'postgres',
    query: (sql, params) => query(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const scoped: Queryable = { query: (sql, params) => query(client, sql, params) };
        const result = await fn(scoped);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    ping: () => pingWithin(() => pool.query('select 1')),
    close: () => pool.end(),
  };
}
