import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, type CrmCustomer, type OnlineEvent } from '../../shared/protocol';
import { callRoute } from '../support/api';
import { ensurePhoneHashKey } from '../../server/customers/phone-key';
import { upsertCrmCustomers } from '../../server/customers/crm';
import { eraseCustomer } from '../../server/customers/erase';
import { mergeCustomers } from '../../server/customers/merge';
import { recordOnlineEvents } from '../../server/customers/online-events';
import { CUSTOMER_COLUMNS, rowToFeedItem, type CustomerRow } from '../../server/customers/profile';
import type { Db } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { openTestPglite } from '../support/pglite-template';
import {
  asciiJson,
  customerFeedPage,
  materializeAllFeedJson,
  materializeFeedJson,
  startFeedJsonMaterializer,
} from '../../server/sync/feed-json';
import { describeOnBackends, describeOnPostgres } from '../support/backends';
import { createStoreFixture } from '../support/fixtures';
import { routePath } from '../support/http';
import type { HubProcess } from '../support/hub-process';
import { unique } from '../support/seed';
import { openFreshPostgres } from '../support/services';

/**
 * Stored feed JSON (server/sync/feed-json.ts), in process on each database: the feed must send
 * the same bytes whether a row's JSON is stored or mapped live, and never an outdated one.
 */
type InProcess = { db: Db; url?: string; drop(): Promise<void> };

async function openPgliteInProcess(): Promise<InProcess> {
  const db = await openTestPglite({ migrated: true });
  return { db, drop: () => db.close() };
}

const silentLog = {
  error: () => undefined,
  info: () => undefined,
  debug: () => undefined,
} as unknown as Parameters<typeof startFeedJsonMaterializer>[0]['log'];

function crmCustomers(n: number): CrmCustomer[] {
  const run = unique();
  return Array.from({ length: n }, (_, i) => ({
    crmId: `fj-${run}-${i}`,
    name: i % 3 === 0 ? `Anna ${i}` : `王芳${i}`,
    // every fourth without a phone: its feed item has null phone fields
    ...(i % 4 === 0
      ? {}
      : { phone: `+8613${String(800000000 + i * 7919 + Number(run)).slice(-9)}` }),
    tier: (['regular', 'silver', 'gold', 'platinum', 'diamond'] as const)[i % 5]!,
    points: i * 10,
    gender: 'female' as const,
    ...(i % 2 ? { birthday: '1990-05-0' + ((i % 9) + 1) } : {}),
    sizes: i % 2 ? { top: 'M', shoe: '37' } : {},
    favouriteCategories: i % 2 ? ['针织衫'] : [],
    tags: i % 5 === 0 ? ['vip', '新客'] : [],
    notes: i % 7 === 0 ? 'likes "quotes" and \\ backslashes\n' : '',
    consentMarketing: i % 2 === 0,
  }));
}

/** The whole feed as the route would send it, page by page. */
async function wholeFeed(db: Db, limit = 7): Promise<{ json: string[]; stored: number }> {
  const json: string[] = [];
  let stored = 0;
  let after = '0';
  for (;;) {
    const page = await customerFeedPage(db, { after, limit });
    json.push(page.itemsJson.toString('utf8'));
    stored += page.stored;
    after = page.cursor;
    if (!page.hasMore) return { json, stored };
  }
}

