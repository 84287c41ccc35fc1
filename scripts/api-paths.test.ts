import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

/** The REST-path messages ESLint gives `code` as if it were the file at `filePath`. */
async function pathErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

const REFUSED = expect.stringContaining('REST paths come from the endpoint table');

describe('one contract with the hub (issue #14)', () => {
  it('fails lint on a REST path written as a free string in a test', async () => {
    const planted = [
      `export const r = call(hub, 'POST', '/api/v1/orders', { orders: [] });\n`,
      'export const r = call(hub, `GET`, `/api/v1/alerts?since=${since}`);\n',
      'export const r = fetch(`${hub.url}/api/v1/terminal`);\n',
      `export const paths = ["/api/v1/sync/customers"];\n`,
      // a raw helper by any other name does not count as a deliberate raw call
      `export const r = raw(hub, '/api/v1/orders', '[');\n`,
    ];
    for (const code of planted)
      expect(await pathErrors('test/integration/violation.test.ts', code), code).toEqual([REFUSED]);
  });

  it('fails lint on one in the renderer, the hub, scripts and the benchmarks too', async () => {
    const code = `export const url = base + '/api/v1/orders';\n`;
    for (const file of [
      'renderer/sync/violation.ts',
      'server/orders/violation.ts',
      'scripts/violation.ts',
      'test/bench/violation.ts',
      'shared/protocol/violation.ts',
    ])
      expect(await pathErrors(file, code), file).toEqual([REFUSED]);
  });

  it('allows the prefix in shared/protocol/common.ts and a path a rawCall sends on purpose', async () => {
    expect(
      await pathErrors('shared/protocol/common.ts', `export const API_PREFIX = '/api/v1';\n`),
    ).toEqual([]);
    expect(
      await pathErrors(
        'test/integration/allowed.test.ts',
        `export const r = rawCall(hub, 'GET', '/api/v1/nope');\n` +
          'export const s = rawCall(hub, `POST`, `/api/v1/orders/${id}`);\n',
      ),
    ).toEqual([]);
    // built from the endpoint table: nothing to refuse
    expect(
      await pathErrors(
        'test/integration/allowed.test.ts',
        'export const r = rawCall(hub, `POST`, routePath(endpoints.postOrders), `[`);\n',
      ),
    ).toEqual([]);
  });
});
