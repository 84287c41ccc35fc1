import { resolve } from 'node:path';
import { z } from 'zod';
import { HTTP_TIMEOUTS } from './http/timeouts';

/** Hub configuration, from the environment only (12-factor), validated once at start. */
const envSchema = z.object({
  HUB_HOST: z.string().default('127.0.0.1'),
  HUB_PORT: z.coerce.number().int().min(0).max(65535).default(4600),
  HUB_DATA_DIR: z.string().default('.hub-data'),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  /**
   * what every Redis key and pub/sub channel of this deployment starts with (`<prefix>:`), so
   * deployments sharing one Redis (staging and production, two chains) neither hear each other's
   * broadcasts nor share rate-limit counters. A Redis db number does not separate pub/sub.
   */
  HUB_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, '1 to 64 characters of A-Z a-z 0-9 : _ -')
    .default('shopguide'),
  HUB_INTEGRATION_KEY: z.string().min(16).optional(),
  HUB_ADMIN_KEY: z.string().min(16).optional(),
  /**
   * connections the kernel queues for this node before it accepts them (listen backlog; the
   * kernel caps it at net.core.somaxconn). Node's own default, 511, overflowed when 6,000
   * terminals of a dead node reconnected at once: dropped SYNs retried after 1, 3, 7, 15 s
   * (docs/scaling.md, "A reconnect storm")
   */
  HUB_LISTEN_BACKLOG: z.coerce.number().int().min(1).max(65_535).default(4_096),
  /**
   * listening sockets on the port (SO_REUSEPORT, Node ≥ 22.12): a node accepts one connection per
   * socket and event-loop turn, so a survivor taking over a dead node's terminals drains its
   * queue n times faster; `auto`: 8 where Node has it, else 1 (server/http/listeners.ts)
   */
  HUB_LISTENERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(16)])
    .default('auto'),
  HUB_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  /** PostgreSQL: how long opening a connection (or waiting for a free one) may take */
  HUB_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** PostgreSQL: the longest one statement may run before the request is answered 503 */
  /**
   * the longest a client may take to send one whole request, body included (slow or silent
   * clients); at shutdown, connections still open this long after it began are cut
   * (server/http/timeouts.ts). 1 s – 1 h
   */
  HUB_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(3_600_000)
    .default(HTTP_TIMEOUTS.requestMs),
  HUB_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  /** PostgreSQL: connections this node keeps open at most (docs/scaling.md, "PostgreSQL") */
  HUB_DB_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  /**
   * PostgreSQL: prepare the statements a node runs repeatedly (parsed and planned once per
   * connection). `off` for a pooler that cannot keep prepared statements (PgBouncer before 1.21
   * in transaction mode; docs/scaling.md)
   */
  HUB_DB_PREPARE: z.enum(['on', 'off']).default('on'),
  /** log statements and transactions taking at least this many ms (SQL text only); 0: off */
  HUB_SLOW_STATEMENT_MS: z.coerce.number().int().min(0).max(3_600_000).default(0),
  /**
   * PGlite only: `worker` runs the embedded database in a worker thread, so its WebAssembly work
   * does not hold up socket.io and HTTP; `main` runs it on the event loop (as before #17)
   */
  HUB_PGLITE_THREAD: z.enum(['worker', 'main']).default('worker'),
  /** how often the hub sweeps unclaimed alerts to `expired` */
  HUB_EXPIRY_SWEEP_MS: z.coerce.number().int().min(50).default(15_000),
  /**
   * days the hub keeps audit entries (who looked at which member); older ones are deleted. 400:
   * a year and a season, beyond the 6 months China's Cybersecurity Law asks for logs (art. 21)
   * and no longer than a yearly review needs (PIPL art. 19: the shortest period necessary)
   */
  HUB_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(400),
  /** how often the hub deletes audit entries past their retention */
  HUB_AUDIT_PRUNE_MS: z.coerce.number().int().min(50).default(3_600_000),
  /** how often each node re-checks its connected terminals for revocation */
  HUB_REVOCATION_CHECK_MS: z.coerce.number().int().min(50).default(30_000),
  /** extra browser origins allowed to call the hub (comma-separated), besides the desktop app's */
  HUB_CORS_ORIGINS: z.string().default(''),
  /** the built head-office console (`npm run build` / `npm start` write it), served at /console/ */
  HUB_CONSOLE_DIR: z.string().default('out/console'),
  /** where `/updates` serves terminal auto-update files from (optional) */
  HUB_UPDATES_DIR: z.string().optional(),
  /** memory for the customer feed's page cache (initial syncs of many terminals); 0 turns it off */
  HUB_FEED_CACHE_MB: z.coerce.number().int().min(0).max(65_536).default(512),
  /** how long a cached feed page is served before it is rebuilt */
  HUB_FEED_CACHE_TTL_S: z.coerce.number().int().min(1).max(86_400).default(900),
  /** customer feed pages the hub builds ahead of a terminal paging through it; 0 turns it off */
  HUB_FEED_READ_AHEAD_PAGES: z.coerce.number().int().min(0).max(16).default(3),
  /** calls a minute one terminal may make before 429 (far above any store's use; see throttle.ts) */
  HUB_TERMINAL_CALLS_PER_MIN: z.coerce.number().int().min(1).default(3_000),
  /** minutes without a presence sighting after which a card says "可能已离店" (#16 item 6) */
  HUB_PRESENCE_SILENCE_MIN: z.coerce.number().int().min(1).max(240).default(20),
  /**
   * calls a minute the integration key may make before 429: one counter for every head-office
   * system on it, presence sources included (60,000 = 1,000 presence events a second; a chain's
   * 11.11 burst can need more: docs/scaling.md, "Sizing the call limits")
   */
  HUB_INTEGRATION_CALLS_PER_MIN: z.coerce.number().int().min(1).default(60_000),
  /** calls a minute the admin key may make before 429 (head office's console and scripts) */
  HUB_ADMIN_CALLS_PER_MIN: z.coerce.number().int().min(1).default(600),
  /**
   * registrations one terminal may make in an hour that find an existing member by phone (the
   * answer is that member's profile: a lookup by number); beyond it the terminal's registrations
   * are refused with 429 until the hour frees a slot. A counter finds members in its own cache
   * first, so the hub sees few of these; many in an hour is someone using the form as a lookup
   */
  HUB_REGISTRATION_LOOKUPS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(20),
  /**
   * what a terminal's customer feed carries: `store`, the members in its store's scope (issue #17,
   * docs/scaling.md; the default), or `chain`, every member of the chain (a deployment not yet
   * moved over; its terminals re-sync their customers once when it changes)
   */
  HUB_CUSTOMER_FEED_SCOPE: z.enum(['chain', 'store']).default('store'),
  /** members one store's terminals cache at most (docs/scaling.md, "Store-scoped caches") */
  HUB_STORE_SCOPE_CAP: z.coerce.number().int().min(1).max(100_000_000).default(200_000),
  /** days an online event's place keeps the member in the nearest store's scope ("online nearby") */
  HUB_ONLINE_NEARBY_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** online searches (POST /customers/search) per terminal and rolling hour, before 429 */
  HUB_SEARCHES_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(60),
  /**
   * load balancers / proxies whose X-Forwarded-For is believed (comma-separated addresses or
   * CIDRs); without it, behind a balancer every client has the balancer's address
   */
  HUB_TRUSTED_PROXIES: z.string().default(''),
  /** how often the hub generates follow-up tasks (跟进, #15): visits, birthdays, wish lists, purchases */
  HUB_FOLLOW_UP_SWEEP_MS: z.coerce.number().int().min(50).default(300_000),
  /** the "N days after an in-store purchase" follow-up */
  HUB_FOLLOW_UP_AFTER_PURCHASE_DAYS: z.coerce.number().int().min(1).max(365).default(7),
});

