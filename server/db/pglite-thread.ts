import { Worker } from 'node:worker_threads';
import {
  DatabaseUnavailableError,
  pingWithin,
  type Db,
  type Queryable,
  type Row,
} from './database';
import {
  fromWireError,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
} from './pglite-protocol';

export type PgliteThreadOptions = {
  /** the worker thread stopped (a crash); requests fail with 503 until it is back */
  onCrash?: (error: Error) => void;
  /** the worker thread was restarted after a crash and answers again */
  onRecovered?: () => void;
};

/** The Db, plus what the tests need to stand in for a crash. */
export type PgliteThreadDb = Db & {
  /** Ends the worker thread abruptly, as a crash inside it would. */
  terminateThreadForTest(): Promise<void>;
};

/** Waits between restarts of a crashed worker: 0.5 s, doubling to 30 s while it keeps failing. */
const RESTART_FIRST_MS = 500;
const RESTART_MAX_MS = 30_000;

type Pending = {
  resolve: (rows: unknown[]) => void;
  reject: (error: Error) => void;
  statement?: { sql: string; params: readonly unknown[] };
};

/**
 * The hub's embedded database in a worker thread (pglite-worker.ts), behind the same `Db` as the
 * in-thread one: PGlite's WebAssembly work no longer blocks socket.io and HTTP on the main thread.
 *
 * Results and errors are those of PGlite in-thread (same row values, same error classes and
 * fields; see pglite-protocol.ts). If the thread dies, every request waiting on it fails with
 * DatabaseUnavailableError (503, readiness false), `onCrash` is told, and the thread is started
 * again on the same data directory (PostgreSQL recovers it as after a killed process).
 */
export async function openPgliteThread(
  dataDir: string,
  options: PgliteThreadOptions = {},
): Promise<PgliteThreadDb> {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextTx = 1;
  let worker: Worker | null = null;
  /** why requests fail right now (the thread is down); null while it answers */
  let down: Error | null = null;
  let closing = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let restartDelay = RESTART_FIRST_MS;

  // An idle worker must not keep the process alive (an unclosed in-thread PGlite did not either);
  // a request in flight must (a CLI awaiting its last query would otherwise just exit).
  const refWhileBusy = () => {
    if (pending.size > 0) worker?.ref();
    else worker?.unref();
  };
  const settle = (id: number) => {
    const entry = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) refWhileBusy();
    return entry;
  };
  const failAll = (error: Error) => {
    const waiting = [...pending.values()];
    pending.clear();
    for (const entry of waiting) entry.reject(error);
  };

  const call = (request: WorkerRequest, statement?: Pending['statement']) =>
    new Promise<unknown[]>((resolve, reject) => {
      if (down || !worker) {
        reject(down ?? new DatabaseUnavailableError(new Error('embedded database is closed')));
        return;
      }
      pending.set(request.id, { resolve, reject, statement });
      if (pending.size === 1) refWhileBusy();
      try {
        worker.postMessage(request);
      } catch (error) {
        // Parameters that cannot be cloned (a function, a class instance with private state).
        settle(request.id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });

  const onReply = (reply: WorkerReply) => {
    if (reply.type !== 'result' && reply.type !== 'error') return;
    const entry = settle(reply.id);
    if (!entry) return;
    if (reply.type === 'result') entry.resolve(reply.rows);
    else entry.reject(fromWireError(reply.error, entry.statement));
  };

  /** Starts a worker; resolves once PGlite is open in it. */
  const start = () =>
    new Promise<Worker>((resolve, reject) => {
      const thread = spawnWorker({ dataDir });
      let ready = false;
      let lastError: Error | null = null;
      thread.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') {
          ready = true;
          resolve(thread);
        } else if (reply.type === 'failed') {
          reject(fromWireError(reply.error));
          void thread.terminate();
        } else onReply(reply);
      });
      thread.on('error', (error) => (lastError = error));
      thread.on('exit', (code) => {
        if (!ready) {
          reject(lastError ?? new Error(`embedded database thread exited (code ${code})`));
          return;
        }
        if (worker === thread) worker = null;
        if (closing) return;
        crashed(
          new Error(`embedded database thread stopped (exit code ${code})`, {
            cause: lastError ?? undefined,
          }),
        );
      });
    });

  const crashed = (cause: Error) => {
    down = new DatabaseUnavailableError(cause);
    failAll(down);
    options.onCrash?.(down);
    scheduleRestart();
  };

  const scheduleRestart = () => {
    restartTimer = setTimeout(() => {
      start().then(
        (thread) => {
          if (closing) return void thread.terminate();
          worker = thread;
          down = null;
          restartDelay = RESTART_FIRST_MS;
          refWhileBusy();
          options.onRecovered?.();
        },
        (error: unknown) => {
          if (closing) return;
          down = new DatabaseUnavailableError(error);
          options.onCrash?.(down);
          restartDelay = Math.min(restartDelay * 2, RESTART_MAX_MS);
          scheduleRestart();
        },
      );
    }, restartDelay);
    restartTimer.unref();
  };

  worker = await start();
  refWhileBusy();

  const query = async <T extends Row>(
    sql: string,
    params: readonly unknown[] = [],
    tx: number | null = null,
  ): Promise<T[]> =>
    (await call({ id: nextId++, op: 'query', sql, params, tx }, { sql, params })) as T[];

  return {
    kind: 'pglite',
    query: (sql, params) => query(sql, params),
    async transaction(fn) {
      const tx = nextTx++;
      await call({ id: nextId++, op: 'begin', tx });
      const scoped: Queryable = { query: (sql, params) => query(sql, params, tx) };
      let result;
      try {
        result = await fn(scoped);
      } catch (error) {
        // Like PGlite's own transaction(): roll back, then rethrow what `fn` threw.
        await call({ id: nextId++, op: 'end', tx, commit: false }).catch(() => undefined);
        throw error;
      }
      await call({ id: nextId++, op: 'end', tx, commit: true });
      return result;
    },
    ping: () => pingWithin(() => query('select 1')),
    async close() {
      if (closing) return;
      closing = true;
      clearTimeout(restartTimer);
      const thread = worker;
      if (!thread) return;
      try {
        await call({ id: nextId++, op: 'close' });
      } finally {
        worker = null;
        failAll(new DatabaseUnavailableError(new Error('embedded database is closed')));
        await thread.terminate();
      }
    },
    async terminateThreadForTest() {
      await worker?.terminate();
    },
  };
}

/**
 * The worker entry sits next to this file: `pglite-worker.ts` in the source tree, started through
 * `pglite-worker-tsx.mjs` (tsx, vitest), and `pglite-worker.js` beside the bundle that
 * `npm run build` writes (scripts/build-hub.mjs).
 */
function spawnWorker(data: WorkerData): Worker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(source ? './pglite-worker-tsx.mjs' : './pglite-worker.js', import.meta.url);
  // The thread needs none of the process's flags (tsx's are not applied to a worker anyway).
  return new Worker(entry, { workerData: data, execArgv: [] });
}
