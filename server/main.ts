import { loadConfig } from './config';
import { createHub } from './app';
import { acquireDataDirLock } from './admin/data-dir-lock';

/** `npm run hub`: one hub node, configured by the environment (see README). */
const config = loadConfig();
// PGlite is single-process: the lock tells `hub:admin`/`hub:seed` to use --url instead.
const lock = config.databaseUrl ? null : acquireDataDirLock(config.dataDir);
const hub = await createHub(config);
const port = await hub.listen();
lock?.setUrl(`http://${config.host}:${port}`);
hub.app.log.info(
  { port, host: config.host, database: hub.ctx.db.kind, redis: Boolean(config.redisUrl) },
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
