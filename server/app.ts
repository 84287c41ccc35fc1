import Fastify, { LogController, type FastifyInstance, type FastifyListenOptions } from 'fastify';
import cors from '@fastify/cors';
import { API_PREFIX } from '../shared/protocol';
import type { HubConfig } from './config';
import type { HubContext } from './context';
import { withSlowLog } from './db/slow-log';
import { assertPortFree, listenBeside, listenerCount } from './http/listeners';
import { customerHintStores } from './customers/hint-stores';
import { openDatabase } from './db/database';
import { migrate } from './db/migrate';
import { installErrorHandling } from './http/errors';
import { installAccess, SMALL_BODY_LIMIT } from './http/access';
import { safeLoggerOptions } from './http/log-safety';
import { createThrottle } from './http/throttle';
import { HTTP_TIMEOUTS } from './http/timeouts';
import { createRealtime, type SocketHandler } from './realtime/realtime';
import { listenForTerminalRevocations } from './db/terminal-revocations';
import { registerAdminRoutes } from './admin/routes';
import { registerBindingRoutes, startBindingExpiry } from './bindings/routes';
import { registerOutreachRoutes } from './outreach/routes';
import { registerProfileEditRoutes } from './profile-edits/routes';
import { registerTerminalRoutes } from './terminal/routes';
import { registerSyncRoutes } from './sync/routes';
import { registerCustomerRoutes } from './customers/routes';
import { registerCatalogRoutes } from './catalog/routes';
import { registerOrderRoutes } from './orders/routes';
import { registerReturnRoutes } from './returns/routes';
import { registerStockRoutes } from './stock/routes';
import { registerPresenceRoutes, claimHandler, startAlertExpiry } from './presence/routes';
import { reloadStoreGeofences } from './presence/store-geofences';
import { alertsChangedWithin } from './presence/alerts';
import { registerStatsRoutes } from './stats/routes';
import { registerAuditRoutes } from './audit/routes';
import { registerCreditRoutes } from './credit/routes';
import { registerStaffRoutes } from './staff/routes';
import { startAuditRetention } from './audit/service';
import { ensurePhoneHashKey } from './customers/phone-key';
import { registerUpdateRoutes } from './updates/routes';
import { registerConsoleRoutes } from './console/routes';
import { startFeedJsonMaterializer } from './sync/feed-json';
import { startScopeSweep } from './customers/scope-runner';
import { startPlannerStatistics } from './db/planner-statistics';
import { registerFollowUpRoutes, startFollowUpSweep } from './follow-ups/routes';

/** How long shutdown lets already-received requests be parsed before the listener closes. */
const SHUTDOWN_GRACE_MS = 250;
/** Answers slower than this are logged at info even when they succeed. */
const SLOW_REQUEST_MS = 1_000;

export type Hub = {
  app: FastifyInstance;
  ctx: HubContext;
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>;
  /** Graceful: stop accepting, finish in-flight requests, close sockets and the database. */
  close(): Promise<void>;
};

