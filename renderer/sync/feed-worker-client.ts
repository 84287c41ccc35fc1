import { err } from '../../shared/result';
import type { SecretStore } from '../data/secret-store';
import type { CustomerFeedPage, HubClient, HubResult } from './hub-client';

/** A customer page asked of the feed worker (feed-worker.ts). */
export type FeedWorkerRequest = {
  id: number;
  baseUrl: string;
  token: string;
  after: string;
  limit: number;
  withTotal: boolean;
  timeoutMs: number;
};

/** A page as the worker checked it, or the error as the hub client would give it. */
export type FeedWorkerResult = HubResult<CustomerFeedPage>;

/**
 * Its answer: the result as JSON text. Handing a 1,000-profile page over as one string and
 * parsing it here costs the main thread a JSON.parse (a few ms); as objects, the structured clone
 * rebuilt every one of them on the main thread, which is what the worker is meant to spare it.
 * The result is plain JSON data (the schemas' defaults are JSON values), so nothing is lost.
 */
export type FeedWorkerAnswer = { id: number; json: string };

type PullCustomers = HubClient['pullCustomers'];

/**
 * `pullCustomers` through a Web Worker that fetches, parses and validates the page (feed-worker.ts):
 * the main thread only receives the checked page, while it seals and writes the one before
 * (the engine already asks for page n + 1 before it writes page n). The answer is the same as the
 * in-thread client's, so the engine's cursor, exactly-once and set-aside rules are untouched.
 *
 * The worker is started at the first call. If it cannot start or fails (a platform without module
 * workers, a CSP that refuses it), the calls waiting on it and every later one go through
 * `fallback`, the in-thread client: slower, never wrong.
 */
export function customerFeedInWorker(options: {
  createWorker: () => Worker;
  baseUrl: string;
  secrets: SecretStore;
  timeoutMs: number;
  fallback: PullCustomers;
}): PullCustomers {
  let worker: Worker | null = null;
  let broken = false;
  let nextId = 1;
  const waiting = new Map<
    number,
    { retry: () => void; resolve: (answer: FeedWorkerResult) => void }
  >();

  const giveUp = () => {
    broken = true;
    worker?.terminate();
    worker = null;
    const pending = [...waiting.values()];
    waiting.clear();
    for (const call of pending) call.retry();
  };

  const start = (): Worker | null => {
    if (worker || broken) return worker;
    try {
      worker = options.createWorker();
    } catch {
      broken = true;
      return null;
    }
    worker.onmessage = (event: MessageEvent<FeedWorkerAnswer>) => {
      const call = waiting.get(event.data.id);
      waiting.delete(event.data.id);
      call?.resolve(JSON.parse(event.data.json) as FeedWorkerResult);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      giveUp();
    };
    worker.onmessageerror = giveUp;
    return worker;
  };

  return async (after, limit, withTotal = true) => {
    const token = await options.secrets.getToken();
    if (!token) return err({ code: 'unauthorized', message: 'no terminal credential' });
    const running = start();
    if (!running) return options.fallback(after, limit, withTotal);
    return new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, {
        resolve,
        retry: () => void options.fallback(after, limit, withTotal).then(resolve),
      });
      const request: FeedWorkerRequest = {
        id,
        baseUrl: options.baseUrl,
        token,
        after,
        limit,
        withTotal,
        timeoutMs: options.timeoutMs,
      };
      running.postMessage(request);
    });
  };
}
