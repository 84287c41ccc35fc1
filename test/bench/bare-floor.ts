/**
 * Child process of `hub-bench.ts`: the floor under the hub's alert latency. A bare node:http
 * server with socket.io on `/terminal`, no database: a presence POST is parsed, the member's id
 * looked up in a Map and `alert:new` emitted to the store's room, then answered 202 — the order
 * the hub's route follows. Terminals join their store's room by token as on the hub. Measured by
 * the same sender and socket swarm in the same run, it shows what this machine and the load
 * generator cost before any hub work. Talks to the parent over IPC; exits when the parent goes.
 */
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Server } from 'socket.io';

/** Parent → child. */
export type FloorCommand =
  | {
      type: 'start';
      presencePath: string;
      /** terminal token → store id */
      stores: Record<string, string>;
      /** member code → customer id */
      customers: Record<string, string>;
    }
  | { type: 'measure' }
  | { type: 'report' };
/** Child → parent. */
export type FloorReport =
  { type: 'listening'; port: number } | { type: 'loop'; p50: number; p99: number; max: number };

const delay = monitorEventLoopDelay({ resolution: 10 });
const send = (report: FloorReport) => process.send?.(report);

function start(command: Extract<FloorCommand, { type: 'start' }>) {
  const storeByToken = new Map(Object.entries(command.stores));
  const customerByCode = new Map(Object.entries(command.customers));
  const http = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== command.presencePath) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        storeId: string;
        customer: { memberCode: string };
      };
      const customerId = customerByCode.get(body.customer.memberCode) ?? 'unknown';
      terminals
        .to(`store:${body.storeId}`)
        .emit('alert:new', { storeId: body.storeId, card: { customerId } });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  const io = new Server(http, { serveClient: false, transports: ['websocket', 'polling'] });
  const terminals = io.of('/terminal');
  terminals.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    const storeId = typeof auth.token === 'string' ? storeByToken.get(auth.token) : undefined;
    if (!storeId) return next(new Error('unauthorized'));
    socket.data.storeId = storeId;
    next();
  });
  terminals.on('connection', (socket) => void socket.join(`store:${String(socket.data.storeId)}`));
  http.listen(0, '127.0.0.1', () => {
    const address = http.address();
    send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
  });
}

process.on('message', (command: FloorCommand) => {
  if (command.type === 'start') start(command);
  else if (command.type === 'measure') {
    delay.reset();
    delay.enable();
  } else {
    delay.disable();
    const ms = (ns: number) => ns / 1e6;
    send({
      type: 'loop',
      p50: ms(delay.percentile(50)),
      p99: ms(delay.percentile(99)),
      max: ms(delay.max),
    });
  }
});
process.on('disconnect', () => process.exit(0));
