// Preloaded into the benchmarked hub (NODE_OPTIONS=--import …, see hub-bench.ts): the hub's own
// event-loop delay over the measured window, without instrumenting the server code. SIGUSR2
// starts a window; the next SIGUSR2 prints it as one JSON line on stdout (the hub's log stream):
// {"msg":"bench loop delay","p50":…,"p99":…,"max":…} in milliseconds.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let open = false;
  process.on('SIGUSR2', () => {
    if (!open) {
      delay.reset();
      delay.enable();
      open = true;
      return;
    }
    delay.disable();
    open = false;
    const ms = (ns) => Number((ns / 1e6).toFixed(1));
    process.stdout.write(
      `${JSON.stringify({
        msg: 'bench loop delay',
        p50: ms(delay.percentile(50)),
        p99: ms(delay.percentile(99)),
        max: ms(delay.max),
      })}\n`,
    );
  });
}
