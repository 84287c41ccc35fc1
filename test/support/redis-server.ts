import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { withoutClockFaking } from './moved-clock';

/** Whether a `redis-server` binary is on PATH (fault suites start their own). */
export const redisServerAvailable = (): boolean =>
  spawnSync('redis-server', ['--version'], {
    stdio: 'ignore',
    env: withoutClockFaking(process.env),
    timeout: 10_000,
  }).status === 0;

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before it is used). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Answers true once a PING on the port gets +PONG. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => finish(chunk.toString().startsWith('+PONG')));
  });
}

export type RedisServer = {
  readonly port: number;
  readonly url: string;
  /** Starts (or starts again) the server on its port; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it with the signal (SIGKILL: a crash; SIGTERM: a clean shutdown) and waits for exit. */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing answers. */
  pause(): void;
  /** Thaws a frozen server (SIGCONT). */
  resume(): void;
};

/**
 * A private, memory-only redis-server on a free 127.0.0.1 port, for suites that stop and restart
 * Redis — never the machine's shared one.
 */
export async function privateRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (proc) return;
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore', env: withoutClockFaking(process.env) },
      );
      proc = child;
      exited = new Promise((resolve) => child.once('exit', () => resolve()));
      for (let i = 0; i < 300; i++) {
        if (child.exitCode !== null) break;
        if (await pong(port)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`redis-server on port ${port} did not answer PING`);
    },
    async stop(signal) {
      if (!proc) return;
      const child = proc;
      proc = null;
      if (child.exitCode === null) {
        child.kill(signal);
        // A frozen server acts on SIGTERM only once it runs again.
        if (signal !== 'SIGKILL') child.kill('SIGCONT');
      }
      await exited;
    },
    pause() {
      proc?.kill('SIGSTOP');
    },
    resume() {
      proc?.kill('SIGCONT');
    },
  };
  await server.start();
  return server;
}
