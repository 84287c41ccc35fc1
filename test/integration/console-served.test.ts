import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '../../shared/protocol';
import { buildCsp } from '../../shared/web/csp';
import { buildConsole } from '../../scripts/build-console.mjs';
import { callRoute } from '../support/api';
import { createStoreFixture } from '../support/fixtures';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';

/**
 * Head office's console (issue #15 item 6) as the hub serves it: a static page under the strict
 * CSP, with no inline script and no data in it — every figure needs the admin key.
 */
describe('the head-office console served by the hub', () => {
  let dir: string;
  let hub: HubProcess;
  let storeName: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-console-'));
    await buildConsole(dir);
    hub = await startHub({ env: { HUB_CONSOLE_DIR: dir } });
    storeName = (await createStoreFixture(hub, { name: '控制台测试店' })).name;
  });
  afterAll(async () => {
    await hub?.kill();
    if (hub) removeDataDir(hub);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page and its files with the strict CSP, no inline script, and no data', async () => {
    const redirect = await fetch(`${hub.url}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/console/');

    const page = await fetch(`${hub.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy');
    expect(csp).toBe(buildCsp(null));
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    // The only script is the bundle, by URL: no inline code for the CSP to allow.
    expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script type="module" src="console.js">',
    ]);
    expect(html).toMatch(/<script[^>]*><\/script>/);

    const script = await fetch(`${hub.url}/console/console.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toBe(buildCsp(null));
    // Neither the page nor its bundle carries the chain's data.
    for (const body of [html, await script.text()]) expect(body).not.toContain(storeName);
  });

  it('serves nothing outside its folder', async () => {
    for (const path of ['/console/..%2fpackage.json', '/console/.env', '/console/x.ts'])
      expect((await fetch(`${hub.url}${path}`)).status, path).toBe(404);
  });

  it('gives the admin API nothing without the key', async () => {
    const query = { from: '2026-11-16', to: '2026-11-17' };
    const stats = await callRoute(
      hub,
      endpoints.adminChainStats,
      { query },
      { adminKey: 'x'.repeat(20) },
    );
    expect(stats.status).toBe(401);
    expect(JSON.stringify(stats.body)).not.toContain(storeName);
    const statement = await callRoute(
      hub,
      endpoints.adminCreditStatementCsv,
      { query },
      { adminKey: 'y'.repeat(20) },
    );
    expect(statement.status).toBe(401);
  });
});
