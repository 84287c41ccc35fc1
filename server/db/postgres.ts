import type pg from 'pg';
import {
  DatabaseUnavailableError,
  isConnectionError,
  pingWithin,
  type Db,
  type Queryable,
  type Row,
} from './database';

let loadedPg: Promise<typeof pg> | null = null;

/**
 * `pg`, loaded when a hub (or tool) first opens PostgreSQL: a hub on PGlite never loads it (the
 * bundle keeps dependencies external, so a static import loaded it at every start, ≈ 85 ms of
 * CPU). Shared with terminal-revocations.ts.
 */
export function loadPg(): Promise<typeof pg> {
  loadedPg ??= import('pg').then(({ default: loaded }) => {
    // int8 → string (never a lossy JS number); we cast counts to ::int in SQL where numbers are
    // wanted.
    loaded.types.setTypeParser(loaded.types.builtins.INT8, (v) => v);
    return loaded;
  });
  return loadedPg;
}

export type PostgresOptions = {
  /** opening a connection, or waiting for a free one in the pool (default 5 s) */
  connectTimeoutMs?: number;
  /**
   * server-side statement_timeout; the client gives up 2 s later. The hub always sets it
   * (HUB_DB_STATEMENT_TIMEOUT_MS, 15 s); offline tools (hub:seed, hub:admin) leave it unset, so a
   * long seed statement is not cut off.
   */
  statementTimeoutMs?: number;
  /** connections kept open at most (HUB_DB_POOL_MAX; default 10) */
  poolMax?: number;
  /** log sink for connection errors the pool survives (default: none) */
  onError?: (error: Error) => void;
  /**
   * Prepare statements the hub runs again and again (HUB_DB_PREPARE; default on): PostgreSQL then
   * parses and plans each once per connection instead of on every call. Off for a pooler that
   * cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
   */
  prepare?: boolean;
};

/** Distinct statement texts named for preparing, at most (the rest run unnamed). */
export const MAX_PREPARED_STATEMENTS = 300;

/**
 * Names for statement texts seen more than once (`pg` prepares a named statement once per
 * connection, then only binds and executes it). The first call of a text runs unnamed: one-off
 * statements (migrations, admin tools) never fill the connections' statement caches. Texts are
 * the hub's own SQL with parameters, so the set is small and fixed; the cap bounds it anyway.
 */
export function statementNamer(max = MAX_PREPARED_STATEMENTS): (sql: string) => string | undefined {
  const seen = new Map<string, string | null>();
  let named = 0;
  return (sql) => {
    const name = seen.get(sql);
    if (name !== undefined) {
      if (name !== null || named >= max) return name ?? undefined;
      const fresh = `sg${++named}`;
      seen.set(sql, fresh);
      return fresh;
    }
    if (seen.size < max * 4) seen.set(sql, null);
    return undefined;
  };
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** The client-side bound sits above the server's so a live server cancels cleanly first. */
const CLIENT_GRACE_MS = 2_000;

/**
 * A pg pool that survives PostgreSQL going away: a dropped idle or checked-out connection is
 * logged and discarded (never an unhandled 'error' event, which would end the process), every
 * wait is bounded, and connection-class failures surface as DatabaseUnavailableError (503).
 * New connections are opened on demand, so the pool heals by itself once PostgreSQL answers.
 *
 * At start the URL is probed once: a hub started while PostgreSQL is down (or with a wrong URL)
 * fails at once with a clear message, and its supervisor restarts it; see server/main.ts.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const statementTimeoutMs = options.statementTimeoutMs;
  const { Pool } = await loadPg();
  const pool = new Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...(statementTimeoutMs === undefined
      ? {}
      : {
          statement_timeout: statementTimeoutMs,
          // A blackholed link never answers: the client abandons the query, the pool drops it.
          query_timeout: statementTimeoutMs + CLIENT_GRACE_MS,
        }),
    idleTimeoutMillis: 10_000,
    keepAlive: true,
  });
  const report = (error: Error) => options.onError?.(error);
  // Idle clients that lose their connection: pg-pool removes them and emits here.
  pool.on('error', report);
  // Checked-out clients have no pool listener; without this one a dropped connection mid-request
  // is an unhandled 'error' event that ends the process. The caller's query fails with the same
  // error (and is answered 503), and an idle client's error is reported above, so nothing to do.
  pool.on('connect', (client) => client.on('error', () => undefined));

  try {
    const probe = await pool.connect();
    probe.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL cannot be reached at ${redactUrl(url)}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }

  const namer = statementNamer();
  // A prepared statement the server no longer honours — a migration on another node changed a
  // result's type (0A000 "cached plan must not change result type"), or a pooler dropped it
  // (26000) — turns preparing off for this process; a statement outside a transaction is run
  // again unnamed at once.
  let preparing = options.prepare !== false;
  const query = async <T extends Row>(
    runner: pg.Pool | pg.PoolClient,
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<T[]> => {
    const name = preparing ? namer(sql) : undefined;
    try {
      const result = name
        ? await runner.query({ name, text: sql, values: params as unknown[] })
        : await runner.query(sql, params as unknown[]);
      return result.rows as T[];
    } catch (error) {
      if (name && isStalePrepared(error)) {
        preparing = false;
        if (runner === pool) return query<T>(runner, sql, params);
      }
      throw unavailableOr(error);
    }
  };
  return {
    kind: 'postgres',
    query: (sql, params) => query(pool, sql, params),
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw unavailableOr(error);
      }
      try {
        await query(client, 'begin');
        const scoped: Queryable = { query: (sql, params) => query(client, sql, params) };
        const result = await fn(scoped);
        await query(client, 'commit');
        client.release();
        return result;
      } catch (error) {
        if (isConnectionError(error)) {
          // The link is gone or stuck: a rollback would wait out another timeout. Destroying the
          // connection makes the server roll the transaction back.
          client.release(error instanceof Error ? error : new Error(String(error)));
        } else {
          const rolledBack = await client.query('rollback').then(
            () => true,
            () => false,
          );
          client.release(rolledBack ? undefined : new Error('rollback failed'));
        }
        throw error;
      }
    },
    ping: () => pingWithin(() => pool.query('select 1')),
    close: () => pool.end(),
  };
}

/** The server refused a prepared statement it had accepted before (see `query` above). */
export function isStalePrepared(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '26000' || (code === '0A000' && /cached plan/.test(String(error)));
}

function unavailableOr(error: unknown): unknown {
  return isConnectionError(error) && !(error instanceof DatabaseUnavailableError)
    ? new DatabaseUnavailableError(error)
    : error;
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
