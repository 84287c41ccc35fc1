/** Anything that takes messages like a Web Worker (tests hand in an in-process stand-in). */
export type WorkerPort<Request, Answer> = {
  postMessage(message: Request): void;
  onmessage: ((event: MessageEvent<Answer>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
  terminate(): void;
};

export type WorkerPool<Request, Answer> = {
  /** The started workers (started at the first call), or null: they cannot start or failed. */
  start(): WorkerPort<Request, Answer>[] | null;
  /** Sends what `make` builds for a fresh id and waits for the answer with that id (null: gone). */
  ask(worker: WorkerPort<Request, Answer>, make: (id: number) => Request): Promise<Answer | null>;
};

/**
 * A few Web Workers answering requests by id (the seal worker, the customer page workers). Each is
 * sent `greeting` first (its keys). If one cannot start or fails, all are terminated for good and
 * every call waiting on them, and every later one, gets null: the caller does the work itself.
 */
export function workerPool<Request, Answer extends { id: number }>(options: {
  createWorker: () => WorkerPort<Request, Answer>;
  size: number;
  greeting: Request;
}): WorkerPool<Request, Answer> {
  let pool: WorkerPort<Request, Answer>[] | null = null;
  let broken = false;
  let nextId = 1;
  const waiting = new Map<number, (answer: Answer | null) => void>();

  const giveUp = () => {
    broken = true;
    for (const worker of pool ?? []) worker.terminate();
    pool = null;
    const pending = [...waiting.values()];
    waiting.clear();
    for (const resolve of pending) resolve(null);
  };

  const startOne = (): WorkerPort<Request, Answer> => {
    const worker = options.createWorker();
    worker.onmessage = (event) => {
      const resolve = waiting.get(event.data.id);
      waiting.delete(event.data.id);
      resolve?.(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      giveUp();
    };
    worker.onmessageerror = giveUp;
    worker.postMessage(options.greeting);
    return worker;
  };

  return {
    start() {
      if (pool || broken) return pool;
      const started: WorkerPort<Request, Answer>[] = [];
      try {
        for (let i = 0; i < Math.max(1, options.size); i++) started.push(startOne());
      } catch {
        // No module workers here, or the greeting could not cross (no serialisable CryptoKeys).
        pool = started;
        giveUp();
        return null;
      }
      return (pool = started);
    },
    ask(worker, make) {
      if (!pool) return Promise.resolve(null);
      return new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        worker.postMessage(make(id));
      });
    },
  };
}
