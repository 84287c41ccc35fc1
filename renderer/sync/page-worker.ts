/**
 * The customer page worker (issue #17 item 4): fetches, validates, packs and seals the customer
 * feed's pages off the page's main thread. What it does is `pageWorkerHandler` (page-prep.ts);
 * the page's side is page-prep-client.ts.
 */
// First: tells zod there is no eval here (shared/web/no-eval.ts).
import '../../shared/web/no-eval';
import { pageWorkerHandler, type PageWorkerAnswer, type PageWorkerRequest } from './page-prep';

type WorkerScope = {
  onmessage: ((event: MessageEvent<PageWorkerRequest>) => void) | null;
  postMessage(message: PageWorkerAnswer): void;
};
const scope = globalThis as unknown as WorkerScope;
const handle = pageWorkerHandler();

scope.onmessage = (event) => {
  void handle(event.data).then((answer) => {
    if (answer) scope.postMessage(answer);
  });
};
