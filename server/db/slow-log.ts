import type { Db, Queryable, Row } from './database';

/** What the hub logs about a slow statement or transaction: the SQL's head, never its parameters. */
export type SlowEvent = {
  kind: 'statement' | 'transaction';
  ms: number;
  /** the statement (for a transaction: its first statement), whitespace folded, at most 160 chars */
  sql: string;
};

const head = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 160);

/**
 * Wraps a database so every statement and transaction taking at least `thresholdMs` (queueing
 * included: on PGlite a statement waits while another transaction holds the one session; on
 * PostgreSQL for a pooled connection or a lock) is reported — `HUB_SLOW_STATEMENT_MS`, off by
 * default. The SQL text carries `$n` placeholders only, so the report holds no personal data.
 * `now` is the clock (milliseconds; tests pass their own).
 */
export function withSlowLog(
  db: Db,
  thresholdMs: number,
  report: (e: SlowEvent) => void,
  now: () => number = () => performance.now(),
): Db {
  const timed = (q: Queryable): Queryable['query'] =>
    async function query<T extends Row = Row>(sql: string, params?: readonly unknown[]) {
      const started = now();
      try {
        return await q.query<T>(sql, params);
      } finally {
        const ms = now() - started;
        if (ms >= thresholdMs) report({ kind: 'statement', ms: Math.round(ms), sql: head(sql) });
      }
    };
  return {
    kind: db.kind,
    query: timed(db),
    async transaction(fn) {
      const started = now();
      let first: string | null = null;
      try {
        return await db.transaction((tx) => {
          const query = timed(tx);
          return fn({
            query: (sql, params) => {
              first ??= sql;
              return query(sql, params);
            },
          });
        });
      } finally {
        const ms = now() - started;
        if (ms >= thresholdMs)
          report({ kind: 'transaction', ms: Math.round(ms), sql: head(first ?? '(empty)') });
      }
    },
    ping: () => db.ping(),
    close: () => db.close(),
  };
}
