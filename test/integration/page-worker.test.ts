import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, type ProfileEdit } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import type { CachedCustomer } from '../../renderer/data/customers';
import { enqueueProfileEdit } from '../../renderer/data/profile-edits';
import { toCachedCustomer } from '../../renderer/data/customer-rows';
import { makeProfile } from '../../renderer/data/testing';
import { memorySecretStore } from '../../renderer/data/secret-store';
import type { Keyring } from '../../renderer/data/sealed';
import type { HubClient } from '../../renderer/sync/hub-client';
import {
  pageWorkerHandler,
  type PageWorkerAnswer,
  type PageWorkerRequest,
} from '../../renderer/sync/page-prep';
import { customerPagesInWorker, type PageWorkerPort } from '../../renderer/sync/page-prep-client';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { callRoute, hubApi, must } from '../support/api';
import { startHub, type HubProcess } from '../support/hub-process';
import { enrolTerminal, seedCustomers, type Terminal } from './terminal-harness';

type Port = PageWorkerPort & {
  /** the kinds of request the page sent, in order */
  kinds: PageWorkerRequest['kind'][];
};

/**
 * The page worker in process: the worker's own handler (`pageWorkerHandler`, what
 * renderer/sync/page-worker.ts runs) with Node's fetch, every message structured-cloned both ways
 * as it crosses to a Web Worker and back. `before` runs before an answer is handed over;
 * `crashAt` makes the worker fail, as a crashed Web Worker does, at that request.
 */
function inProcessWorker(
  options: {
    before?: (answer: PageWorkerAnswer) => Promise<void>;
    crashAt?: (request: PageWorkerRequest, kinds: PageWorkerRequest['kind'][]) => boolean;
    fetch?: typeof globalThis.fetch;
  } = {},
): Port {
  const handle = pageWorkerHandler(options.fetch ? { fetch: options.fetch } : {});
  let crashed = false;
  const port: Port = {
    kinds: [],
    onmessage: null,
    onerror: null,
    onmessageerror: null,
    postMessage(request) {
      port.kinds.push(request.kind);
      if (crashed) return;
      if (options.crashAt?.(request, port.kinds)) {
        crashed = true;
        queueMicrotask(() => port.onerror?.({ preventDefault: () => undefined } as ErrorEvent));
        return;
      }
      void handle(structuredClone(request)).then(async (answer) => {
        if (!answer || crashed) return;
        await options.before?.(answer);
        port.onmessage?.({ data: structuredClone(answer) } as MessageEvent<PageWorkerAnswer>);
      });
    },
    terminate() {
      crashed = true;
    },
  };
  return port;
}

/** Every cached customer, by id; and each block's customer ids (the packed layout). */
async function cacheOf(t: Terminal) {
  const all = await t.db.customerStore.all();
  const byId = new Map<string, CachedCustomer>(all.map((c) => [c.id, c]));
  const blocks = (await t.db.customerStore.blocks()).map((b) => b.rows.map((r) => r.id));
  return { byId, blocks };
}

/** Terminal A pulls through the page worker `port`; terminal B on the page's thread. */
async function terminalsOf(
  hub: HubProcess,
  store: StoreFixture,
  port: Port | Port[],
  pageSize: number,
) {
  const ports = Array.isArray(port) ? port : [port];
  let started = 0;
  const token = store.terminals[0]!.token;
  // The terminal's own data key (the worker seals what its database opens), once it exists.
  let useKeyring: (ring: Promise<Keyring>) => void = () => undefined;
  const keyring = new Promise<Keyring>((resolve) => (useKeyring = resolve));
  const a = await enrolTerminal(hub, store, {
    index: 0,
    pageSize,
    wrap: (client): HubClient => ({
      ...client,
      pullCustomerPages: customerPagesInWorker({
        createWorker: () => ports[started++ % ports.length]!,
        keyring,
        workers: ports.length,
        baseUrl: hub.url,
        secrets: memorySecretStore({ token, phoneHashKey: 'unused' }),
        timeoutMs: 10_000,
      }),
    }),
  });
  useKeyring(a.db.sealer.ready!);
  const b = await enrolTerminal(hub, store, { index: 1, pageSize });
  return { a, b };
}

