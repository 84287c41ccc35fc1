/**
 * Worker-thread entry that owns the hub's embedded database (PGlite). PostgreSQL compiled to
 * WebAssembly runs synchronously: in the main thread every statement held up socket.io and HTTP.
 * Here it runs beside them; the main thread talks to it through pglite-thread.ts.
 *
 * Requests are served in arrival order against the one PGlite instance, whose own locks keep its
 * in-thread behaviour: a statement outside a transaction waits while one is open, and an open
 * transaction serves only the statements sent for it until `end` commits or rolls it back.
 */
import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import {
  toWireError,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
} from './pglite-protocol';

if (!parentPort) throw new Error('pglite-worker.ts runs as a worker thread (see pglite-thread.ts)');
const port = parentPort;
const { dataDir } = workerData as WorkerData;
const send = (reply: WorkerReply) => port.postMessage(reply);

/** Thrown inside PGlite's transaction callback to have it roll back; never leaves this file. */
const ROLLBACK = Symbol('rollback');

type OpenTransaction = {
  tx: Transaction | null;
  decide: (commit: boolean) => void;
  /** the `end` request to answer once PGlite committed or rolled back */
  endId: number | null;
};

async function serve(pg: PGlite): Promise<void> {
  const open = new Map<number, OpenTransaction>();
  const fail = (id: number, error: unknown) =>
    send({ type: 'error', id, error: toWireError(error) });

  const query = async (request: Extract<WorkerRequest, { op: 'query' }>) => {
    const runner = request.tx === null ? pg : open.get(request.tx)?.tx;
    if (!runner) throw new Error('Transaction is closed');
    const result = await runner.query(request.sql, request.params as unknown[]);
    send({ type: 'result', id: request.id, rows: result.rows });
  };

  const begin = (request: Extract<WorkerRequest, { op: 'begin' }>) => {
    let decide: (commit: boolean) => void = () => undefined;
    const decided = new Promise<boolean>((resolve) => (decide = resolve));
    const entry: OpenTransaction = { tx: null, decide, endId: null };
    open.set(request.tx, entry);
    let began = false;
    pg.transaction(async (tx) => {
      entry.tx = tx;
      began = true;
      send({ type: 'result', id: request.id, rows: [] });
      if (!(await decided)) throw ROLLBACK;
    }).then(
      () => {
        open.delete(request.tx);
        if (entry.endId !== null) send({ type: 'result', id: entry.endId, rows: [] });
      },
      (error: unknown) => {
        open.delete(request.tx);
        if (!began) fail(request.id, error);
        else if (entry.endId === null) return;
        else if (error === ROLLBACK) send({ type: 'result', id: entry.endId, rows: [] });
        else fail(entry.endId, error);
      },
    );
  };

  port.on('message', (request: WorkerRequest) => {
    switch (request.op) {
      case 'query':
        query(request).catch((error: unknown) => fail(request.id, error));
        return;
      case 'begin':
        begin(request);
        return;
      case 'end': {
        const entry = open.get(request.tx);
        if (!entry) return fail(request.id, new Error('Transaction is closed'));
        entry.endId = request.id;
        entry.decide(request.commit);
        return;
      }
      case 'close':
        pg.close().then(
          () => {
            send({ type: 'result', id: request.id, rows: [] });
            port.close();
          },
          (error: unknown) => fail(request.id, error),
        );
        return;
    }
  });
}

try {
  if (dataDir !== 'memory://') mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
  await serve(pg);
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'failed', error: toWireError(error) });
}
