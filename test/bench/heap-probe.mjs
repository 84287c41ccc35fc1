// Preloaded into bench:chain's hubs (NODE_OPTIONS=--import …, see chain-bench.ts): what the hub's
// JavaScript holds, without instrumenting the server code. RSS alone cannot say what 6,000 sockets
// cost: a collection between two readings hands the setup's garbage back to the allocator, and RSS
// rarely shrinks. On SIGUSR2 the probe collects garbage (twice, so objects freed by the first
// pass's finalizers go too) and prints one JSON line on stdout (the hub's log stream):
// {"msg":"bench heap","heapUsed":…,"external":…,"rss":…} in bytes.
import { isMainThread } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

if (isMainThread) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  process.on('SIGUSR2', () => {
    gc();
    gc();
    const m = process.memoryUsage();
    process.stdout.write(
      `${JSON.stringify({ msg: 'bench heap', heapUsed: m.heapUsed, external: m.external, rss: m.rss })}\n`,
    );
  });
}
