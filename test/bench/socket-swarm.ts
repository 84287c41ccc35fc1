/**
 * Child process of `hub-bench.ts`: holds the terminal sockets and timestamps every `alert:new`.
 * Kept apart from the HTTP sender so decoding 4,000 deliveries/s does not delay the sender's
 * clock or its requests (and the sender's work does not delay the receive timestamps).
 * Times are absolute (`performance.timeOrigin + performance.now()`), comparable across processes
 * on one machine. Talks to the parent over IPC only; exits when told to stop or the parent goes.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { ArrivalAlert } from '../../shared/protocol';

/** Parent → child. */
export type SwarmCommand =
  { type: 'connect'; url: string; tokens: string[] } | { type: 'measure' } | { type: 'stop' };
/** Child → parent: `alerts` carries `[storeId:customerId, received at]` pairs in batches. */
export type SwarmReport =
  | { type: 'connected'; count: number }
  | { type: 'alerts'; items: [string, number][] }
  | { type: 'done'; loopDelayP99: number }
  | { type: 'error'; message: string };

const now = () => performance.timeOrigin + performance.now();
const send = (report: SwarmReport) => process.send?.(report);
const sockets: Socket[] = [];
let buffer: [string, number][] = [];
const lag = monitorEventLoopDelay({ resolution: 10 });
const flush = setInterval(() => {
  if (buffer.length === 0) return;
  send({ type: 'alerts', items: buffer });
  buffer = [];
}, 100);

async function connectAll(url: string, tokens: readonly string[]) {
  let next = 0;
  // At most 50 handshakes in flight, as the bench did in process.
  await Promise.all(
    Array.from({ length: Math.min(50, tokens.length) }, async () => {
      while (next < tokens.length) {
        const token = tokens[next++]!;
        const socket = io(`${url}/terminal`, {
          auth: { token },
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        });
        sockets.push(socket);
        socket.on('alert:new', (alert: ArrivalAlert) => {
          buffer.push([`${alert.storeId}:${alert.card.customerId}`, now()]);
        });
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', (e) => reject(e));
        });
      }
    }),
  );
}

process.on('message', (command: SwarmCommand) => {
  if (command.type === 'connect') {
    connectAll(command.url, command.tokens)
      .then(() => send({ type: 'connected', count: sockets.length }))
      .catch((e: unknown) => send({ type: 'error', message: String(e) }));
  } else if (command.type === 'measure') {
    lag.enable();
  } else {
    for (const s of sockets) s.disconnect();
    lag.disable();
    clearInterval(flush);
    if (buffer.length > 0) send({ type: 'alerts', items: buffer });
    send({ type: 'done', loopDelayP99: lag.percentile(99) / 1e6 });
    process.disconnect?.();
  }
});
// The parent died or closed the channel: never linger with 1,000 open sockets.
process.on('disconnect', () => process.exit(0));
