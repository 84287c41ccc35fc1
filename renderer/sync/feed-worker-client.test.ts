import { describe, expect, it } from 'vitest';
import { ok } from '../../shared/result';
import { memorySecretStore } from '../data/secret-store';
import type { FeedWorkerAnswer, FeedWorkerRequest, FeedWorkerResult } from './feed-worker-client';
import { customerFeedInWorker } from './feed-worker-client';

const page = (cursor: string) =>
  ok({ items: [], rejects: [], cursor, hasMore: false, feed: 'chain' }) as FeedWorkerResult;

/** A stand-in Worker: `answer` decides what it posts back for a request (or fails it). */
function fakeWorker(answer: (request: FeedWorkerRequest) => FeedWorkerResult | 'fail') {
  const seen: FeedWorkerRequest[] = [];
  const worker = {
    onmessage: null as ((event: MessageEvent<FeedWorkerAnswer>) => void) | null,
    onerror: null as ((event: ErrorEvent) => void) | null,
    onmessageerror: null as (() => void) | null,
    terminated: false,
    postMessage(request: FeedWorkerRequest) {
      seen.push(request);
      const result = answer(request);
      queueMicrotask(() => {
        if (result === 'fail')
          worker.onerror?.({ preventDefault: () => undefined } as unknown as ErrorEvent);
        else
          worker.onmessage?.({
            data: { id: request.id, json: JSON.stringify(result) },
          } as MessageEvent<FeedWorkerAnswer>);
      });
    },
    terminate() {
      worker.terminated = true;
    },
  };
  return { worker, seen };
}

const secrets = () => memorySecretStore({ token: 'token-1', phoneHashKey: 'k' });

describe('customerFeedInWorker', () => {
  it('asks the worker for the page with the current token and hands its answer over', async () => {
    const { worker, seen } = fakeWorker((r) => page(`${Number(r.after) + 10}`));
    const fallbackCalls: string[] = [];
    const pull = customerFeedInWorker({
      createWorker: () => worker as unknown as Worker,
      baseUrl: 'http://hub',
      secrets: secrets(),
      timeoutMs: 5000,
      fallback: async (after) => (fallbackCalls.push(after), page('x')),
    });
    const [a, b] = await Promise.all([pull('0', 10, true), pull('10', 10, false)]);
    expect(a).toEqual(page('10'));
    expect(b).toEqual(page('20'));
    expect(seen.map((r) => [r.after, r.limit, r.withTotal, r.token, r.baseUrl])).toEqual([
      ['0', 10, true, 'token-1', 'http://hub'],
      ['10', 10, false, 'token-1', 'http://hub'],
    ]);
    expect(fallbackCalls).toEqual([]);
  });

  it('falls back to the main thread for good when the worker fails, losing no call', async () => {
    const { worker } = fakeWorker(() => 'fail');
    const fallbackCalls: string[] = [];
    const pull = customerFeedInWorker({
      createWorker: () => worker as unknown as Worker,
      baseUrl: 'http://hub',
      secrets: secrets(),
      timeoutMs: 5000,
      fallback: async (after) => (fallbackCalls.push(after), page(`main-${after}`)),
    });
    expect(await pull('0', 10, true)).toEqual(page('main-0'));
    expect(worker.terminated).toBe(true);
    expect(await pull('5', 10, false)).toEqual(page('main-5'));
    expect(fallbackCalls).toEqual(['0', '5']);
  });

  it('falls back when no worker can be started', async () => {
    const pull = customerFeedInWorker({
      createWorker: () => {
        throw new Error('no module workers here');
      },
      baseUrl: 'http://hub',
      secrets: secrets(),
      timeoutMs: 5000,
      fallback: async () => page('main'),
    });
    expect(await pull('0', 10)).toEqual(page('main'));
  });

  it('answers unauthorized without a token, as the hub client does', async () => {
    const pull = customerFeedInWorker({
      createWorker: () => fakeWorker(() => page('1')).worker as unknown as Worker,
      baseUrl: 'http://hub',
      secrets: memorySecretStore({ token: null, phoneHashKey: 'k' }),
      timeoutMs: 5000,
      fallback: async () => page('main'),
    });
    const answer = await pull('0', 10);
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.error.code).toBe('unauthorized');
  });
});