export type HubConfig = {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** what this deployment's Redis keys and channels start with (followed by `:`) */
  redisPrefix: string;
  integrationKey: string | undefined;
  adminKey: string | undefined;
  logLevel: z.infer<typeof envSchema>['HUB_LOG_LEVEL'];
  /** connections queued by the kernel before the node accepts them (`listen` backlog) */
  listenBacklog: number;
  /** listening sockets bound on the port with SO_REUSEPORT (1: one, without it; `auto`: listenerCount) */
  listeners: number | 'auto';
  dbConnectTimeoutMs: number;
  /** a whole request's time limit (ms), also the shutdown's bound on unfinished requests */
  requestTimeoutMs: number;
  dbStatementTimeoutMs: number;
  /** PostgreSQL: the node's connection pool size */
  dbPoolMax: number;
  dbPrepare: boolean;
  /** log statements / transactions at least this slow (ms); 0: off */
  slowStatementMs: number;
  /** PGlite only: `worker` (its own thread) or `main` (on the event loop) */
  pgliteThread: 'worker' | 'main';
  expirySweepMs: number;
  revocationCheckMs: number;
  auditRetentionDays: number;
  auditPruneMs: number;
  updatesDir: string | undefined;
  /** the head-office console's built files (server/console) */
  consoleDir: string;
  feedCacheMb: number;
  feedCacheTtlSeconds: number;
  feedReadAheadPages: number;
  terminalCallsPerMinute: number;
  integrationCallsPerMinute: number;
  adminCallsPerMinute: number;
  presenceSilenceMinutes: number;
  /** registrations finding an existing member by phone, per terminal and hour, before 429 */
  registrationLookupsPerHour: number;
  /** `store`: terminals get their store's scoped members; `chain`: every member */
  customerFeedScope: 'chain' | 'store';
  /** members one store's terminals cache at most; the lowest-ranked leave past it */
  storeScopeCap: number;
  /** days a member active online near a store stays in its scope after the event */
  onlineNearbyDays: number;
  /** online member searches per terminal and rolling hour, before 429 */
  searchesPerHour: number;
  /** proxies trusted for the client address (per-address limits); empty: the peer's address */
  trustedProxies: string[];
  /** how often follow-up tasks are generated (ms) */
  followUpSweepMs: number;
  /** days after an in-store purchase that its follow-up falls due */
  followUpAfterPurchaseDays: number;
  /** origins allowed cross-origin: the desktop app's `app://shopguide` plus HUB_CORS_ORIGINS */
  corsOrigins: string[];
};