describe('the customer page worker against a real hub', () => {
  let hub: HubProcess;
  const terminals: Terminal[] = [];

  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    for (const t of terminals) t.engine.stop();
    await hub.kill();
    rmSync(hub.dataDir, { recursive: true, force: true });
  });

  it('writes the same cache, block for block, as the page thread: first sync, changes, merges, erasures', async () => {
    const store = await createStoreFixture(hub, { name: '上海IFC店' });
    const tag = newId().slice(-6);
    const seeded = await seedCustomers(hub, 1_250, tag, store.storeId);
    // Two workers, as the app runs: pages alternate, each sealed by the worker that holds it.
    const workers = [inProcessWorker(), inProcessWorker()];
    const port = { kinds: [] as PageWorkerRequest['kind'][] };
    const kinds = () => (port.kinds = [...workers[0]!.kinds, ...workers[1]!.kinds]);
    // 250 rows a page: two and a half blocks, so every page tops up the block the last one left.
    const { a, b } = await terminalsOf(hub, store, workers, 250);
    terminals.push(a, b);
    const syncBoth = async () => {
      await a.engine.pullFeed('customers');
      await b.engine.pullFeed('customers');
      expect(a.engine.status.get().lastError).toBeNull();
      expect(b.engine.status.get().lastError).toBeNull();
      const [ca, cb] = [await cacheOf(a), await cacheOf(b)];
      expect(ca.blocks).toEqual(cb.blocks);
      expect(ca.byId).toEqual(cb.byId);
      return ca;
    };

    const first = await syncBoth();
    kinds();
    expect(workers.map((w) => w.kinds.filter((k) => k === 'pull').length)).toEqual([3, 2]);
    expect(first.byId.size).toBe(1_250);
    expect(first.blocks.map((ids) => ids.length)).toEqual([...Array(12).fill(100), 50]);
    const pulls = port.kinds.filter((k) => k === 'pull').length;
    expect(pulls).toBe(5);
    // Each page sealed in the worker; none written from its rows; each released.
    expect(port.kinds.filter((k) => k === 'seal')).toHaveLength(5);
    expect(port.kinds.filter((k) => k === 'rows')).toHaveLength(0);
    expect(port.kinds.filter((k) => k === 'release')).toHaveLength(5);

    // Head office renames three members (their lookup keys change: their block is rewritten)
    // and moves the points of two (an override row each), in one import.
    const renamed = seeded.slice(10, 13).map((c) => ({ ...c, name: `${c.name}改` }));
    const repointed = seeded.slice(500, 502).map((c) => ({ ...c, points: 777 }));
    await must(
      hubApi(hub).call(endpoints.importCustomers, {
        body: { customers: [...renamed, ...repointed] },
      }),
      'import',
    );
    const changed = await syncBoth();
    kinds();
    const names = [...changed.byId.values()].map((c) => c.name);
    for (const c of renamed) expect(names).toContain(c.name);
    expect([...changed.byId.values()].filter((c) => c.points === 777)).toHaveLength(2);
    expect(port.kinds.filter((k) => k === 'rows')).toHaveLength(0);

    // A merge and an erasure: tombstones of cached members, written from the page's rows.
    const cached = [...changed.byId.values()];
    const [source, target, erased] = [cached[20]!, cached[21]!, cached[30]!];
    expect(
      (
        await callRoute(hub, endpoints.mergeCustomers, {
          body: { sourceId: source.id, targetId: target.id },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await callRoute(hub, endpoints.eraseCustomer, {
          body: { customerId: erased.id, reason: 'the member asked' },
        })
      ).status,
    ).toBe(200);
    const after = await syncBoth();
    kinds();
    expect(after.byId.size).toBe(1_248);
    expect(after.byId.has(source.id)).toBe(false);
    expect(after.byId.has(erased.id)).toBe(false);
    expect(port.kinds.filter((k) => k === 'rows').length).toBeGreaterThan(0);
    expect(port.kinds.filter((k) => k === 'release')).toHaveLength(
      port.kinds.filter((k) => k === 'pull').length,
    );
  });

  it("keeps this counter's unsent profile edit on top of what the worker brings", async () => {
    const store = await createStoreFixture(hub, { name: '杭州湖滨店' });
    await seedCustomers(hub, 3, newId().slice(-6), store.storeId);
    const port = inProcessWorker();
    const { a } = await terminalsOf(hub, store, port, 1000);
    terminals.push(a);
    await a.engine.pullFeed('customers');
    const [member] = await a.db.customerStore.all();
    const edit: ProfileEdit = {
      id: newId(),
      customerId: member!.id,
      guideId: store.guide.id,
      at: new Date().toISOString(),
      changes: { sizes: { top: 'L' }, notes: '肩宽，上装要大一码' },
    };
    expect((await enqueueProfileEdit(a.db, edit)).ok).toBe(true);
    // Counter B tags her at the hub; A pulls the feed before its own edit has gone out.
    const tagged = await must(
      hubApi(hub, { token: store.terminals[1]!.token }).call(endpoints.postProfileEdits, {
        body: {
          edits: [
            {
              id: newId(),
              customerId: member!.id,
              guideId: store.guide2.id,
              at: new Date().toISOString(),
              changes: { tags: ['常客'] },
            },
          ],
        },
      }),
      'tag',
    );
    expect(tagged.results.map((r) => r.status)).toEqual(['accepted']);
    await a.engine.pullFeed('customers');
    const now = await a.db.customerStore.get(member!.id);
    expect(now).toMatchObject({ tags: ['常客'], notes: '肩宽，上装要大一码', sizes: { top: 'L' } });
    expect(port.kinds).toContain('edits');
    expect(port.kinds.filter((k) => k === 'rows')).toHaveLength(0);
  });

  it('writes a page from its rows when the cache moved between its plan and its write', async () => {
    const store = await createStoreFixture(hub, { name: '北京国贸店' });
    await seedCustomers(hub, 1_000, newId().slice(-6), store.storeId);
    const holder: { a?: Terminal; sealed: number } = { sealed: 0 };
    // Registered at this counter while pages are written: each new customer moves the write stamp.
    const locals = await Promise.all(
      ['本店新客', '本店二客'].map(async (name) => toCachedCustomer(await makeProfile({ name }))),
    );
    const port = inProcessWorker({
      // Before the 1st and the 4th sealed page is handed back: their plans no longer hold.
      before: async (answer) => {
        if (!('sealed' in answer) || !holder.a) return;
        holder.sealed += 1;
        const local = holder.sealed === 1 ? locals[0] : holder.sealed === 4 ? locals[1] : null;
        if (local) await holder.a.db.customerStore.upsert([local]);
      },
    });
    const pair = await terminalsOf(hub, store, port, 200);
    holder.a = pair.a;
    terminals.push(pair.a, pair.b);
    await pair.a.engine.pullFeed('customers');
    await pair.b.engine.pullFeed('customers');
    const [ca, cb] = [await cacheOf(pair.a), await cacheOf(pair.b)];
    for (const local of locals) {
      expect(ca.byId.get(local.id)?.name).toBe(local.name);
      ca.byId.delete(local.id);
    }
    expect(ca.byId).toEqual(cb.byId);
    expect(cb.byId.size).toBe(1_000);
    const count = (kind: PageWorkerRequest['kind']) => port.kinds.filter((k) => k === kind).length;
    expect(count('pull')).toBe(5);
    expect(count('seal')).toBe(5);
    expect(count('rows')).toBe(2);
  });

  it('a worker that crashes fails one run; the next runs on the page thread and misses nothing', async () => {
    const store = await createStoreFixture(hub, { name: '成都太古里店' });
    await seedCustomers(hub, 900, newId().slice(-6), store.storeId);
    // It crashes at the second page's seal, with pages it pulled ahead still held.
    const port = inProcessWorker({
      crashAt: (request, kinds) =>
        request.kind === 'seal' && kinds.filter((k) => k === 'seal').length === 2,
    });
    const { a, b } = await terminalsOf(hub, store, port, 200);
    terminals.push(a, b);
    // The run fails (a sync run records it and retries after a backoff); the first page stays.
    await expect(a.engine.pullFeed('customers')).rejects.toThrow(/page worker/);
    expect(await a.db.customerStore.count()).toBe(200);
    const asked = port.kinds.length;
    await a.engine.pullFeed('customers');
    await b.engine.pullFeed('customers');
    // Nothing more was asked of the dead worker.
    expect(port.kinds.length).toBe(asked);
    const [ca, cb] = [await cacheOf(a), await cacheOf(b)];
    expect(ca.byId.size).toBe(900);
    expect(ca.byId).toEqual(cb.byId);
    expect(ca.blocks).toEqual(cb.blocks);
  });

  it("a worker that cannot reach the hub leaves each page to the page's thread", async () => {
    const store = await createStoreFixture(hub, { name: '深圳万象城店' });
    await seedCustomers(hub, 300, newId().slice(-6), store.storeId);
    // Its fetch fails as a blocked connection does (a proxy or policy only the worker meets).
    const port = inProcessWorker({ fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    const { a, b } = await terminalsOf(hub, store, port, 100);
    terminals.push(a, b);
    await a.engine.pullFeed('customers');
    await b.engine.pullFeed('customers');
    const [ca, cb] = [await cacheOf(a), await cacheOf(b)];
    expect(ca.byId.size).toBe(300);
    expect(ca.byId).toEqual(cb.byId);
    expect(port.kinds.filter((k) => k === 'pull').length).toBeGreaterThanOrEqual(3);
    expect(port.kinds.filter((k) => k === 'seal')).toHaveLength(0);
  });
});
