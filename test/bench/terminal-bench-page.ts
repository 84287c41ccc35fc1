/**
 * Browser side of `bench:terminal` (bundled with esbuild, run in headless Chromium on real
 * IndexedDB). Exposes the measurements on `globalThis.terminalBench` for the runner to call.
 */
import { toCachedCustomer, toProfile } from '../../renderer/data/customer-rows';
import type { Table } from 'dexie';
import { TerminalDb } from '../../renderer/data/database';
import { generateDataKey, singleKeySealer, singleKeyring } from '../../renderer/data/sealed';
import { createSecretDb } from '../../renderer/platform/browser/secret-db';
import {
  applyCustomerItems,
  customerPageTables,
  searchCustomers,
} from '../../renderer/data/customers';
import { enqueueOrder } from '../../renderer/data/outbox';
import { memorySecretStore } from '../../renderer/data/secret-store';
import { createHttpHubClient } from '../../renderer/sync/http-hub-client';
import { checkCustomerItems } from '../../renderer/sync/feed-items';
import type { HubClient } from '../../renderer/sync/hub-client';
import { SyncEngine } from '../../renderer/sync/sync-engine';
import { newId } from '../../shared/domain/ids';
import { API_PREFIX, endpoints, isTombstone, type CustomerProfile } from '../../shared/protocol';

type Setup = {
  hubUrl: string;
  token: string;
  phoneHashKey: string;
  terminalId: string;
  pageSize: number;
  /** false: customer blocks sealed on the page's thread, not in the app's seal worker */
  sealWorker?: boolean;
  /** how many seal workers (default 1, as the app) */
  sealWorkers?: number;
  /** false: the customer feed pulled, packed and sealed on the page's thread, not the page worker */
  pageWorker?: boolean;
  /** how many page workers (the app starts 2) */
  pageWorkers?: number;
};

/** The app's page worker (renderer/sync/page-worker.ts, as renderer/app/bootstrap.ts starts it). */
const workerOption = (setup: Setup) =>
  setup.pageWorker === false
    ? {}
    : {
        customerPageWorker: {
          createWorker: () => {
            const worker = new Worker('/page-worker.js');
            worker.addEventListener('message', () => (pageWorkerAnswers += 1));
            return worker;
          },
          keyring: singleKeyring(dataKey),
          workers: setup.pageWorkers ?? 2,
        },
      };
/** Answers of the page worker (0 with it on: it failed, the page's thread did it). */
let pageWorkerAnswers = 0;

/** The data key as browser mode keeps it (a non-extractable CryptoKey in its own IndexedDB). */
const dataKey = createSecretDb(indexedDB).dataKey(generateDataKey);
/** Values the seal worker sealed (0 with it on: it failed, the page's thread did it). */
let sealWorkerAnswers = 0;
/**
 * Sealed as the app seals (renderer/app/data-key.ts): large values in the seal worker
 * (renderer/data/seal-worker.ts); `here` seals everything on the page's thread, for the A/B.
 */
const inWorkers = (workers: number) =>
  singleKeySealer(
    dataKey,
    () => {
      const worker = new Worker('/seal-worker.js');
      worker.addEventListener('message', () => (sealWorkerAnswers += 1));
      return worker;
    },
    workers,
  );
const sealers = { worker: inWorkers(1), here: singleKeySealer(dataKey) };
let sealer = sealers.worker;
let pooled = false;
const sealerFor = (setup: Setup) => {
  // BENCH_SEAL_WORKERS: how many seal workers (the app starts one).
  if (!pooled && setup.sealWorkers !== undefined && setup.sealWorkers !== 1) {
    sealers.worker = inWorkers(setup.sealWorkers);
    pooled = true;
  }
  return (sealer = setup.sealWorker === false ? sealers.here : sealers.worker);
};

let db: TerminalDb;
let engine: SyncEngine;
let secrets: ReturnType<typeof memorySecretStore>;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function usage(): Promise<number> {
  const estimate = await navigator.storage.estimate();
  return estimate.usage ?? 0;
}