export async function createHub(config: HubConfig): Promise<Hub> {
  const app = Fastify({
    // No personal data in logs at any level: errors are logged through an allow-list (PGlite and
    // pg errors carry the statement's parameters and values), credentials and bodies are redacted.
    logger: { level: config.logLevel, ...safeLoggerOptions },
    // Routes that take batches raise this to 1 MiB (see http/access.ts).
    bodyLimit: SMALL_BODY_LIMIT,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: HTTP_TIMEOUTS.keepAliveMs,
    // The client address that per-address limits count: the peer, or X-Forwarded-For from these.
    ...(config.trustedProxies.length > 0 ? { trustProxy: config.trustedProxies } : {}),
    // A `__proto__` or `constructor.prototype` key in a JSON body is refused with a 400 before any
    // handler sees it (Fastify's secure-json-parse; these are its defaults, pinned on purpose).
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Idle keep-alive sockets close at shutdown; in-flight requests are allowed to finish.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Presence sources send hundreds of calls a second at peaks: log every request at debug,
    // and at info only what someone should look at (errors, slow answers) — see onResponse.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.addHook('onResponse', async (request, reply) => {
    const entry = {
      method: request.method,
      url: request.url.split('?')[0],
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    // 503 is a dependency outage already reported where it is detected (database pool, Redis
    // link): one warn a request, so an outage does not bury real failures at error level.
    if (reply.statusCode === 503)
      request.log.warn(entry, 'request refused: dependency unavailable');
    else if (reply.statusCode >= 500) request.log.error(entry, 'request failed');
    else if (reply.statusCode >= 400 || reply.elapsedTime > SLOW_REQUEST_MS)
      request.log.info(entry, 'request completed');
    else request.log.debug(entry, 'request completed');
  });
  installErrorHandling(app);
  // Headers come with the request, so within its limit too (Node's http.createServer refuses a
  // headers timeout longer than the request timeout).
  app.server.headersTimeout = Math.min(HTTP_TIMEOUTS.headersMs, config.requestTimeoutMs);
  const throttle = await createThrottle(app, {
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    log: app.log,
    terminalCallsPerMinute: config.terminalCallsPerMinute,
    integrationCallsPerMinute: config.integrationCallsPerMinute,
    adminCallsPerMinute: config.adminCallsPerMinute,
  });
  // The desktop terminal runs at app://shopguide, so its calls are cross-origin.
  await app.register(cors, {
    origin: config.corsOrigins,
    allowedHeaders: ['authorization', 'content-type'],
    methods: ['GET', 'POST'],
    maxAge: 600,
  });

  const opened = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    poolMax: config.dbPoolMax,
    prepare: config.dbPrepare,
    onError: (error) => app.log.warn({ err: { message: error.message } }, 'database link lost'),
    pgliteThread: config.pgliteThread,
    // A crash of the embedded database's thread is a bug to look into, not a network blip.
    onCrash: (error) => app.log.error({ err: error }, 'embedded database stopped; restarting it'),
    onRecovered: () => app.log.info('embedded database restarted'),
  });
  const db =
    config.slowStatementMs > 0
      ? withSlowLog(opened, config.slowStatementMs, (slow) =>
          app.log.warn({ slow }, `slow ${slow.kind}`),
        )
      : opened;
  await migrate(db);
  await ensurePhoneHashKey(db);

  const handlers: SocketHandler[] = [];
  const databaseUrl = config.databaseUrl;
  const realtime = await createRealtime({
    httpServer: app.server,
    db,
    log: app.log,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    corsOrigins: config.corsOrigins,
    revocationCheckMs: config.revocationCheckMs,
    handlers,
    handshakeThrottle: throttle,
    customerHintStores:
      config.customerFeedScope === 'store' ? await customerHintStores(db) : undefined,
    peerLostAlerts: (storeIds, windowMs) =>
      alertsChangedWithin(db, storeIds, windowMs, new Date(), config.expirySweepMs),
    revocationListener: databaseUrl
      ? (handlers) =>
          listenForTerminalRevocations({
            url: databaseUrl,
            connectTimeoutMs: config.dbConnectTimeoutMs,
            log: app.log,
            ...handlers,
          })
      : undefined,
  });
  // A store saved on another node, or while Redis was away: presence and "online nearby" use a
  // reloaded list from now on (without a word from the others, STORE_CACHE_MS is the fallback).
  realtime.onPeer('stores:changed', () => void reloadStoreGeofences(db));
  const ctx: HubContext = { db, realtime, config, log: app.log };
  handlers.push((socket) => claimHandler(ctx, socket));

  let shuttingDown = false;
  // During shutdown every answer closes its connection, so keep-alive sockets that go idle after
  // close() began do not hold the process open until the keep-alive timeout.
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('connection', 'close');
  });

  // Liveness: the process answers. Readiness (for load balancers): its dependencies answer too.
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const [database, redis] = [(await db.ping()) ? 'up' : 'down', realtime.redisState()];
    const ok = database === 'up' && redis !== 'down';
    if (!ok) reply.status(503).header('retry-after', '5');
    return { ok, database, redis };
  });
  if (config.updatesDir) registerUpdateRoutes(app, config.updatesDir);
  registerConsoleRoutes(app, config.consoleDir);
  await app.register(
    async (api) => {
      installAccess(api, ctx, throttle);
      registerTerminalRoutes(api, ctx);
      registerSyncRoutes(api, ctx);
      registerCustomerRoutes(api, ctx);
      registerCatalogRoutes(api, ctx);
      registerOrderRoutes(api, ctx);
      registerReturnRoutes(api, ctx);
      registerStockRoutes(api, ctx);
      registerPresenceRoutes(api, ctx);
      registerStatsRoutes(api, ctx);
      registerAuditRoutes(api, ctx);
      registerStaffRoutes(api, ctx);
      registerAdminRoutes(api, ctx);
      registerCreditRoutes(api, ctx);
      registerBindingRoutes(api, ctx);
      registerOutreachRoutes(api, ctx);
      registerProfileEditRoutes(api, ctx);
      registerFollowUpRoutes(api, ctx);
    },
    { prefix: API_PREFIX },
  );

  const stopExpiry = startAlertExpiry(ctx);
  const stopAuditRetention = startAuditRetention(ctx);
  const stopBindingExpiry = startBindingExpiry(ctx);
  const stopFollowUps = startFollowUpSweep(ctx);
  const stopScopeSweep = startScopeSweep(ctx);
  const stopPlannerStatistics = startPlannerStatistics(db, app.log);
  const feedJson = startFeedJsonMaterializer({ db, log: app.log });
  let closing: Promise<void> | null = null;
  /** the listening sockets beside Fastify's own (HUB_LISTENERS > 1) */
  let beside: { stop(): Promise<void> } | null = null;
  const boundPort = () => {
    const address = app.server.address();
    return typeof address === 'object' && address ? address.port : config.port;
  };

  return {
    app,
    ctx,
    async listen() {
      const { host, listenBacklog: backlog } = config;
      const resolved = listenerCount(config.listeners, process.versions.node);
      if ('problem' in resolved) throw new Error(resolved.problem);
      const listeners = resolved.count;
      if (listeners === 1) {
        await app.listen({ host, port: config.port, backlog });
        return boundPort();
      }
      // SO_REUSEPORT would let this node bind beside another listener on the port: refuse that first
      await assertPortFree({ host, port: config.port });
      // Fastify hands its listen options to net.Server#listen as they are (its types omit this one)
      const shared: FastifyListenOptions & { reusePort: boolean } = {
        host,
        port: config.port,
        backlog,
        reusePort: true,
      };
      await app.listen(shared);
      const port = boundPort();
      beside = await listenBeside(
        { host, port, backlog },
        listeners - 1,
        (socket) => app.server.emit('connection', socket),
        (error) => app.log.error({ err: error }, 'a listening socket failed'),
      );
      return port;
    },
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        stopExpiry();
        stopAuditRetention();
        stopBindingExpiry();
        stopFollowUps();
        stopScopeSweep();
        stopPlannerStatistics();
        await realtime.close();
        await feedJson.stop();
        // Requests whose bytes already arrived but are not parsed yet (the loop may have been busy
        // in the embedded database) count as in flight: let them be read before we stop accepting.
        await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS));
        // The other listening sockets' connections are served by the HTTP server but not counted
        // by it: its close() would resolve with their requests still in flight (and the database
        // closed under them). Wait for them as for its own.
        const besideClosed = beside?.stop();
        // Node stops enforcing the headers and request timeouts once close() began: a client that
        // never sends the rest of its request would hold the shutdown open for ever. Past the
        // longest a request may take, the connections still open are cut (every listening
        // socket's: they share the HTTP server's connection list).
        const deadline = setTimeout(
          () => app.server.closeAllConnections(),
          config.requestTimeoutMs,
        ).unref();
        try {
          await app.close();
          await besideClosed;
        } finally {
          clearTimeout(deadline);
        }
        await db.close();
        await throttle.close();
      })();
      return closing;
    },
  };
}