/** The packaged terminal loads from this origin (see electron/main), so the hub always allows it. */
export const DESKTOP_APP_ORIGIN = 'app://shopguide';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid hub configuration: ${issues}`);
  }
  const e = parsed.data;
  return {
    host: e.HUB_HOST,
    port: e.HUB_PORT,
    dataDir: resolve(e.HUB_DATA_DIR),
    databaseUrl: e.DATABASE_URL || undefined,
    redisUrl: e.REDIS_URL || undefined,
    redisPrefix: e.HUB_REDIS_PREFIX,
    integrationKey: e.HUB_INTEGRATION_KEY,
    adminKey: e.HUB_ADMIN_KEY,
    listenBacklog: e.HUB_LISTEN_BACKLOG,
    listeners: e.HUB_LISTENERS,
    logLevel: e.HUB_LOG_LEVEL,
    dbConnectTimeoutMs: e.HUB_DB_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: e.HUB_REQUEST_TIMEOUT_MS,
    dbStatementTimeoutMs: e.HUB_DB_STATEMENT_TIMEOUT_MS,
    dbPoolMax: e.HUB_DB_POOL_MAX,
    dbPrepare: e.HUB_DB_PREPARE === 'on',
    slowStatementMs: e.HUB_SLOW_STATEMENT_MS,
    pgliteThread: e.HUB_PGLITE_THREAD,
    expirySweepMs: e.HUB_EXPIRY_SWEEP_MS,
    revocationCheckMs: e.HUB_REVOCATION_CHECK_MS,
    auditRetentionDays: e.HUB_AUDIT_RETENTION_DAYS,
    auditPruneMs: e.HUB_AUDIT_PRUNE_MS,
    updatesDir: e.HUB_UPDATES_DIR,
    consoleDir: resolve(e.HUB_CONSOLE_DIR),
    feedCacheMb: e.HUB_FEED_CACHE_MB,
    feedCacheTtlSeconds: e.HUB_FEED_CACHE_TTL_S,
    feedReadAheadPages: e.HUB_FEED_READ_AHEAD_PAGES,
    terminalCallsPerMinute: e.HUB_TERMINAL_CALLS_PER_MIN,
    integrationCallsPerMinute: e.HUB_INTEGRATION_CALLS_PER_MIN,
    adminCallsPerMinute: e.HUB_ADMIN_CALLS_PER_MIN,
    presenceSilenceMinutes: e.HUB_PRESENCE_SILENCE_MIN,
    registrationLookupsPerHour: e.HUB_REGISTRATION_LOOKUPS_PER_HOUR,
    customerFeedScope: e.HUB_CUSTOMER_FEED_SCOPE,
    storeScopeCap: e.HUB_STORE_SCOPE_CAP,
    onlineNearbyDays: e.HUB_ONLINE_NEARBY_DAYS,
    searchesPerHour: e.HUB_SEARCHES_PER_HOUR,
    followUpSweepMs: e.HUB_FOLLOW_UP_SWEEP_MS,
    followUpAfterPurchaseDays: e.HUB_FOLLOW_UP_AFTER_PURCHASE_DAYS,
    trustedProxies: e.HUB_TRUSTED_PROXIES.split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0),
    corsOrigins: [
      DESKTOP_APP_ORIGIN,
      ...e.HUB_CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
    ],
  };
}
