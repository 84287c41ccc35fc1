/**
 * The messages between the hub's main thread and the worker thread that owns its embedded
 * database (pglite-thread.ts ↔ pglite-worker.ts), and how errors cross between them.
 *
 * Structured clone (postMessage) keeps rows as they are (Date, Uint8Array, parsed JSON) but drops
 * an error's own fields, and the hub reads those: `code` ('23505', '40P01' for the order retry),
 * `constraint`, `table`… and log-safety's serializer reads `constructor.name`. So errors travel
 * as plain data and are rebuilt as the same classes PGlite throws in-thread.
 */
import { messages, TransactionAbortedError } from '@electric-sql/pglite';

/** What the worker is started with (`workerData`). */
export type WorkerData = { dataDir: string };

export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: readonly unknown[]; tx: number | null }
  /** opens transaction `tx`: its queries are served until `end` */
  | { id: number; op: 'begin'; tx: number }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'failed'; error: WireError }
  | { type: 'result'; id: number; rows: unknown[] }
  | { type: 'error'; id: number; error: WireError };

/** PostgreSQL's error fields as PGlite's DatabaseError carries them (ErrorResponse fields). */
const DATABASE_ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;

export type WireError = {
  kind: 'database' | 'aborted' | 'error';
  /** `name` of the original: PGlite's DatabaseError is named after its message type, 'error' */
  name: string;
  /** the built-in class for kind 'error' (TypeError, RangeError…) */
  className: string;
  message: string;
  stack: string | undefined;
  length: number | undefined;
  fields: Partial<Record<(typeof DATABASE_ERROR_FIELDS)[number], string>>;
};

/** Worker side: anything thrown, as data. */
export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) {
    return {
      kind: 'error',
      name: 'Error',
      className: 'Error',
      message: String(error),
      stack: undefined,
      length: undefined,
      fields: {},
    };
  }
  const source = error as Error & Record<string, unknown>;
  const fields: WireError['fields'] = {};
  for (const field of DATABASE_ERROR_FIELDS) {
    const value = source[field];
    if (typeof value === 'string') fields[field] = value;
  }
  return {
    kind:
      error instanceof TransactionAbortedError
        ? 'aborted'
        : error instanceof messages.DatabaseError
          ? 'database'
          : 'error',
    name: error.name,
    className: error.constructor.name,
    message: error.message,
    stack: error.stack,
    length: typeof source.length === 'number' ? source.length : undefined,
    fields,
  };
}

const BUILT_IN: Record<string, new (message: string) => Error> = {
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
};

/**
 * Main side: the error as PGlite would have thrown it in-thread, with the statement and its
 * parameters attached like PGlite does (`query`, `params`; log-safety keeps both out of logs).
 */
export function fromWireError(
  wire: WireError,
  statement?: { sql: string; params: readonly unknown[] },
): Error {
  let error: Error;
  if (wire.kind === 'aborted') error = new TransactionAbortedError();
  else if (wire.kind === 'database')
    error = new messages.DatabaseError(wire.message, wire.length ?? 0, 'error');
  else error = new (BUILT_IN[wire.className] ?? Error)(wire.message);
  error.name = wire.name;
  Object.assign(error, wire.fields);
  // The worker's stack is where PGlite failed, as in-thread; kept for the rare log that shows it.
  if (wire.stack !== undefined) error.stack = wire.stack;
  if (wire.kind === 'aborted') Object.assign(error, { query: 'COMMIT', params: undefined });
  else if (statement && wire.kind === 'database')
    Object.assign(error, { query: statement.sql, params: statement.params });
  return error;
}