async function initialSync(setup: Setup) {
  secrets = memorySecretStore({ token: setup.token, phoneHashKey: setup.phoneHashKey });
  db = new TerminalDb(setup.terminalId, { sealer: sealerFor(setup) });
  await db.open();
  const before = await usage();
  const client = createHttpHubClient({
    baseUrl: setup.hubUrl,
    secrets,
    timeoutMs: 120_000,
    ...workerOption(setup),
  });
  engine = new SyncEngine({ db, hub: client, secrets, pageSize: setup.pageSize, autoRetry: false });
  const t0 = performance.now();
  await engine.pullFeed('customers');
  const seconds = (performance.now() - t0) / 1000;
  await engine.pullFeed('catalog');
  await engine.pullStaff();
  const rows = await db.customerStore.count();
  const after = await usage();
  return { seconds, rows, lastError: engine.status.get().lastError, bytes: after - before };
}

/**
 * The feed alone: every customer page fetched, validated and turned into cache rows exactly as a
 * sync does, with the next page prefetched, but nothing written. The floor under the initial
 * sync that no IndexedDB layout can go below.
 */
async function feedOnly(setup: Setup) {
  const client = benchClient(setup);
  const t0 = performance.now();
  let rows = 0;
  let pending = client.pullCustomers('0', setup.pageSize, true);
  for (;;) {
    const result = await pending;
    if (!result.ok) throw new Error(result.error.message);
    const page = result.value;
    if (page.hasMore) pending = client.pullCustomers(page.cursor, setup.pageSize, false);
    for (const item of page.items) {
      if (isTombstone(item)) continue;
      toCachedCustomer(item); // the per-row work a sync does before writing
      rows += 1;
    }
    if (!page.hasMore) break;
  }
  return { seconds: (performance.now() - t0) / 1000, rows };
}

/**
 * Runs `work` with a heartbeat every `everyMs` on the main thread: the largest gap between two
 * beats is the longest the page could not respond (a click, a key) while the work ran.
 */
