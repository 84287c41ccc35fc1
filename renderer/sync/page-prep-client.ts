import type { ProfileEdit } from '../../shared/protocol';
import { err, ok } from '../../shared/result';
import type {
  CachedCustomer,
  CustomerKeyRow,
  IdPlan,
  Keyring,
  SealedUpsert,
  StoredBlock,
} from '../data/held-pages';
import type { SecretStore } from '../data/secret-store';
import type { HubResult, PulledCustomerPage } from './hub-client';
import type { PageWorkerAnswer, PageWorkerRequest, PulledPage } from './page-prep';

/** Anything that takes messages like a Web Worker (tests hand in an in-process stand-in). */
export type PageWorkerPort = {
  postMessage(message: PageWorkerRequest): void;
  onmessage: ((event: MessageEvent<PageWorkerAnswer>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
  terminate(): void;
};

/** The page worker failed or lost the page: the caller writes the page another way, or fails. */
export class PageWorkerError extends Error {
  constructor(reason: string) {
    super(`the customer page worker could not answer (${reason})`);
    this.name = 'PageWorkerError';
  }
}

/**
 * Pulls a customer page through the page worker; null when there is no worker (it could not start,
 * or it failed): the caller then pulls the page on its own thread.
 */
export type PullCustomerPages = (
  after: string,
  limit: number,
  withTotal: boolean,
) => Promise<HubResult<PulledCustomerPage> | null>;

type Waiting = { resolve(answer: PageWorkerAnswer | null): void };

/**
 * The page's side of the customer page worker (page-worker.ts, page-prep.ts): pulls come back as
 * `PulledCustomerPage`s whose profiles stay in the worker until the page asks for them sealed
 * (`seal`) or whole (`rows`). The worker is started at the first pull and handed the keyring.
 * If it cannot start or fails, waiting pulls (and every later one) answer null — the engine pulls
 * on its own thread then, as before the worker — and calls on pages it held reject with
 * `PageWorkerError`, which fails that sync run (it is retried; nothing half-written).
 */
export function customerPagesInWorker(options: {
  createWorker: () => PageWorkerPort;
  keyring: Promise<Keyring>;
  baseUrl: string;
  secrets: SecretStore;
  timeoutMs: number;
  /** workers to pull in, each page to the next in turn (default 1); a page stays with its worker */
  workers?: number;
}): PullCustomerPages {
  const size = Math.max(1, options.workers ?? 1);
  let pool: PageWorkerPort[] | null = null;
  let broken = false;
  let nextId = 1;
  let pulls = 0;
  const waiting = new Map<number, Waiting>();

  const giveUp = () => {
    broken = true;
    for (const worker of pool ?? []) worker.terminate();
    pool = null;
    const pending = [...waiting.values()];
    waiting.clear();
    for (const call of pending) call.resolve(null);
  };

  const startOne = (ring: Keyring): PageWorkerPort => {
    const worker = options.createWorker();
    worker.onmessage = (event) => {
      const call = waiting.get(event.data.id);
      waiting.delete(event.data.id);
      call?.resolve(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      giveUp();
    };
    worker.onmessageerror = giveUp;
    worker.postMessage({ kind: 'keys', ring });
    return worker;
  };

  const start = (ring: Keyring): PageWorkerPort[] | null => {
    if (pool || broken) return pool;
    const started: PageWorkerPort[] = [];
    try {
      for (let i = 0; i < size; i++) started.push(startOne(ring));
    } catch {
      pool = started;
      giveUp();
      return null;
    }
    return (pool = started);
  };

  /** Sends a request to `worker` and waits for its answer (null: the workers are gone). */
  const ask = (
    worker: PageWorkerPort,
    make: (id: number) => PageWorkerRequest,
  ): Promise<PageWorkerAnswer | null> => {
    if (!pool) return Promise.resolve(null);
    return new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, { resolve });
      worker.postMessage(make(id));
    });
  };

  /** A call on a held page: its answer of the expected kind, or a `PageWorkerError`. */
  const onPage = async <K extends 'keys' | 'sealed' | 'rows'>(
    worker: PageWorkerPort,
    key: K,
    make: (id: number) => PageWorkerRequest,
  ): Promise<Extract<PageWorkerAnswer, Record<K, unknown>>[K]> => {
    const answer = await ask(worker, make);
    if (!answer) throw new PageWorkerError('the worker stopped');
    if ('error' in answer) throw new PageWorkerError(answer.error);
    if (!(key in answer)) throw new PageWorkerError('an unexpected answer');
    return (answer as Extract<PageWorkerAnswer, Record<K, unknown>>)[key];
  };

  const asPage = (worker: PageWorkerPort, pulled: PulledPage): PulledCustomerPage => {
    const { page, ...rest } = pulled;
    let released = false;
    return {
      ...rest,
      rows: {
        withEdits: (edits: ProfileEdit[]): Promise<CustomerKeyRow[]> =>
          onPage(worker, 'keys', (id) => ({ kind: 'edits', id, page, edits })),
        seal: (plan: IdPlan, touched: StoredBlock[]): Promise<SealedUpsert> =>
          onPage(worker, 'sealed', (id) => ({ kind: 'seal', id, page, plan, touched })),
        rows: (): Promise<CachedCustomer[]> =>
          onPage(worker, 'rows', (id) => ({ kind: 'rows', id, page })),
        release: () => {
          if (released || !pool) return;
          released = true;
          worker.postMessage({ kind: 'release', page });
        },
      },
    };
  };

  return async (after, limit, withTotal) => {
    if (broken) return null;
    const token = await options.secrets.getToken();
    if (!token) return err({ code: 'unauthorized', message: 'no terminal credential' });
    let ring: Keyring;
    try {
      ring = await options.keyring;
    } catch {
      return null;
    }
    const started = start(ring);
    if (!started) return null;
    const worker = started[pulls++ % started.length]!;
    const answer = await ask(worker, (id) => ({
      kind: 'pull',
      id,
      baseUrl: options.baseUrl,
      token,
      after,
      limit,
      withTotal,
      timeoutMs: options.timeoutMs,
    }));
    if (!answer) return null;
    if ('hubError' in answer) return err(answer.hubError);
    if ('pulled' in answer) return ok(asPage(worker, answer.pulled));
    // The worker failed on this page (a name only): pull it on the page's thread instead.
    return null;
  };
}
