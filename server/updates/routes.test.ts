import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandling } from '../http/errors';
import { parseRange, registerUpdateRoutes } from './routes';

let dir: string;
let app: FastifyInstance;
const installer = Buffer.from('0123456789'.repeat(10));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sg-updates-'));
  writeFileSync(join(dir, 'latest.yml'), 'version: 0.2.0\npath: ShopGuide-0.2.0-win-x64.exe\n');
  writeFileSync(join(dir, 'ShopGuide-0.2.0-win-x64.exe'), installer);
  writeFileSync(join(dir, '.env'), 'SECRET=1');
  app = Fastify();
  installErrorHandling(app);
  registerUpdateRoutes(app, dir);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('update feed', () => {
  it('serves the channel file uncached, so terminals see a new release at once', async () => {
    const res = await app.inject('/updates/latest.yml');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('version: 0.2.0');
    expect(res.headers['content-type']).toMatch(/yaml/);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('serves installers whole and by byte range (resumed downloads)', async () => {
    const whole = await app.inject('/updates/ShopGuide-0.2.0-win-x64.exe');
    expect(whole.rawPayload.equals(installer)).toBe(true);
    const part = await app.inject({
      url: '/updates/ShopGuide-0.2.0-win-x64.exe',
      headers: { range: 'bytes=10-19' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.body).toBe('0123456789');
    expect(part.headers['content-range']).toBe('bytes 10-19/100');
    const bad = await app.inject({
      url: '/updates/ShopGuide-0.2.0-win-x64.exe',
      headers: { range: 'bytes=500-' },
    });
    expect(bad.statusCode).toBe(416);
  });

  it('never serves anything outside the updates dir or hidden files', async () => {
    for (const url of ['/updates/.env', '/updates/..%2fpackage.json', '/updates/nope.yml']) {
      const res = await app.inject(url);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('parses single byte ranges', () => {
    expect(parseRange('bytes=0-', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=2-100', 10)).toEqual({ start: 2, end: 9 });
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
    expect(parseRange('bytes=9-2', 10)).toBeNull();
  });
});
