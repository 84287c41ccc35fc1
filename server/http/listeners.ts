import { createServer, type Server, type Socket } from 'node:net';

/**
 * Several listening sockets on one port (`HUB_LISTENERS`, docs/scaling.md "A reconnect storm").
 *
 * A node accepts one connection per listening socket and event-loop turn (libuv ≥ 1.45,
 * libuv/libuv#3696). When a node dies, its terminals all reconnect to the survivors at once and
 * wait in the survivor's listen queue, drained at one connection a turn (≈ 250 a second measured
 * under load). With n sockets bound with SO_REUSEPORT the kernel spreads the arrivals over n
 * queues and the node takes n a turn. Node's `reusePort` exists from 22.12 (and 23.1); an older
 * Node would ignore the option and fail the second bind, so the hub refuses it at start
 * (listenerCount).
 */
export const REUSE_PORT_SINCE = 'Node 22.12 (or 23.1)';

/** Whether this Node version binds with SO_REUSEPORT (`net.Server#listen({ reusePort })`). */
export function nodeHasReusePort(version: string): boolean {
  const [major = 0, minor = 0] = version
    .replace(/^v/, '')
    .split('.')
    .map((part) => Number.parseInt(part, 10));
  if (major === 22) return minor >= 12;
  if (major === 23) return minor >= 1;
  return major > 23;
}

/** `HUB_LISTENERS=auto` where Node has `reusePort`: more did not help in bench:chain (16 ≈ 8). */
export const AUTO_LISTENERS = 8;

/**
 * Where Node's `reusePort` works: elsewhere (macOS, Windows) libuv refuses the option and the
 * listen fails (nodejs/node#61018), so `auto` must not ask for it there.
 */
export const REUSE_PORT_PLATFORMS: readonly string[] = ['linux', 'freebsd'];

/**
 * How many listening sockets the hub binds, or why it cannot: `auto` is AUTO_LISTENERS on a Node
 * and a platform with `reusePort` and 1 elsewhere; a number above 1 asked where it is missing is
 * refused (checked by the hub before it opens its database; the tools that read the same
 * configuration never listen).
 */
export function listenerCount(
  configured: number | 'auto',
  nodeVersion: string,
  platform: string = process.platform,
): { count: number } | { problem: string } {
  const onPlatform = REUSE_PORT_PLATFORMS.includes(platform);
  const supported = onPlatform && nodeHasReusePort(nodeVersion);
  if (configured === 'auto') return { count: supported ? AUTO_LISTENERS : 1 };
  if (configured <= 1 || supported) return { count: configured };
  if (!onPlatform)
    return {
      problem: `HUB_LISTENERS=${configured}: several listening sockets need SO_REUSEPORT, which Node offers on Linux and FreeBSD only; this is ${platform}. Set HUB_LISTENERS=1.`,
    };
  return {
    problem: `HUB_LISTENERS=${configured}: several listening sockets need SO_REUSEPORT, which needs ${REUSE_PORT_SINCE} or later; this is Node ${nodeVersion}. Upgrade Node or set HUB_LISTENERS=1.`,
  };
}

type Address = { host: string; port: number };

function listen(server: Server, options: Address & { backlog: number; reusePort: boolean }) {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen(
      {
        host: options.host,
        port: options.port,
        backlog: options.backlog,
        ...(options.reusePort ? { reusePort: true } : {}),
      },
      () => {
        server.off('error', failed);
        resolve();
      },
    );
  });
}

function close(server: Server) {
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Refuses (EADDRINUSE) a port that anything listens on, before the hub binds it with
 * SO_REUSEPORT: a second hub started on the same port by mistake would otherwise bind beside the
 * first (same user) and silently take half of its connections. Port 0 (any free port) is free.
 */
export async function assertPortFree(address: Address): Promise<void> {
  if (address.port === 0) return;
  const probe = createServer();
  await listen(probe, { ...address, backlog: 1, reusePort: false });
  await close(probe);
}

/**
 * Binds `count` more listening sockets on `address` (already bound with SO_REUSEPORT by the
 * hub's own server) and hands each accepted connection to `onConnection` — the HTTP server's
 * `connection` event, so they are served exactly like the first socket's. The HTTP server serves
 * them but does not count them: its close() waits only for the connections its own socket
 * accepted. `stop()` stops accepting and resolves once every connection these sockets accepted
 * has ended, so a shutdown waits for their in-flight requests as Fastify waits for its own.
 * `onError`: a listening socket's error after it listens (an accept failing, e.g. EMFILE), which
 * would otherwise be an uncaught 'error' event.
 */
export async function listenBeside(
  address: Address & { backlog: number },
  count: number,
  onConnection: (socket: Socket) => void,
  onError: (error: Error) => void = () => undefined,
): Promise<{ stop(): Promise<void> }> {
  const servers: Server[] = [];
  const stop = async () => {
    await Promise.all(servers.filter((server) => server.listening).map(close));
  };
  try {
    for (let i = 0; i < count; i++) {
      // like Node's HTTP server's own listening socket (Nagle off on accepted connections)
      const server = createServer({ noDelay: true }, onConnection);
      servers.push(server);
      await listen(server, { ...address, reusePort: true });
      server.on('error', onError);
    }
  } catch (error) {
    void stop();
    throw error;
  }
  return { stop };
}
