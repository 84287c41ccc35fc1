import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { appFileSegments, appResponseHeaders } from '../shared/web/app-files';
import { buildCsp } from '../shared/web/csp';
import { rendererCodeSplitting } from './renderer-chunks';

/*
 * The terminal half of `npm start`: the Electron app when its binary is installed, otherwise the
 * same renderer in browser mode from a tiny static server that sends the production CSP.
 */

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const RENDERER_OUT = join(REPO_ROOT, 'out/renderer');

export type Terminal = { url: string; mode: 'electron' | 'browser'; stop(): Promise<void> };

/**
 * Where the Electron binary is, or null. Deliberately does not `require('electron')`: that module
 * tries to download the binary when it is missing, which on an offline machine hangs or throws.
 */
export function electronBinaryPath(env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    // Same lookup as electron's own index.js: path.txt names the binary inside dist/ (or inside
    // ELECTRON_OVERRIDE_DIST_PATH, which also works without path.txt).
    const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
    const override = env.ELECTRON_OVERRIDE_DIST_PATH;
    let binary: string | null = null;
    if (override) binary = join(override, relative ?? 'electron');
    else if (relative !== null) binary = join(dir, 'dist', relative);
    return binary !== null && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Builds the renderer (production build, same as the packaged app) into `outDir`. */
export async function buildRenderer(outDir: string = RENDERER_OUT): Promise<void> {
  const [{ build }, { default: react }] = await Promise.all([
    import('vite'),
    import('@vitejs/plugin-react'),
  ]);
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  // Vite takes the build's mode from NODE_ENV when it is set, and vitest sets it to "test": the
  // e2e suite would otherwise drive React's development build, not the one the app ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: join(REPO_ROOT, 'renderer'),
      base: './',
      logLevel: 'warn',
      configFile: false,
      plugins: [react()],
      define: { __APP_VERSION__: JSON.stringify(version) },
      build: {
        outDir,
        emptyOutDir: true,
        rolldownOptions: { output: { codeSplitting: rendererCodeSplitting } },
      },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

export type RendererServerOptions = {
  /** the renderer build to serve */
  dir: string;
  /** the hub the page may connect to (its origin goes into the CSP connect-src) */
  hubUrl: string;
  /** pre-seeded enrolment token, handed to the browser bridge through the served config */
  token?: string;
  /**
   * Forward `/api`, `/socket.io`, `/healthz` and `/updates` to the hub so the page talks to its own
   * origin (no CORS needed on the hub). The CSP then allows only the app's own origin.
   */
  proxyHub?: boolean;
  host?: string;
  port?: number;
};

const HUB_PATHS = /^\/(api\/|socket\.io\/|healthz$|updates\/)/;

function pipeRequest(req: IncomingMessage, res: ServerResponse, hub: URL): void {
  const upstream = httpRequest(
    {
      host: hub.hostname,
      port: hub.port || 80,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: hub.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end('hub unreachable');
  });
  req.pipe(upstream);
}

/** Serves a renderer build with the production CSP and the browser bridge's config. */
export async function serveRenderer(
  options: RendererServerOptions,
): Promise<{ url: string; stop(): Promise<void> }> {
  const hub = new URL(options.hubUrl);
  const proxy = options.proxyHub ?? false;
  const sockets = new Set<Socket>();
  let selfOrigin = '';
  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (proxy && HUB_PATHS.test(path)) return pipeRequest(req, res, hub);
      const csp = buildCsp(proxy ? null : hub.origin);
      if (path === '/shopguide.config.json') {
        const body = JSON.stringify({
          hubUrl: proxy ? selfOrigin : options.hubUrl,
          ...(options.token ? { enrolToken: options.token } : {}),
        });
        res.writeHead(200, {
          ...appResponseHeaders('x.json', csp),
          'Cache-Control': 'no-store',
        });
        return res.end(body);
      }
      const segments = appFileSegments(`app://shopguide${path}`);
      const file = segments && join(options.dir, ...segments);
      if (file === null || !existsSync(file)) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        return res.end('not found');
      }
      res.writeHead(200, appResponseHeaders(file, csp));
      res.end(await readFile(file));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // socket.io's WebSocket upgrade, forwarded byte for byte.
  server.on('upgrade', (req, socket, head) => {
    if (!proxy || !HUB_PATHS.test(req.url ?? '')) return socket.destroy();
    const upstream = connect(Number(hub.port || 80), hub.hostname, () => {
      const headers = Object.entries({ ...req.headers, host: hub.host })
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
        .join('\r\n');
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  selfOrigin = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url: `${selfOrigin}/`,
    stop: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/**
 * Starts the terminal against a hub: Electron if its binary is installed, else browser mode.
 * Prints one line saying which, with the URL to open in browser mode.
 */
export async function startTerminal(options: {
  hubUrl: string;
  token?: string;
  port?: number;
  /** rebuild the renderer even if `out/renderer` exists (it is built only when missing otherwise) */
  rebuild?: boolean;
  log?: (line: string) => void;
}): Promise<Terminal> {
  const log = options.log ?? ((line: string) => console.log(line));
  const binary = electronBinaryPath();
  if (binary !== null) {
    if (!existsSync(join(REPO_ROOT, 'out/main/index.js'))) {
      await run(process.execPath, [
        join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js'),
        'build',
      ]);
    }
    const args = [REPO_ROOT, `--hub-url=${options.hubUrl}`];
    if (options.token) args.push(`--enrol-token=${options.token}`);
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    delete env.ELECTRON_RENDERER_URL;
    const child = spawn(binary, args, { cwd: REPO_ROOT, env, stdio: 'inherit' });
    log(`ShopGuide terminal: Electron app started (pid ${child.pid}) against ${options.hubUrl}`);
    return {
      url: 'app://shopguide/',
      mode: 'electron',
      stop: () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
    };
  }
  if (options.rebuild || !existsSync(join(RENDERER_OUT, 'index.html'))) {
    await buildRenderer(RENDERER_OUT);
  }
  const served = await serveRenderer({
    dir: RENDERER_OUT,
    hubUrl: options.hubUrl,
    token: options.token,
    proxyHub: true,
    port: options.port ?? 4601,
  });
  log(
    `ShopGuide terminal: Electron binary not installed, serving the terminal in browser mode — open ${served.url}`,
  );
  return { url: served.url, mode: 'browser', stop: served.stop };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
    child.once('exit', (code) =>
      code === 0 ? ok() : fail(new Error(`${command} exited ${code}`)),
    );
  });
}
