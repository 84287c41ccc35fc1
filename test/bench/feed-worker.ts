/**
 * Web Worker side of `bench:terminal`'s opt-in worker experiment (BENCH_WORKER=1): fetches,
 * parses and validates customer feed pages off the page's main thread with the app's own hub
 * client, and posts the validated page back. Bundled with esbuild.
 */
import { memorySecretStore } from '../../renderer/data/secret-store';
import { createHttpHubClient } from '../../renderer/sync/http-hub-client';

type Init = { kind: 'init'; hubUrl: string; token: string; phoneHashKey: string };
type Pull = { kind: 'pull'; id: number; after: string; limit: number; withTotal?: boolean };

let client: ReturnType<typeof createHttpHubClient> | null = null;

self.onmessage = async (event: MessageEvent<Init | Pull>) => {
  const message = event.data;
  if (message.kind === 'init') {
    client = createHttpHubClient({
      baseUrl: message.hubUrl,
      secrets: memorySecretStore({ token: message.token, phoneHashKey: message.phoneHashKey }),
      timeoutMs: 120_000,
    });
    return;
  }
  if (!client) throw new Error('feed worker used before init');
  const result = await client.pullCustomers(message.after, message.limit, message.withTotal);
  self.postMessage({ id: message.id, result });
};
