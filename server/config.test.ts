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

  it('reads the abuse limits: trusted proxies and the per-terminal and admin call limits', () => {
    expect(loadConfig({})).toMatchObject({
      trustedProxies: [],
      terminalCallsPerMinute: 3_000,
      adminCallsPerMinute: 600,
    });
    expect(
      loadConfig({
        HUB_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1',
        HUB_TERMINAL_CALLS_PER_MIN: '600',
        HUB_ADMIN_CALLS_PER_MIN: '1200',
      }),
    ).toMatchObject({
      trustedProxies: ['10.0.0.0/8', '127.0.0.1'],
      terminalCallsPerMinute: 600,
      adminCallsPerMinute: 1_200,
    });
  });

  it('sizes the PostgreSQL pool per node (HUB_DB_POOL_MAX, default 10)', () => {
    expect(loadConfig({}).dbPoolMax).toBe(10);
    expect(loadConfig({ HUB_DB_POOL_MAX: '40' }).dbPoolMax).toBe(40);
    expect(() => loadConfig({ HUB_DB_POOL_MAX: '0' })).toThrow(/HUB_DB_POOL_MAX/);
  });

  it('names the bad setting instead of starting half-configured', () => {
    expect(() => loadConfig({ HUB_PORT: 'eighty' })).toThrow(/HUB_PORT/);
    expect(() => loadConfig({ HUB_INTEGRATION_KEY: 'short' })).toThrow(/HUB_INTEGRATION_KEY/);
  });
});
