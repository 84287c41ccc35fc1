import rateLimit from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { hashSecret } from '../auth/secrets';

/**
 * Rate limits, counted by `@fastify/rate-limit`'s stores: in memory on one node, in Redis (shared
 * by every node) when REDIS_URL is set. A Redis outage never refuses a request: the limiter skips
 * on error (the store's client has no offline queue and a short command timeout, so a dead Redis
 * answers at once), and requests are let through unthrottled until it is back.
 *
 * Numbers (see docs/reliability.md, "Abuse resistance"):
 * - failed authentication: 20 a minute per client address, 10 a minute per presented credential.
 *   A terminal makes one successful call at a time with one token, so it never fails 10 times;
 *   an integrator with a mistyped key sees 401 ten times, then 429 with Retry-After.
 * - normal traffic, counted only after the credential is verified: 3,000 calls a minute per
 *   terminal (50/s for a whole minute; a terminal's sync, orders and audit uploads make a few calls
 *   a second at most, an initial sync of 1 M customers is 200 feed pages); 60,000 a minute for
 *   the integration key, which every head-office system shares and presence sources call at
 *   hundreds a second at peaks (the hub bench sends 200/s; 60,000 is 1,000/s, which a large
 *   chain's 11.11 burst exceeds: docs/scaling.md, "Sizing the call limits"); 600 a minute for the
 *   admin key. Each is a default: HUB_TERMINAL_CALLS_PER_MIN, HUB_INTEGRATION_CALLS_PER_MIN and
 *   HUB_ADMIN_CALLS_PER_MIN set them (server/config.ts).
 *
 * With Redis, every counter's key starts with `<HUB_REDIS_PREFIX>:rl:` (`shopguide:rl:` by
 * default), so two deployments on one Redis never share a counter.
 */
export const AUTH_FAILURES_PER_ADDRESS = 20;
export const AUTH_FAILURES_PER_CREDENTIAL = 10;
export const TRAFFIC_PER_MINUTE = { terminal: 3_000, integration: 60_000, admin: 600 };
const WINDOW_MS = 60_000;

/**
 * A credential that verified recently is trusted past a blocked address: a store whose shared
 * address is flooded with wrong tokens keeps working, while a credential not seen before must wait
 * for the window (it is refused before the database is asked, so guessing from a blocked address
 * learns nothing). Per node, so after a restart a terminal re-earns trust with one success.
 */
const TRUSTED_FOR_MS = 60 * 60_000;
const MAX_TRUSTED = 20_000;

export type PrincipalKind = keyof typeof TRAFFIC_PER_MINUTE;

export type Throttle = {
  /** Seconds to wait when this address or credential has failed too often, else null. */
  authBlockedFor(address: string, credential: string | null): Promise<number | null>;
  /** Counts one failed authentication against the address and the credential. */
  authFailed(address: string, credential: string | null): Promise<void>;
  /** Marks a credential as verified (trusted past a blocked address for a while). */
  authSucceeded(credential: string): void;
  /** Counts one call of a verified principal; seconds to wait when over its limit, else null. */
  overUse(kind: PrincipalKind, id: string): Promise<number | null>;
  close(): Promise<void>;
};

/** What the limiter's key generator reads; the plugin needs little of a request (see below). */
type LimiterInput = { routeOptions: { config: Record<string, never> }; limiterKey: string };
type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

async function check(limiter: Limiter, key: string, increment: boolean) {
  // The limiter only reads `routeOptions.config` and what our key generator reads, so counters for
  // addresses, credentials and terminals share one store without a real request.
  const input: LimiterInput = { routeOptions: { config: {} }, limiterKey: key };
  return limiter(input as unknown as FastifyRequest, { increment });
}

const keyOf = (request: FastifyRequest) => (request as unknown as LimiterInput).limiterKey;

