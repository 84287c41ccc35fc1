import { loadConfig } from './config';
import type { Hub } from './app';
import { acquireDataDirLock, DataDirLockedError } from './admin/data-dir-lock';
import { installProcessGuards } from './process-guards';
import { listenerCount } from './http/listeners';

/** `npm run hub`: one hub node, configured by the environment (see README). */
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  // A setting out of range: the one line that names it, not a stack trace.
  console.error(`hub: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const listeners = listenerCount(config.listeners, process.versions.node);
if ('problem' in listeners) {
  console.error(`hub: ${listeners.problem}`);
  process.exit(1);
}
// PGlite is single-process: a second hub on the same data dir is refused before it opens the
// database (the lock is atomic, see data-dir-lock.ts). `hub:admin`/`hub:seed` read it too.
let lock: ReturnType<typeof acquireDataDirLock> | null;
try {
  lock = config.databaseUrl ? null : acquireDataDirLock(config.dataDir);
} catch (error) {
  if (!(error instanceof DataDirLockedError)) throw error;
  console.error(
    `hub: ${error.message}. Stop that hub first, or give this one another HUB_DATA_DIR.`,
  );
  process.exit(1);
}

let hub: Hub;
try {
  // Loaded after the lock: a refused second hub exits in well under a second, before it loads
  // (let alone opens) the database.
  const { createHub } = await import('./app');
  hub = await createHub(config);
} catch (error) {
  // PostgreSQL down at start (or a wrong DATABASE_URL): a clear line and a non-zero exit, so a
  // supervisor restarts the hub once it can reach its database. Once running, outages are 503s.
  console.error(`hub: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  lock?.release();
  process.exit(1);
}
installProcessGuards(hub.app.log);
let port: number;
try {
  port = await hub.listen();
} catch (error) {
  // The port is taken (another hub, another program) or not ours to bind: say which, and exit
  // non-zero like a database that cannot be reached at start.
  const code = (error as { code?: unknown } | null)?.code;
  const why =
    code === 'EADDRINUSE'
      ? 'the address is already in use (another hub or program is listening there)'
      : code === 'EACCES'
        ? 'no permission to listen there'
        : error instanceof Error
          ? error.message
          : 'unexpected failure';
  console.error(
    `hub: cannot listen on ${config.host}:${config.port}: ${why}. Stop what uses it, or set HUB_PORT / HUB_HOST.`,
  );
  await hub.close().catch(() => undefined);
  lock?.release();
  process.exit(1);
}
lock?.setUrl(`http://${config.host}:${port}`);
hub.app.log.info(
  {
    port,
    host: config.host,
    listeners: listeners.count,
    database: hub.ctx.db.kind,
    redis: Boolean(config.redisUrl),
  },
  'hub listening',
);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    hub.app.log.info({ signal }, 'hub shutting down');
    hub
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        hub.app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  });
}
