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
import { workerPool, type WorkerPool, type WorkerPort } from '../data/worker-pool';

/** Anything that takes messages like a Web Worker (tests hand in an in-process stand-in). */
export type PageWorkerPort = WorkerPort<PageWorkerRequest, PageWorkerAnswer>;

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
  let pool: WorkerPool<PageWorkerRequest, PageWorkerAnswer> | null = null;
  let pulls = 0;
  const ask = (worker: PageWorkerPort, make: (id: number) => PageWorkerRequest) =>
    pool ? pool.ask(worker, make) : Promise.resolve(null);

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
          if (released || !pool?.start()) return;
          released = true;
          worker.postMessage({ kind: 'release', page });
        },
      },
    };
  };

  return async (after, limit, withTotal) => {
    const token = await options.secrets.getToken();
    if (!token) return err({ code: 'unauthorized', message: 'no terminal credential' });
    let ring: Keyring;
    try {
      ring = await options.keyring;
    } catch {
      return null;
    }
    pool ??= workerPool({
      createWorker: options.createWorker,
      size: options.workers ?? 1,
      greeting: { kind: 'keys', ring },
    });
    const started = pool.start();
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
    // The hub's answer as it came; but a page the worker could not fetch at all is fetched on the
    // page's thread (a worker's own network failure must not stop the feed: if the hub is down,
    // the page's thread gets the same error).
    if ('hubError' in answer)
      return answer.hubError.code === 'network' ? null : err(answer.hubError);
    if ('pulled' in answer) return ok(asPage(worker, answer.pulled));
    // The worker failed on this page (a name only): pull it on the page's thread instead.
    return null;
  };
}
