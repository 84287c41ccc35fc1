/**
 * One small interface over the two databases the hub runs on: embedded PostgreSQL (PGlite) and a
 * real PostgreSQL (pg). SQL is written once; results come back as plain row objects.
 *
 * Conventions that keep both drivers identical: bigint columns are selected as `::text` (or
 * `::int` for small counts), JSON parameters are passed as strings with `$n::jsonb`, instants as
 * ISO strings with `$n::timestamptz`.
 */
export type Row = Record<string, unknown>;

export type Queryable = {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
};

export type Db = Queryable & {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction; rolls back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export type DbConfig = { databaseUrl?: string; dataDir: string };

export async function openDatabase(config: DbConfig): Promise<Db> {
  if (config.databaseUrl) {
    const { openPostgres } = await import('./postgres');
    return openPostgres(config.databaseUrl);
  }
  const { openPglite } = await import('./pglite');
  return openPglite(config.dataDir);
}

/**
 * Every row terminals cache gets its `seq` from the one `change_seq` sequence. Writers take this
 * transaction-scoped lock before drawing numbers, so sequence order equals commit order and a
 * reader paging by cursor can never skip a row that commits late.
 */
export const CHANGE_FEED_LOCK = 4600;
export async function lockChangeFeed(tx: Queryable): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1)', [CHANGE_FEED_LOCK]);
}