async function withHeartbeat<T>(everyMs: number, work: () => Promise<T>) {
  let longestGapMs = 0;
  let last = performance.now();
  const heartbeat = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
  }, everyMs);
  try {
    const result = await work();
    longestGapMs = Math.max(longestGapMs, performance.now() - last);
    return { result, longestGapMs };
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * A customers initial sync into a fresh database of its own (deleted afterwards) through `hub`:
 * its time, and the main thread's longest stall meanwhile (the largest gap of a 50 ms heartbeat).
 */
async function timedSyncInto(name: string, hub: HubClient, setup: Setup) {
  const syncSecrets = memorySecretStore({ token: setup.token, phoneHashKey: setup.phoneHashKey });
  const syncDb = new TerminalDb(name, { sealer: sealerFor(setup) });
  await syncDb.open();
  const syncEngine = new SyncEngine({
    db: syncDb,
    hub,
    secrets: syncSecrets,
    pageSize: setup.pageSize,
    autoRetry: false,
  });
  const t0 = performance.now();
  const { longestGapMs: longestGap } = await withHeartbeat(50, () =>
    syncEngine.pullFeed('customers'),
  );
  const seconds = (performance.now() - t0) / 1000;
  const rows = await syncDb.customerStore.count();
  const lastError = syncEngine.status.get().lastError;
  syncEngine.stop();
  await syncDb.delete();
  return { seconds, rows, lastError, longestMainThreadGapMs: longestGap };
}

function benchClient(setup: Setup) {
  return createHttpHubClient({
    baseUrl: setup.hubUrl,
    secrets: memorySecretStore({ token: setup.token, phoneHashKey: setup.phoneHashKey }),
    timeoutMs: 120_000,
    ...workerOption(setup),
  });
}

/** A customers initial sync into a fresh database `name` (deleted afterwards): time, stall. */
async function syncTimed(setup: Setup & { name: string }) {
  sealWorkerAnswers = 0;
  pageWorkerAnswers = 0;
  const result = await timedSyncInto(
    `${setup.terminalId}-${setup.name}`,
    benchClient(setup),
    setup,
  );
  return { ...result, sealWorkerAnswers, pageWorkerAnswers };
}

/**
 * Where the feed's time goes: every customer page fetched one at a time (no overlap), each stage
 * timed — the hub and the network until the answer's headers (the hub builds or copies the page
 * before it sends anything), the body's transfer, JSON.parse, validation (zod, row by row, as the
 * hub client does), cache rows. Seconds per stage over the whole feed.
 */
async function feedBreakdown(setup: Setup) {
  const stages = { headers: 0, body: 0, parse: 0, validate: 0, rows: 0 };
  const hits = { hit: 0, miss: 0 };
  let bytes = 0;
  let rows = 0;
  let after = '0';
  const t0 = performance.now();
  for (let round = 0; round < 100_000; round++) {
    const a = performance.now();
    const response = await fetch(
      `${setup.hubUrl}${API_PREFIX}${endpoints.syncCustomers.path}?after=${after}&limit=${setup.pageSize}&withTotal=${round === 0}`,
      { headers: { authorization: `Bearer ${setup.token}` } },
    );
    const b = performance.now();
    const text = await response.text();
    const c = performance.now();
    const page = JSON.parse(text) as { items: unknown[]; cursor: string; hasMore: boolean };
    const d = performance.now();
    const checked = checkCustomerItems(page.items);
    const e = performance.now();
    for (const item of checked.items) if (!isTombstone(item)) toCachedCustomer(item);
    const f = performance.now();
    stages.headers += b - a;
    stages.body += c - b;
    stages.parse += d - c;
    stages.validate += e - d;
    stages.rows += f - e;
    hits[response.headers.get('x-feed-cache') === 'hit' ? 'hit' : 'miss'] += 1;
    bytes += text.length;
    rows += checked.items.length;
    if (!page.hasMore) break;
    after = page.cursor;
  }
  const s = (ms: number) => Math.round(ms) / 1000;
  return {
    seconds: s(performance.now() - t0),
    rows,
    megabytes: Math.round(bytes / 1_048_576),
    pages: hits,
    headers: s(stages.headers),
    body: s(stages.body),
    parse: s(stages.parse),
    validate: s(stages.validate),
    cacheRows: s(stages.rows),
  };
}

/** The usual (main-thread) sync again, for the worker experiment to be compared with. */
const initialSyncGaps = (setup: Setup) =>
  timedSyncInto(`${setup.terminalId}-gaps`, benchClient({ ...setup, pageWorker: false }), setup);

/**
 * Experiment (BENCH_WORKER=1): the same initial sync with the customer pages fetched, parsed and
 * validated in a Web Worker (`feed-worker.ts`) and handed to the engine by structured clone —
 * what moving the feed off the main thread would buy.
 */
async function initialSyncInWorker(setup: Setup) {
  const worker = new Worker('/feed-worker.js');
  worker.postMessage({
    kind: 'init',
    hubUrl: setup.hubUrl,
    token: setup.token,
    phoneHashKey: setup.phoneHashKey,
  });
  let nextId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  worker.onmessage = (event: MessageEvent<{ id: number; result: unknown }>) => {
    waiting.get(event.data.id)?.(event.data.result);
    waiting.delete(event.data.id);
  };
  const hub: HubClient = {
    ...benchClient(setup),
    pullCustomers: (after, limit, withTotal) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve as (result: unknown) => void);
        worker.postMessage({ kind: 'pull', id, after, limit, withTotal });
      }),
  };
  try {
    return await timedSyncInto(`${setup.terminalId}-worker`, hub, setup);
  } finally {
    worker.terminate();
  }
}

/**
 * Opens a database an earlier run synced, without syncing again, and times what an app start
 * pays before the first lookup: loading the in-memory customer index (and its heap).
 */
async function attach(setup: Setup) {
  secrets = memorySecretStore({ token: setup.token, phoneHashKey: setup.phoneHashKey });
  db = new TerminalDb(setup.terminalId, { sealer });
  await db.open();
  const client = createHttpHubClient({ baseUrl: setup.hubUrl, secrets });
  engine = new SyncEngine({ db, hub: client, secrets, autoRetry: false });
  return { rows: await db.customerStore.count(), ...(await indexLoad()) };
}

