/**
 * The seal worker (issue #17 item 4): deflates and encrypts large values — the customer blocks an
 * initial sync writes, 2,000 of them at 200,000 profiles — off the page's main thread, which only
 * serialises them (seal-in-worker.ts is the main-thread side, and the handler run here). It holds
 * the data keys it was handed (non-extractable `CryptoKey`s cross to a worker by structured clone
 * and stay non-extractable there); nothing else of the terminal's state, and no IndexedDB.
 */
import { sealWorkerHandler, type SealWorkerAnswer, type SealWorkerRequest } from './seal-in-worker';

type WorkerScope = {
  onmessage: ((event: MessageEvent<SealWorkerRequest>) => void) | null;
  postMessage(message: SealWorkerAnswer): void;
};
const scope = globalThis as unknown as WorkerScope;
const handle = sealWorkerHandler();

scope.onmessage = (event) => {
  void handle(event.data).then((answer) => {
    if (answer) scope.postMessage(answer);
  });
};
