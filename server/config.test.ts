import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('hub configuration', () => {
  it('defaults to loopback, port 4600 and the embedded database in .hub-data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 4600,
      databaseUrl: undefined,
      redisUrl: undefined,
    });
    expect(config.dataDir.endsWith('.hub-data')).toBe(true);
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      HUB_HOST: '0.0.0.0',
      HUB_PORT: '8080',
      DATABASE_URL: 'postgres://u@db/shopguide',
      REDIS_URL: 'redis://cache:6379',
      HUB_INTEGRATION_KEY: 'k'.repeat(20),
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      databaseUrl: 'postgres://u@db/shopguide',
      redisUrl: 'redis://cache:6379',
      integrationKey: 'k'.repeat(20),
    });
  });

  it('reads the abuse limits: trusted proxies and the terminal, integration and admin call limits', () => {
    expect(loadConfig({})).toMatchObject({
      trustedProxies: [],
      terminalCallsPerMinute: 3_000,
      integrationCallsPerMinute: 60_000,
      adminCallsPerMinute: 600,
    });
    expect(
      loadConfig({
        HUB_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1',
        HUB_TERMINAL_CALLS_PER_MIN: '600',
        HUB_INTEGRATION_CALLS_PER_MIN: '180000',
        HUB_ADMIN_CALLS_PER_MIN: '1200',
      }),
    ).toMatchObject({
      trustedProxies: ['10.0.0.0/8', '127.0.0.1'],
      terminalCallsPerMinute: 600,
      integrationCallsPerMinute: 180_000,
      adminCallsPerMinute: 1_200,
    });
  });

  it('refuses a call limit that is not a positive whole number, naming it', () => {
    for (const name of [
      'HUB_TERMINAL_CALLS_PER_MIN',
      'HUB_INTEGRATION_CALLS_PER_MIN',
      'HUB_ADMIN_CALLS_PER_MIN',
    ])
      for (const value of ['0', '-5', '1.5', 'lots'])
        expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(
          new RegExp(`^Invalid hub configuration: ${name}: `),
        );
  });

  it('keeps a deployment under its own Redis prefix (HUB_REDIS_PREFIX, default shopguide)', () => {
    expect(loadConfig({}).redisPrefix).toBe('shopguide');
    for (const prefix of ['staging', 'chain-2:prod', 'a', 'A_b-c:9', 'p'.repeat(64)])
      expect(loadConfig({ HUB_REDIS_PREFIX: prefix }).redisPrefix).toBe(prefix);
    // Empty, too long, or a character Redis reads as a pattern (the adapter subscribes with
    // `<prefix>:io#/terminal#*`) or that would blur where the prefix ends.
    for (const prefix of [
      '',
      'p'.repeat(65),
      'shop*',
      'shop?',
      'shop[1]',
      'shop#1',
      'shop guide',
      'shöp',
    ])
      expect(() => loadConfig({ HUB_REDIS_PREFIX: prefix }), prefix).toThrow(
        /^Invalid hub configuration: HUB_REDIS_PREFIX: 1 to 64 characters of A-Z a-z 0-9 : _ -/,
      );
  });

  it('reads HUB_LISTENERS (default auto, else 1 to 16)', () => {
    expect(loadConfig({}).listeners).toBe('auto');
    expect(loadConfig({ HUB_LISTENERS: 'auto' }).listeners).toBe('auto');
    expect(loadConfig({ HUB_LISTENERS: '8' }).listeners).toBe(8);
    for (const bad of ['0', '17', 'many'])
      expect(() => loadConfig({ HUB_LISTENERS: bad })).toThrow(
        /^Invalid hub configuration: HUB_LISTENERS: /,
      );
  });

  it('reads the listen backlog (HUB_LISTEN_BACKLOG, default 4,096)', () => {
    expect(loadConfig({}).listenBacklog).toBe(4_096);
    expect(loadConfig({ HUB_LISTEN_BACKLOG: '16384' }).listenBacklog).toBe(16_384);
    expect(() => loadConfig({ HUB_LISTEN_BACKLOG: '0' })).toThrow(/HUB_LISTEN_BACKLOG/);
  });

  it('reads the request timeout (HUB_REQUEST_TIMEOUT_MS, default 30 s, 1 s – 1 h)', () => {
    expect(loadConfig({}).requestTimeoutMs).toBe(30_000);
    expect(loadConfig({ HUB_REQUEST_TIMEOUT_MS: '5000' }).requestTimeoutMs).toBe(5_000);
    for (const bad of ['999', '3600001', '2.5', 'soon'])
      expect(() => loadConfig({ HUB_REQUEST_TIMEOUT_MS: bad })).toThrow(
        /^Invalid hub configuration: HUB_REQUEST_TIMEOUT_MS: /,
      );
  });

  it('sizes the PostgreSQL pool per node (HUB_DB_POOL_MAX, default 10)', () => {
    expect(loadConfig({}).dbPoolMax).toBe(10);
    expect(loadConfig({ HUB_DB_POOL_MAX: '40' }).dbPoolMax).toBe(40);
    expect(() => loadConfig({ HUB_DB_POOL_MAX: '0' })).toThrow(/HUB_DB_POOL_MAX/);
  });

  it("gives each store's terminals their store's members (HUB_CUSTOMER_FEED_SCOPE, default store)", () => {
    expect(loadConfig({}).customerFeedScope).toBe('store');
    expect(loadConfig({ HUB_CUSTOMER_FEED_SCOPE: 'chain' }).customerFeedScope).toBe('chain');
    expect(() => loadConfig({ HUB_CUSTOMER_FEED_SCOPE: 'region' })).toThrow(
      /HUB_CUSTOMER_FEED_SCOPE/,
    );
  });

  it('names the bad setting instead of starting half-configured', () => {
    expect(() => loadConfig({ HUB_PORT: 'eighty' })).toThrow(/HUB_PORT/);
    expect(() => loadConfig({ HUB_INTEGRATION_KEY: 'short' })).toThrow(/HUB_INTEGRATION_KEY/);
  });
});