/** Chromium's non-standard heap figure (bytes), when it reports one. */
const heapUsed = () =>
  (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ??
  0;

/** The in-memory customer index loaded from scratch, as at app start: time and heap. */
async function indexLoad() {
  db.customerStore.drop();
  await new Promise((r) => setTimeout(r, 500));
  const heapBefore = heapUsed();
  const t0 = performance.now();
  const { longestGapMs } = await withHeartbeat(10, () => db.customerStore.warm());
  const ms = performance.now() - t0;
  return {
    indexLoadMs: ms,
    indexHeapBytes: heapUsed() - heapBefore,
    indexLongestStallMs: longestGapMs,
  };
}

type StoreWrite = { table: Table; records: unknown[] };

/**
 * Writes records into a fresh IndexedDB database whose stores copy the given Dexie tables' schema
 * (key path and indexes, so the two can never drift apart), with plain IndexedDB: relaxed
 * durability, `perTransaction` records of every store per transaction. Returns seconds.
 */
async function rawIdbWrite(writes: StoreWrite[], perTransaction: number): Promise<number> {
  const name = `raw-baseline-${Date.now()}`;
  const idb = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      for (const { table } of writes) {
        const store = open.result.createObjectStore(table.name, {
          keyPath: table.schema.primKey.keyPath ?? 'id',
        });
        for (const index of table.schema.indexes)
          store.createIndex(index.name, index.keyPath ?? index.name, {
            unique: index.unique ?? false,
            multiEntry: index.multi ?? false,
          });
      }
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const longest = Math.max(...writes.map((w) => w.records.length));
  const t0 = performance.now();
  for (let i = 0; i < longest; i += perTransaction) {
    await new Promise<void>((resolve, reject) => {
      const tx = idb.transaction(
        writes.map((w) => w.table.name),
        'readwrite',
        { durability: 'relaxed' },
      );
      for (const { table, records } of writes)
        for (const record of records.slice(i, i + perTransaction))
          tx.objectStore(table.name).put(record);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  idb.close();
  indexedDB.deleteDatabase(name);
  return seconds;
}

/**
 * Raw IndexedDB bulk write of the same records into the same stores (the baseline): every
 * customer block and its key record as the sync left them, 5,000 profiles per transaction.
 */
async function rawWrite() {
  const blocks = await db.customerBlocks.toArray();
  const keys = await db.customerKeys.toArray();
  const rows = keys.reduce((n, k) => n + k.ids.length, 0);
  const stores = [db.customerBlocks, db.customerKeys];
  const seconds = await rawIdbWrite(
    [
      { table: db.customerBlocks, records: blocks },
      { table: db.customerKeys, records: keys },
    ],
    50, // blocks of 100: 5,000 profiles
  );
  return { seconds, rows, indexes: stores.map((t) => `${t.name}: ${t.schema.indexes.length}`) };
}

/**
 * The reference baseline, in the same run: the same profiles written one row each into a
 * store with the counter's lookup indexes as native IndexedDB indexes (the v4 `customers` store:
 * member code, last 4 + phone hash, name, initials), 5,000 rows per transaction.
 */
async function rawWriteRows() {
  const profiles = await db.customerStore.all();
  const v4 = new TerminalDb(`${db.name}-reference-schema`, { sealer, upToVersion: 4 });
  const table = v4.table('customers');
  const seconds = await rawIdbWrite([{ table, records: profiles }], 5000);
  v4.close();
  return { seconds, rows: profiles.length, indexes: table.schema.indexes.map((i) => i.name) };
}

/**
 * The v4 → v5 upgrade at this size: the synced profiles written as v4 kept them (one row each, 4
 * indexes) into a fresh database, which is then opened by the current code. Times the upgrade
 * (what a terminal waits once, when the app update that brings v5 first starts).
 */
async function upgradeFromV4(setup: Setup) {
  const profiles = await db.customerStore.all();
  const terminalId = `${setup.terminalId}-upgrade`;
  const v4 = new TerminalDb(terminalId, { sealer, upToVersion: 4 });
  const t0 = performance.now();
  for (let i = 0; i < profiles.length; i += 5000)
    await v4.table('customers').bulkPut(profiles.slice(i, i + 5000));
  const writeSeconds = (performance.now() - t0) / 1000;
  v4.close();
  const v5 = new TerminalDb(terminalId, { sealer });
  const t1 = performance.now();
  await v5.open();
  const upgradeSeconds = (performance.now() - t1) / 1000;
  const rows = await v5.customerStore.count();
  await v5.delete();
  return { writeSeconds, upgradeSeconds, rows };
}

async function lookups({
  samples,
  rounds,
}: {
  samples: { phone: string; memberCode: string; name: string }[];
  rounds: number;
}) {
  const kinds: Record<string, (s: (typeof samples)[number]) => string> = {
    fullPhone: (s) => s.phone,
    memberCode: (s) => s.memberCode,
    last4: (s) => s.phone.slice(-4),
    namePrefix: (s) => s.name.slice(0, 1),
  };
  const out: Record<string, { p50: number; p95: number; avgHits: number }> = {};
  for (const [kind, query] of Object.entries(kinds)) {
    const times: number[] = [];
    let hits = 0;
    for (let r = 0; r < rounds; r++) {
      const sample = samples[r % samples.length]!;
      const t0 = performance.now();
      const found = await searchCustomers(db, secrets, { query: query(sample), limit: 50 });
      times.push(performance.now() - t0);
      hits += found.length;
    }
    out[kind] = { p50: percentile(times, 50), p95: percentile(times, 95), avgHits: hits / rounds };
  }
  return out;
}

/**
 * Lookups as the day goes on: before each round one customer changes (renamed back and forth,
 * written as a live pull writes it: the feed item applied in one transaction with the other
 * customer tables), then one name-prefix and one initials search. The steady-state lookups above
 * run on a cache nothing writes to; at a counter, head office's updates arrive all day.
 */
async function lookupsWhileChanging({
  samples,
  rounds,
}: {
  samples: { memberCode: string; name: string }[];
  rounds: number;
}) {
  const writes: number[] = [];
  const byName: number[] = [];
  const byInitials: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const sample = samples[r % samples.length]!;
    const [hit] = await searchCustomers(db, secrets, { query: sample.memberCode, limit: 1 });
    const row = hit && (await db.customerStore.get(hit.id));
    if (!row) throw new Error(`sample ${sample.memberCode} is not cached`);
    const { provisional: _provisional, ...profile } = toProfile(row);
    const renamed = {
      ...profile,
      name: row.name.endsWith('·') ? row.name.slice(0, -1) : `${row.name}·`,
    };
    const t0 = performance.now();
    await db.transaction('rw', customerPageTables(db), () => applyCustomerItems(db, [renamed]));
    const t1 = performance.now();
    await searchCustomers(db, secrets, { query: sample.name.slice(0, 1), limit: 50 });
    const t2 = performance.now();
    await searchCustomers(db, secrets, { query: row.initials.slice(0, 2), limit: 50 });
    const t3 = performance.now();
    writes.push(t1 - t0);
    byName.push(t2 - t1);
    byInitials.push(t3 - t2);
  }
  const summary = (times: number[]) => ({ p50: percentile(times, 50), p95: percentile(times, 95) });
  return { write: summary(writes), namePrefix: summary(byName), initials: summary(byInitials) };
}

/**
 * Pages of live changes spread over the whole cache, as at a peak (618, Double 11: head office's
 * online events change customers all over the chain): each round picks `size` random cached
 * customers, changes their points and writes them as one pull page (one transaction). Reports
 * per size the page's write time and how many profiles its customers' blocks hold.
 */
async function liveBursts({ sizes, rounds }: { sizes: number[]; rounds: number }) {
  const blocks = await db.customerKeys.toArray();
  const located = blocks.flatMap((b) => b.ids.map((id) => ({ id, block: b.id })));
  const out: Record<string, { p50: number; max: number; blocks: number }> = {};
  for (const size of sizes) {
    const times: number[] = [];
    let touched = 0;
    for (let r = 0; r < rounds; r++) {
      const picked = new Map<string, number>();
      while (picked.size < size) {
        const at = located[Math.floor(Math.random() * located.length)]!;
        picked.set(at.id, at.block);
      }
      const items: CustomerProfile[] = [];
      for (const id of picked.keys()) {
        const row = await db.customerStore.get(id);
        if (!row) throw new Error(`customer ${id} is not cached`);
        const { provisional: _provisional, ...profile } = toProfile(row);
        items.push({ ...profile, points: profile.points + 1 });
      }
      touched += new Set(picked.values()).size;
      const t0 = performance.now();
      await db.transaction('rw', customerPageTables(db), () => applyCustomerItems(db, items));
      times.push(performance.now() - t0);
    }
    out[String(size)] = {
      p50: percentile(times, 50),
      max: Math.max(...times),
      blocks: touched / rounds,
    };
  }
  return out;
}

/**
 * Head office de-duplicates its members: one pull page of `merges` merge tombstones, on a terminal
 * holding a month of profile views (`views` audit rows, synced) — written as a pull writes it.
 */
async function mergeBurst({
  merges,
  views,
  keep,
}: {
  merges: number;
  views: number;
  /** customers left alone (the lookup samples, for later runs on the same profile) */
  keep: string[];
}) {
  const kept = new Set(keep);
  const ids = (await db.customerKeys.toArray()).flatMap((k) => k.ids.filter((id) => !kept.has(id)));
  const picked = new Set<string>();
  while (picked.size < merges * 2) picked.add(ids[Math.floor(Math.random() * ids.length)]!);
  const [sources, targets] = [[...picked].slice(0, merges), [...picked].slice(merges)];
  const at = new Date().toISOString();
  await db.audit.bulkPut(
    Array.from({ length: views }, (_, i) => ({
      id: newId(),
      action: 'profile_opened' as const,
      guideId: null,
      customerId: ids[(i * 7919) % ids.length]!,
      at,
      synced: 1 as const,
    })),
  );
  const page = sources.map((id, i) => ({
    id,
    seq: '0',
    deleted: true as const,
    mergedInto: targets[i]!,
  }));
  const t0 = performance.now();
  await db.transaction('rw', customerPageTables(db), () => applyCustomerItems(db, page));
  return { ms: performance.now() - t0, merges, views };
}

async function drain(input: { count: number; storeId: string; terminalId: string }) {
  const guide = (await db.staff.toArray()).find((s) => s.active);
  const product = (await db.products.toArray()).find((p) => p.active && p.stock > 0);
  if (!guide || !product) throw new Error('no guide or product cached');
  const ids: string[] = [];
  const strict: number[] = [];
  for (let i = 0; i < input.count; i++) {
    const id = newId();
    const t0 = performance.now();
    const result = await enqueueOrder(db, {
      id,
      storeId: input.storeId,
      terminalId: input.terminalId,
      guideId: guide.id,
      paymentMethod: 'wechat',
      createdAt: new Date().toISOString(),
      lines: [{ sku: product.sku, quantity: 1, unitPrice: product.price, discount: 0 }],
    });
    strict.push(performance.now() - t0);
    if (!result.ok) throw new Error(result.error.message);
    ids.push(id);
  }
  const t0 = performance.now();
  await engine.drain();
  const seconds = (performance.now() - t0) / 1000;
  const status = engine.status.get();
  const synced = await db.outbox.where('status').equals('synced').count();
  return {
    seconds,
    synced,
    pending: status.pendingCount,
    rejected: status.rejectedCount,
    lastError: status.lastError,
    strictWriteP50: percentile(strict, 50),
    strictWriteP95: percentile(strict, 95),
    ids,
  };
}

/** Whether this page may compile code from strings (not under the app's CSP, BENCH_CSP). */
function evalAllowed(): boolean {
  try {
    return typeof new Function('return 1') === 'function';
  } catch {
    return false;
  }
}

Object.assign(globalThis, {
  terminalBench: {
    evalAllowed,
    attach,
    feedOnly,
    feedBreakdown,
    syncTimed,
    indexLoad,
    initialSync,
    initialSyncGaps,
    initialSyncInWorker,
    rawWrite,
    rawWriteRows,
    lookups,
    lookupsWhileChanging,
    liveBursts,
    mergeBurst,
    drain,
    upgradeFromV4,
  },
});
