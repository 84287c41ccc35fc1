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
  /** Readiness: true when a trivial query answers within a short time (for `/readyz`). */
  ping(): Promise<boolean>;
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

/** How long a readiness ping may take before the database counts as unavailable. */
export const PING_TIMEOUT_MS = 2_000;

/** Runs `probe`; true if it answers within PING_TIMEOUT_MS, false if it fails or takes longer. */
export async function pingWithin(probe: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([probe().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