export async function createThrottle(
  app: FastifyInstance,
  options: {
    redisUrl: string | undefined;
    /** HUB_REDIS_PREFIX: with Redis, counters are kept under `<prefix>:rl:` */
    redisPrefix: string;
    log: FastifyBaseLogger;
    /** per-terminal calls a minute (HUB_TERMINAL_CALLS_PER_MIN; TRAFFIC_PER_MINUTE.terminal) */
    terminalCallsPerMinute?: number;
    /** integration-key calls a minute (HUB_INTEGRATION_CALLS_PER_MIN; TRAFFIC_PER_MINUTE.integration) */
    integrationCallsPerMinute?: number;
    /** admin-key calls a minute (HUB_ADMIN_CALLS_PER_MIN; TRAFFIC_PER_MINUTE.admin) */
    adminCallsPerMinute?: number;
  },
): Promise<Throttle> {
  let redis: Redis | null = null;
  if (options.redisUrl) {
    const { Redis: RedisClient } = await import('ioredis');
    redis = new RedisClient(options.redisUrl, {
      lazyConnect: true,
      // Fail commands at once while disconnected instead of queueing them behind the outage.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 250,
    });
    let down = false;
    redis.on('error', (error: Error) => {
      if (down) return;
      down = true;
      options.log.warn({ err: error }, 'rate-limit store (Redis) unavailable; not throttling');
    });
    redis.on('ready', () => {
      if (down) options.log.info('rate-limit store (Redis) back');
      down = false;
    });
    redis.connect().catch(() => undefined);
  }
  await app.register(rateLimit, {
    global: false,
    skipOnError: true,
    nameSpace: `${options.redisPrefix}:rl:`,
    ...(redis ? { redis } : {}),
  });
  const limiter = (max: number) =>
    app.createRateLimit({ max, timeWindow: WINDOW_MS, skipOnError: true, keyGenerator: keyOf });
  const perAddress = limiter(AUTH_FAILURES_PER_ADDRESS);
  const perCredential = limiter(AUTH_FAILURES_PER_CREDENTIAL);
  const traffic = {
    terminal: limiter(options.terminalCallsPerMinute ?? TRAFFIC_PER_MINUTE.terminal),
    integration: limiter(options.integrationCallsPerMinute ?? TRAFFIC_PER_MINUTE.integration),
    admin: limiter(options.adminCallsPerMinute ?? TRAFFIC_PER_MINUTE.admin),
  };
  const trusted = new Map<string, number>();
  // Counters are kept under a hash: Redis never holds a credential.
  const credentialKey = (credential: string) => `cred:${hashSecret(credential).slice(0, 32)}`;

  const blockedRead = async (l: Limiter, key: string): Promise<number | null> => {
    const result = await check(l, key, false);
    if (result.isAllowed || result.remaining > 0) return null;
    return Math.max(1, result.ttlInSeconds);
  };

  return {
    async authBlockedFor(address, credential) {
      const key = credential === null ? null : credentialKey(credential);
      if (key !== null) {
        // Trusted: verified here since its last failure (a failure ends the trust), so neither
        // counter can hold it back; this saves two store reads on every legitimate call.
        const until = trusted.get(key);
        if (until !== undefined && until > Date.now()) return null;
        const byCredential = await blockedRead(perCredential, key);
        if (byCredential !== null) return byCredential;
      }
      return blockedRead(perAddress, `addr:${address}`);
    },
    async authFailed(address, credential) {
      await check(perAddress, `addr:${address}`, true);
      if (credential === null) return;
      trusted.delete(credentialKey(credential)); // a revoked token is trusted no longer
      await check(perCredential, credentialKey(credential), true);
    },
    authSucceeded(credential) {
      const key = credentialKey(credential);
      trusted.delete(key); // re-inserted at the end: the map's order is least recently verified first
      trusted.set(key, Date.now() + TRUSTED_FOR_MS);
      if (trusted.size > MAX_TRUSTED) trusted.delete(trusted.keys().next().value!);
    },
    async overUse(kind, id) {
      const result = await check(traffic[kind], `use:${kind}:${id}`, true);
      if (result.isAllowed || !result.isExceeded) return null;
      return Math.max(1, result.ttlInSeconds);
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
