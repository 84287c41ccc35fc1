import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints, type CustomerFeedItem } from '../../shared/protocol';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture } from '../support/fixtures';
import { callRoute } from '../support/api';
import { routePath } from '../support/http';
import type { HubProcess } from '../support/hub-process';
import { unique } from '../support/seed';

type Page = { items: CustomerFeedItem[]; cursor: string; hasMore: boolean; total?: number };
type Fetched = { cache: string | null; text: string; page: Page };

/** One customer feed page as the terminal gets it: the raw body and the cache header. */
async function feedPage(
  hub: Pick<HubProcess, 'url'>,
  token: string,
  after: string,
  limit: number,
  withTotal = false,
): Promise<Fetched> {
  // raw: the test reads the body's exact text and the cache header
  const path = routePath(endpoints.syncCustomers, undefined, { after, limit, withTotal });
  const response = await fetch(`${hub.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  const text = await response.text();
  return { cache: response.headers.get('x-feed-cache'), text, page: JSON.parse(text) as Page };
}

/**
 * A page's rows as JSON text with its characters as they are: the hub writes the feed in ASCII
 * (`\uXXXX` beyond it, server/sync/feed-json.ts), so a name in Chinese is looked for here.
 */
const decoded = (fetched: Fetched) => JSON.stringify(fetched.page.items);

/** A whole pull from cursor 0, page by page. */
async function pullAll(hub: HubProcess, token: string, limit: number): Promise<Fetched[]> {
  const pages: Fetched[] = [];
  let after = '0';
  for (let n = 0; n < 1000; n++) {
    const fetched = await feedPage(hub, token, after, limit);
    pages.push(fetched);
    after = fetched.page.cursor;
    if (!fetched.page.hasMore) return pages;
  }
  throw new Error('feed did not end');
}

/** What a terminal's cache holds after applying these pages: last version wins, tombstones go. */
function fold(pages: Fetched[]): Map<string, string> {
  const view = new Map<string, string>();
  for (const { page } of pages)
    for (const item of page.items) {
      if ('deleted' in item) view.delete(item.id);
      else view.set(item.id, JSON.stringify(item));
    }
  return view;
}

/**
 * The customer feed's page cache: many terminals syncing from scratch get the same full pages, so
 * the hub builds each once. A cached page may be older than the rows it holds, never wrong, and
 * an erasure empties the cache so erased data is not served from it.
 */
describeOnBackends('customer feed page cache', (backend) => {
  let hub: HubProcess;
  let token: string;
  let storeId: string;
  const tag = unique();
  // Two-digit suffixes, so no name or member code is a substring of another.
  const crm = Array.from({ length: 24 }, (_, i) => String(i).padStart(2, '0')).map((n) => ({
    crmId: `crm-cache-${tag}-${n}`,
    name: `缓存顾客${n}`,
    phone: `137${String(tag).padStart(6, '0').slice(-6)}${n}`,
    memberCode: `MCACHE${tag}X${n}`,
  }));
  /** Imports (or updates) members, homed at `home`: the store-scoped feed carries them there. */
  const pushCrm = async (customers: typeof crm, to: HubProcess = hub, home = storeId) => {
    const r = await callRoute(to, endpoints.importCustomers, {
      body: { customers: customers.map((c) => ({ ...c, homeStoreId: home })) },
    });
    expect(r.status).toBe(200);
    expect(r.body.results.every((x) => x.status === 'accepted')).toBe(true);
  };
  const idOf = (pages: Fetched[], memberCode: string) =>
    pages.flatMap((p) => p.page.items).find((i) => 'memberCode' in i && i.memberCode === memberCode)
      ?.id;

  beforeAll(async () => {
    hub = await backend.startHub();
    const store = await createStoreFixture(hub);
    token = store.terminals[0]!.token;
    storeId = store.storeId;
    await pushCrm(crm);
  });
  afterAll(() => backend.cleanup());

  it('serves a second initial sync from the cache, byte for byte the same feed', async () => {
    const first = await pullAll(hub, token, 10);
    expect(first.length).toBeGreaterThanOrEqual(3);
    // The first page is built for the request (the next ones may have been built ahead, below).
    expect(first[0]!.cache).toBe('miss');

    const second = await pullAll(hub, token, 10);
    expect(second.map((p) => p.text)).toEqual(first.map((p) => p.text));
    // Every full page came from the cache; the last, partial one is always built fresh.
    expect(second.slice(0, -1).every((p) => p.cache === 'hit')).toBe(true);
    expect(second.at(-1)!.cache).toBe('miss');

    // The progress total is counted live, also on a cached page.
    const counted = await feedPage(hub, token, '0', 10, true);
    expect(counted.cache).toBe('hit');
    expect(counted.page.total).toBe(first.reduce((n, p) => n + p.page.items.length, 0));
  });

  it('builds the next pages ahead while a terminal takes one in (issue #17 item 4)', async () => {
    // A page size no other test uses: none of these pages is held yet.
    const firstPage = await feedPage(hub, token, '0', 6);
    expect(firstPage.cache).toBe('miss');
    expect(firstPage.page.hasMore).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const next = await feedPage(hub, token, firstPage.page.cursor, 6);
    expect(next.cache).toBe('hit');
    // The same page a request builds: a reader never sees a difference.
    const rest = await pullAll(hub, token, 6);
    expect(rest[1]!.text).toBe(next.text);
  });

  it('a cached page can be older than its rows, and the reader still ends at the current state', async () => {
    const before = await pullAll(hub, token, 10);
    // Change a customer on the first (cached) page.
    const changed = crm.find((c) => idOf(before.slice(0, 1), c.memberCode) !== undefined)!;
    await pushCrm([{ ...changed, name: '已改名' }]);

    const after = await pullAll(hub, token, 10);
    expect(after[0]!.cache).toBe('hit');
    expect(decoded(after[0]!)).toContain(changed.name); // the old version, from the cache…
    const view = fold(after);
    const id = idOf(before, changed.memberCode)!;
    expect(JSON.parse(view.get(id)!)).toMatchObject({ name: '已改名' }); // …then the new one

    // The same as a reader whose pages were all built now (another page size, so no cache).
    const live = await pullAll(hub, token, 7);
    expect(live[0]!.cache).toBe('miss');
    expect(fold(after)).toEqual(fold(live));
  });

  /**
   * Pulls the whole feed in pages of 10 (so its first page is cached), then erases, through
   * `via`, a member that first page holds: the member, and her id.
   */
  const eraseACachedMember = async (via: HubProcess) => {
    const pages = await pullAll(hub, token, 10);
    const cachedFirst = await feedPage(hub, token, '0', 10);
    expect(cachedFirst.cache).toBe('hit');
    const target = crm.find((c) => cachedFirst.text.includes(c.memberCode))!;
    const id = idOf(pages, target.memberCode)!;
    const erased = await callRoute(via, endpoints.eraseCustomer, {
      body: { customerId: id, reason: 'customer asked (test)' },
    });
    expect(erased.status).toBe(200);
    return { target, id };
  };

  it('an erasure empties the cache: the erased data is not served from it again', async () => {
    const { target, id } = await eraseACachedMember(hub);
    const rebuilt = await feedPage(hub, token, '0', 10);
    expect(rebuilt.cache).toBe('miss');
    expect(rebuilt.text).not.toContain(target.memberCode);
    expect(decoded(rebuilt)).not.toContain(target.name);
    expect(fold(await pullAll(hub, token, 10)).has(id)).toBe(false);
  });

  it('after an erasure, pulls that nothing in memory answers do not let a cached page be served', async () => {
    // Such pulls (a hint's last page, a page size nobody cached) skip the epoch read; the first
    // request that could be answered from memory reads it and drops the cache.
    const { target } = await eraseACachedMember(hub);

    for (const limit of [9, 11]) {
      const other = await feedPage(hub, token, '0', limit);
      expect(other.cache).toBe('miss');
      expect(other.text).not.toContain(target.memberCode);
    }
    const again = await feedPage(hub, token, '0', 10);
    expect(again.cache).toBe('miss');
    expect(again.text).not.toContain(target.memberCode);
    expect(decoded(again)).not.toContain(target.name);
  });

  if (backend.kind === 'postgres') {
    it('an erasure through another hub node empties this node’s cache too', async () => {
      const other = await backend.startHub({ databaseUrl: hub.options.databaseUrl! });
      const { target } = await eraseACachedMember(other);
      const rebuilt = await feedPage(hub, token, '0', 10);
      expect(rebuilt.cache).toBe('miss');
      expect(rebuilt.text).not.toContain(target.memberCode);
    });
  }

  it('HUB_FEED_CACHE_MB=0 turns the cache off', async () => {
    const plain = await backend.startHub({ env: { HUB_FEED_CACHE_MB: '0' } });
    const plainStore = await createStoreFixture(plain);
    const plainToken = plainStore.terminals[0]!.token;
    await pushCrm(crm.slice(0, 2), plain, plainStore.storeId);
    await feedPage(plain, plainToken, '0', 1);
    const again = await feedPage(plain, plainToken, '0', 1);
    expect(again.page.items).toHaveLength(1);
    expect(again.page.hasMore).toBe(true);
    expect(again.cache).toBe('miss');
  });
});
