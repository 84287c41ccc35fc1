/**
 * Lets the page handle input, timers and painting between slices of work: the rest runs as a new
 * task of normal priority (a MessageChannel message: no 4 ms timer clamp). Not `scheduler.yield`,
 * whose continuations run ahead of other tasks — measured at 200,000 customers, it kept the
 * page's timers from running for 0.77–0.99 s of a 1.1–1.6 s load.
 */
export function yieldToPage(): Promise<void> {
  if (typeof MessageChannel === 'undefined')
    return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