/** Every row mapped live with the hub's own mapping, in feed order. */
async function liveItems(db: Db) {
  const rows = await db.query<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from customers c order by c.seq`,
  );
  return rows.map(rowToFeedItem);
}

const itemsOf = (pages: string[]) => pages.flatMap((p) => JSON.parse(p) as unknown[]);

function inProcessSuite(kind: 'PGlite' | 'PostgreSQL', open: () => Promise<InProcess>) {
  return () => {
    let db: Db;
    let drop: () => Promise<void>;
    let url: string | undefined;
    let ids: string[];

    beforeAll(async () => {
      ({ db, drop, url } = await open());
      await migrate(db);
      await ensurePhoneHashKey(db);
      await upsertCrmCustomers(db, crmCustomers(30));
      ids = (await db.query<{ id: string }>('select id from customers order by seq')).map(
        (r) => r.id,
      );
      const events: OnlineEvent[] = ids.slice(0, 10).flatMap((id, i) => [
        {
          id: `ev-${unique()}-${i}-v`,
          customer: { customerId: id },
          type: 'viewed' as const,
          sku: `SKU-${i}`,
          channel: 'app' as const,
          at: new Date(Date.UTC(2026, 10, 1, 10, i)).toISOString(),
          dwellSeconds: 40 + i,
        },
        {
          id: `ev-${unique()}-${i}-o`,
          customer: { customerId: id },
          type: 'ordered' as const,
          channel: 'wechat' as const,
          at: new Date(Date.UTC(2026, 10, 2, 10, i)).toISOString(),
          amount: 12_300 + i,
        },
      ]);
      await recordOnlineEvents(db, events, { nearbyDays: 14 });
      // A chain of merges (one re-points an earlier tombstone) and an erasure: tombstones too.
      await mergeCustomers(db, { sourceId: ids[20]!, targetId: ids[21]! });
      await mergeCustomers(db, { sourceId: ids[21]!, targetId: ids[22]! });
      await eraseCustomer(db, { customerId: ids[23]!, reason: 'test' }, 'admin_cli');
    }, 120_000);
    afterAll(() => drop());

    it('sends the same bytes from stored JSON as mapped live, equal to the hub’s own mapping', async () => {
      const before = await wholeFeed(db);
      expect(before.stored).toBe(0);
      expect(itemsOf(before.json)).toEqual(await liveItems(db));

      expect(await materializeAllFeedJson(db, 8)).toBe(30);
      const after = await wholeFeed(db);
      expect(after.stored).toBe(30);
      expect(after.json).toEqual(before.json);
      expect(await materializeFeedJson(db)).toBe(0);
      // In ASCII, names and tags in Chinese included (asciiJson): what the terminal decodes fast.
      expect(JSON.stringify(itemsOf(after.json))).toMatch(/[\u4e00-\u9fff]/);
      expect(after.json.filter((page) => /[\u0080-\uffff]/.test(page))).toEqual([]);
    });

    it('maps a row written since live, with its new data, until the materializer catches up', async () => {
      await materializeAllFeedJson(db);
      const [target] = await db.query<CustomerRow>(
        `select ${CUSTOMER_COLUMNS} from customers c where c.id = $1`,
        [ids[5]],
      );
      const crm = crmCustomers(1)[0]!;
      await upsertCrmCustomers(db, [
        { ...crm, crmId: target!.crm_id!, name: '改名了', memberCode: target!.member_code },
      ]);
      const page = await customerFeedPage(db, { after: '0', limit: 5000 });
      expect(page.stored).toBe(29);
      const items = JSON.parse(page.itemsJson.toString('utf8')) as { id: string; name?: string }[];
      expect(items.filter((i) => i.id === ids[5])).toEqual([
        expect.objectContaining({ name: '改名了' }),
      ]);
      expect(items).toEqual(await liveItems(db));
      expect(await materializeFeedJson(db)).toBe(1);
      expect((await customerFeedPage(db, { after: '0', limit: 5000 })).itemsJson).toEqual(
        page.itemsJson,
      );
    });

    it('keeps no stored JSON of an erased customer’s data', async () => {
      await materializeAllFeedJson(db);
      const id = ids[6]!;
      const [before] = await db.query<{ feed_json: string }>(
        'select feed_json from customers where id = $1',
        [id],
      );
      const name = (JSON.parse(before!.feed_json) as { name: string }).name;
      await eraseCustomer(db, { customerId: id, reason: 'customer asked' }, 'admin_cli');
      const [erased] = await db.query<{ feed_json: string | null }>(
        'select feed_json from customers where id = $1',
        [id],
      );
      expect(erased!.feed_json).toBeNull();
      await materializeAllFeedJson(db);
      const [after] = await db.query<{ feed_json: string }>(
        'select feed_json from customers where id = $1',
        [id],
      );
      // Looked for decoded: the stored JSON writes a Chinese name as escapes.
      expect(JSON.stringify(JSON.parse(after!.feed_json))).not.toContain(name);
      expect(JSON.parse(after!.feed_json)).toMatchObject({ id, deleted: true });
    });

    it('re-writes the JSON of tombstones a later merge re-pointed', async () => {
      await materializeAllFeedJson(db);
      // ids[0] and ids[1] → ids[2], then ids[2] → ids[3]: ids[0]'s tombstone now points at ids[3].
      await mergeCustomers(db, { sourceId: ids[0]!, targetId: ids[2]! });
      await materializeAllFeedJson(db);
      await mergeCustomers(db, { sourceId: ids[2]!, targetId: ids[3]! });
      const stored = await customerFeedPage(db, { after: '0', limit: 5000 });
      const items = JSON.parse(stored.itemsJson.toString('utf8')) as {
        id: string;
        mergedInto?: string;
      }[];
      expect(items.find((i) => i.id === ids[0])).toMatchObject({ mergedInto: ids[3] });
      expect(items).toEqual(await liveItems(db));
    });

    it('runs in the background until every row is stored, and stops cleanly', async () => {
      await upsertCrmCustomers(db, crmCustomers(25));
      const materializer = startFeedJsonMaterializer({
        db,
        log: silentLog,
        intervalMs: 20,
        batch: 4,
      });
      try {
        await expect
          .poll(async () => (await customerFeedPage(db, { after: '0', limit: 5000 })).stored, {
            timeout: 20_000,
          })
          .toBe((await liveItems(db)).length);
      } finally {
        await materializer.stop();
      }
    });

    if (kind === 'PostgreSQL')
      it('skips a row another transaction holds instead of waiting for it', async () => {
        await upsertCrmCustomers(db, crmCustomers(3));
        const [held] = await db.query<{ id: string }>(
          'select id from customers where feed_json_seq is distinct from seq order by seq limit 1',
        );
        const other = new pg.Client({ connectionString: url });
        await other.connect();
        try {
          await other.query('begin');
          await other.query('select 1 from customers where id = $1 for update', [held!.id]);
          expect(await materializeFeedJson(db)).toBe(2);
          await other.query('commit');
          expect(await materializeFeedJson(db)).toBe(1);
        } finally {
          await other.end();
        }
      });
  };
}

describe('stored feed JSON, in process (PGlite)', inProcessSuite('PGlite', openPgliteInProcess));
describeOnPostgres('stored feed JSON, in process', inProcessSuite('PostgreSQL', openFreshPostgres));

describeOnBackends('stored feed JSON in a running hub', (backend) => {
  let hub: HubProcess;
  let token: string;
  let storeId: string;
  beforeAll(async () => {
    hub = await backend.startHub({ env: { HUB_FEED_CACHE_MB: '0' } });
    const store = await createStoreFixture(hub);
    token = store.terminals[0]!.token;
    storeId = store.storeId;
  });
  afterAll(() => backend.cleanup());

  it('writes the JSON of new customers in the background: later pages are built from it', async () => {
    // Homed at the terminal's store: its (store-scoped) feed carries them.
    const written = await callRoute(hub, endpoints.importCustomers, {
      body: { customers: crmCustomers(40).map((c) => ({ ...c, homeStoreId: storeId })) },
    });
    expect(written.body.results.filter((r) => r.status === 'accepted')).toHaveLength(40);
    const stored = async () => {
      const response = await fetch(
        // raw: the test reads a response header the typed client does not surface
        `${hub.url}${routePath(endpoints.syncCustomers, undefined, { limit: 5000 })}`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      return response.headers.get('x-feed-stored');
    };
    await expect.poll(stored, { timeout: 20_000, interval: 200 }).toBe('40/40');
  });
});

describe('asciiJson: the feed JSON in ASCII', () => {
  it('writes every character beyond ASCII as an escape and parses back to the same value', () => {
    const value = {
      name: '王芳 Anna',
      notes: 'line\nbreak, "quotes", \\ backslash, \u0007 bell, é, 😀 beyond the BMP',
      tags: ['新客', 'vip'],
      n: 1.5,
    };
    const json = asciiJson(JSON.stringify(value));
    expect(json).toMatch(/^[\u0020-\u007e]*$/);
    expect(json).toContain('\\u738b\\u82b3');
    expect(json).toContain('\\ud83d\\ude00');
    expect(JSON.parse(json)).toEqual(value);
    // ASCII JSON is left as it is.
    const plain = JSON.stringify({ a: 'b', c: [1, 2] });
    expect(asciiJson(plain)).toBe(plain);
  });
});
