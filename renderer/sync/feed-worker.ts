/**
 * The customer feed's Web Worker (issue #17 item 4): fetches a page, parses its JSON and
 * validates its rows (feed-items.ts) off the page's main thread, and posts the checked page back
 * (as JSON text: see `FeedWorkerAnswer`).
 * At 200,000 profiles that is ≈ 5–7 s of parsing and zod the main thread no longer does while it
 * seals and writes the previous page (docs/benchmarks.md, "Initial sync at chain scale"). The
 * main thread side is feed-worker-client.ts. Only what crosses the wire is done here: the cursor
 * rules and every IndexedDB write stay with the sync engine.
 */
import { createApiClient } from '../../shared/api-client';
import { endpoints } from '../../shared/protocol';
import { err, ok } from '../../shared/result';
import { checkCustomerItems } from './feed-items';
import type { FeedWorkerAnswer, FeedWorkerRequest, FeedWorkerResult } from './feed-worker-client';

type WorkerScope = {
  onmessage: ((event: MessageEvent<FeedWorkerRequest>) => void) | null;
  postMessage(message: FeedWorkerAnswer): void;
};
const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event) => {
  const request = event.data;
  const answer = (result: FeedWorkerResult) =>
    scope.postMessage({ id: request.id, json: JSON.stringify(result) });
  void pull(request).then(answer, (error: unknown) =>
    answer(
      err({
        code: 'network',
        message: error instanceof Error ? error.message : 'feed worker failed',
      }),
    ),
  );
};

async function pull(request: FeedWorkerRequest): Promise<FeedWorkerResult> {
  const api = createApiClient({
    baseUrl: request.baseUrl,
    credentials: { terminal: () => request.token },
    timeoutMs: request.timeoutMs,
  });
  const answer = await api.call(endpoints.syncCustomers, {
    query: { after: request.after, limit: request.limit, withTotal: request.withTotal },
  });
  if (!answer.ok) return answer;
  return ok({ ...answer.value, ...checkCustomerItems(answer.value.items) });
}
