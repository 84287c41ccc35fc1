import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../shared/api-client';
import { endpoints, PACKED_JSON } from '../../shared/protocol';
import { callRoute } from '../support/api';
import { createStoreFixture } from '../support/fixtures';
import { startHub, type HubProcess } from '../support/hub-process';
import { routePath } from '../support/http';
import { unique } from '../support/seed';

const ACCEPT = `${PACKED_JSON}, application/json;q=0.9`;

/**
 * Customer feed pages packed for the terminal (shared/protocol/endpoint-def.ts, `packed`): asked
 * for by `Accept`, a full page comes as its gzipped JSON with the packed media type — the body
 * itself, not a content-encoding — and the shared API client inflates it. Everything else about
 * the answer is as it was: the same JSON inside, plain JSON for other callers, for a page with a
 * total and for the last page.
 */
describe('customer feed pages packed for the terminal', () => {
  let hub: HubProcess;
  let token: string;
  const tag = unique();

  beforeAll(async () => {
    hub = await startHub();
    const store = await createStoreFixture(hub);
    token = store.terminals[0]!.token;
    const customers = Array.from({ length: 12 }, (_, i) => ({
      crmId: `crm-packed-${tag}-${i}`,
      name: `打包顾客${i}`,
      phone: `138${String(tag).padStart(6, '0').slice(-6)}${String(i).padStart(2, '0')}`,
      memberCode: `MPACK${tag}X${i}`,
      homeStoreId: store.storeId,
    }));
    const r = await callRoute(hub, endpoints.importCustomers, { body: { customers } });
    expect(r.status).toBe(200);
    expect(r.body.results.every((x) => x.status === 'accepted')).toBe(true);
  });
  afterAll(() => hub?.kill());

  // raw: the test reads the answer's media type, its encoding and its exact bytes
  const get = (query: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${hub.url}${routePath(endpoints.syncCustomers, undefined, query)}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });

  it('answers a full page packed when asked, the same JSON inside as the plain answer', async () => {
    const query = { after: '0', limit: 5, withTotal: false };
    const plain = await get(query);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
    const plainText = await plain.text();
    expect((JSON.parse(plainText) as { hasMore: boolean }).hasMore).toBe(true);

    const packed = await get(query, { accept: ACCEPT });
    expect(packed.status).toBe(200);
    expect(packed.headers.get('content-type')).toBe(PACKED_JSON);
    // The body itself is the gzip: nothing for the browser's network service to undo.
    expect(packed.headers.get('content-encoding')).toBeNull();
    expect(packed.headers.get('vary')).toMatch(/\baccept\b/);
    const bytes = Buffer.from(await packed.arrayBuffer());
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(bytes).toString('utf8')).toBe(plainText);
  });

  it('answers plain JSON where the page is not packed: not asked, refused, a total, the last page', async () => {
    const full = { after: '0', limit: 5, withTotal: false };
    const cases = [
      await get(full, { accept: 'application/json' }),
      await get(full, { accept: '*/*' }),
      await get(full, { accept: `${PACKED_JSON};q=0, application/json` }),
      await get({ ...full, withTotal: true }, { accept: ACCEPT }),
      await get({ after: '0', limit: 500, withTotal: false }, { accept: ACCEPT }),
    ];
    for (const answer of cases) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(await answer.text())).toHaveProperty('items');
    }
  });

  it('the API client asks for packed pages and reads them as the plain ones', async () => {
    const seen: (string | null)[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      seen.push(response.headers.get('content-type'));
      return response;
    };
    const pull = async (client: ReturnType<typeof createApiClient>) => {
      const rows: unknown[] = [];
      let after = '0';
      for (let n = 0; n < 100; n++) {
        const page = await client.call(endpoints.syncCustomers, {
          query: { after, limit: 5, withTotal: false },
        });
        if (!page.ok) throw new Error(page.error.message);
        rows.push(...page.value.items);
        if (!page.value.hasMore) return rows;
        after = page.value.cursor;
      }
      throw new Error('the feed did not end');
    };
    const packedRows = await pull(
      createApiClient({
        baseUrl: hub.url,
        credentials: { terminal: () => token },
        fetch: recording,
      }),
    );
    expect(seen.filter((t) => t === PACKED_JSON).length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toMatch(/^application\/json/);

    // The same rows as a caller that never asks (its fetch drops the packed media type).
    const plainOnly: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.delete('accept');
      return fetch(input, { ...init, headers });
    };
    const plainRows = await pull(
      createApiClient({
        baseUrl: hub.url,
        credentials: { terminal: () => token },
        fetch: plainOnly,
      }),
    );
    expect(packedRows.length).toBeGreaterThanOrEqual(12);
    expect(packedRows).toEqual(plainRows);
  });
});

/**
 * What the client makes of a packed answer that is not what it says: a body cut off or corrupt
 * (a hub killed mid-page, a broken proxy) is a network failure to retry, never a throw; a packed
 * body whose JSON the schema refuses is `invalid_response`, as a plain one would be.
 */
describe('the API client and a bad packed answer', () => {
  let server: Server;
  let baseUrl: string;
  const page = { items: [], cursor: '9', hasMore: true, feed: 'chain' };
  const bodies = {
    good: gzipSync(JSON.stringify(page)),
    // UTF-8 beyond ASCII across many pieces of the inflated stream: no character cut in two.
    long: gzipSync(JSON.stringify({ ...page, items: [{ name: '王芳😀'.repeat(60_000) }] })),
    cut: gzipSync(JSON.stringify(page)).subarray(0, 12),
    garbage: Buffer.from('not gzip at all, but said to be'),
    wrongShape: gzipSync(JSON.stringify({ items: 'none' })),
  };
  /** What the server answers next, whatever was asked. */
  let answering: keyof typeof bodies = 'good';

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': PACKED_JSON });
      response.end(bodies[answering]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const pullFrom = (body: keyof typeof bodies) => {
    answering = body;
    return createApiClient({ baseUrl, credentials: { terminal: () => 'token' } }).call(
      endpoints.syncCustomers,
      { query: { after: '0', limit: 5, withTotal: false } },
    );
  };

  it('reads a good one', async () => {
    const answer = await pullFrom('good');
    expect(answer.ok && answer.value.cursor).toBe('9');
  });

  it('reads one whose characters span the pieces it is inflated in', async () => {
    const answer = await pullFrom('long');
    expect(answer.ok && answer.value.items).toEqual([{ name: '王芳😀'.repeat(60_000) }]);
  });

  it('a cut or corrupt one is a network failure', async () => {
    for (const body of ['cut', 'garbage'] as const) {
      const answer = await pullFrom(body);
      expect(answer.ok).toBe(false);
      if (!answer.ok) expect(answer.error.code).toBe('network');
    }
  });

  it('one the schema refuses is an invalid response', async () => {
    const answer = await pullFrom('wrongShape');
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error.code).toBe('invalid_response');
  });
});
