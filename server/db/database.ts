/**
 * One small interface over the two databases the hub runs on: embedded PostgreSQL (PGlite) and a
 * real PostgreSQL (pg). SQL is written once; results come back as plain row objects.
 *
 * Conventions that keep both drivers identical: bigint columns are selected as `::text` (or
 * `::int` for small counts), JSON parameters are passed as strings with `$n::jsonb`, instants as
 * ISO strings with `$n::timestamptz`.
 */
import { ADVISORY_LOCKS } from './advisory-locks';

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

export type DbConfig = {
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL only: how long opening a connection (or waiting for a free one) may take */
  connectTimeoutMs?: number;
  /** PostgreSQL only: the longest a statement may run (server-side, and a client-side bound) */
  statementTimeoutMs?: number;
  /** PostgreSQL only: connections kept open at most */
  poolMax?: number;
  /** PostgreSQL only: prepare statements run repeatedly (default on) */
  prepare?: boolean;
  /** PostgreSQL only: where connection errors the pool survives are reported */
  onError?: (error: Error) => void;
  /**
   * PGlite only: `worker` (default) runs it in a worker thread so its WebAssembly work does not
   * hold up the event loop (pglite-thread.ts); `main` runs it in this thread (pglite.ts)
   */
  pgliteThread?: 'worker' | 'main';
  /** PGlite in a worker only: the thread stopped; requests get 503 until it is restarted */
  onCrash?: (error: Error) => void;
  /** PGlite in a worker only: the thread was restarted after a crash */
  onRecovered?: () => void;
};

export async function openDatabase(config: DbConfig): Promise<Db> {
  if (config.databaseUrl) {
    const { openPostgres } = await import('./postgres');
    return openPostgres(config.databaseUrl, {
      connectTimeoutMs: config.connectTimeoutMs,
      statementTimeoutMs: config.statementTimeoutMs,
      poolMax: config.poolMax,
      prepare: config.prepare,
      onError: config.onError,
    });
  }
  if (config.pgliteThread === 'main') {
    const { openPglite } = await import('./pglite');
    return openPglite(config.dataDir);
  }
  const { openPgliteThread } = await import('./pglite-thread');
  return openPgliteThread(config.dataDir, {
    onCrash: config.onCrash,
    onRecovered: config.onRecovered,
  });
}

/**
 * Every row terminals cache gets its `seq` from the one `change_seq` sequence. Writers take this
 * transaction-scoped lock before drawing numbers, so sequence order equals commit order and a
 * reader paging by cursor can never skip a row that commits late.
 */
export const CHANGE_FEED_LOCK = ADVISORY_LOCKS.changeFeed;
export async function lockChangeFeed(tx: Queryable): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1)', [CHANGE_FEED_LOCK]);
}

/** Per database handle: the end of the queue of transactions waiting for the change-feed lock. */
const feedQueues = new WeakMap<Db, Promise<void>>();

/**
 * Runs `fn` in a transaction that holds the change-feed lock from its start. The lock lets one
 * transaction at a time through chain-wide, so on one node they wait for it here, in order,
 * without a connection: waiting inside PostgreSQL each held a pooled connection, and at a chain's
 * order rate the pool filled with waiters while presence and reads queued behind them (bench:chain,
 * docs/scaling.md). Each node keeps at most one connection on the lock. Never call it from inside
 * another change-feed transaction (it would wait for itself — as the lock would, on a second
 * connection). A transaction with much work before its first number: `feedLockedTail`.
 */
export function changeFeedTransaction<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const before = feedQueues.get(db) ?? Promise.resolve();
  const run = before.then(() =>
    db.transaction(async (tx) => {
      await lockChangeFeed(tx);
      return fn(tx);
    }),
  );
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  feedQueues.set(db, settled);
  return run;
}

/** Per database handle: transactions `feedLockedTail` has begun and those waiting for a slot. */
const tailSlots = new WeakMap<Db, { busy: number; waiting: (() => void)[] }>();

/**
 * How many `feedLockedTail` transactions one node runs at once. Each holds a pooled connection
 * from its first statement to its commit; the rest wait for a slot without one.
 */
export const FEED_TAIL_SLOTS = 3;

async function takeTailSlot(db: Db): Promise<() => void> {
  let slots = tailSlots.get(db);
  if (!slots) {
    slots = { busy: 0, waiting: [] };
    tailSlots.set(db, slots);
  }
  const s = slots;
  if (s.busy < FEED_TAIL_SLOTS) s.busy += 1;
  else await new Promise<void>((resolve) => s.waiting.push(resolve));
  return () => {
    const next = s.waiting.shift();
    if (next) next();
    else s.busy -= 1;
  };
}

/**
 * A change-feed transaction that takes the lock late: `fn` runs its pre-phase (reads, and writes
 * that draw no `change_seq` number: no `seq` column, no trigger or default drawing one), then calls
 * `lockFeed()` right before its first statement that draws one, then the rest. The invariant is
 * the feed's: a transaction draws no `change_seq` number before it holds the lock, and holds it
 * from its first draw until its commit — so sequence order is commit order and a reader paging by
 * cursor never skips a row that commits late. Numbers drawn by others while this pre-phase runs
 * commit before this transaction draws any.
 *
 * The wait for the lock happens inside PostgreSQL (`pg_advisory_xact_lock`), never in this
 * process: the pre-phase holds row locks, and a lock holder may wait on one of them (a customer
 * row locked by an insert's foreign key, a binding row…). PostgreSQL sees that cycle, aborts one
 * side as a deadlock victim and `retryOnLockConflict` runs it again; a wait in a JS queue would
 * hide the cycle and hang both. What `changeFeedTransaction`'s queue gives — waiters do not each
 * hold a pooled connection — is kept by bounding instead: at most FEED_TAIL_SLOTS of these
 * transactions per node are open (pre-phase, or waiting for the lock with a connection); the rest
 * wait for a slot, without a connection and holding no lock. `lockFeed` may be called more than
 * once (the first call locks). A pre-phase must not write rows a lock holder reads and then
 * overwrites without a row lock of its own. `fn` may instead leave the lock to its first statement
 * that draws a number, as the orders path does: `order_batch_tail` (migration 027) takes it first
 * thing, so the lock is held for that one statement and the commit.
 */
export async function feedLockedTail<T>(
  db: Db,
  fn: (tx: Queryable, lockFeed: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const release = await takeTailSlot(db);
  try {
    return await db.transaction(async (tx) => {
      let locked = false;
      return fn(tx, async () => {
        if (locked) return;
        await lockChangeFeed(tx);
        locked = true;
      });
    });
  } finally {
    release();
  }
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

/**
 * The database cannot be reached or dropped the connection (PostgreSQL restarted, a proxy cut it,
 * a timeout while it does not answer). Transient by nature: the request is answered 503 with
 * Retry-After and the pool opens fresh connections once PostgreSQL answers again.
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'DatabaseUnavailableError';
  }
}

/** Node socket errors that mean "the other end is not there (any more)". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that describe the server or the link, not the statement: class 08 (connection
 * exception), 57P01–57P05 (admin/crash shutdown, cannot connect now, idle session timeout),
 * 53300 (too many connections), 57014 (statement timeout, i.e. the server is too slow).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57P05', '53300', '57014']);

/** Messages node-postgres gives (without a code) when a connection died or timed out. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Connection closed',
];

/** True for errors that mean the database is (for now) unreachable rather than a bug or bad data. */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error) || depth > 3) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (UNAVAILABLE_MESSAGES.some((m) => error.message.includes(m))) return true;
  // A caller may have wrapped the driver's error.
  return error.cause !== undefined && isConnectionError(error.cause, depth + 1);
}
