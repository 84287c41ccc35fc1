/**
 * Builds a terminal (Dexie on fake-indexeddb + the real HTTP/socket hub client + the sync engine)
 * against a real hub process, as the terminal-*.test.ts suites need it.
 */
import { expect } from 'vitest';
import { endpoints, type Order } from '../../shared/protocol';
import { newId } from '../../shared/domain/ids';
import { TerminalDb } from '../../renderer/data/database';
import { memorySecretStore } from '../../renderer/data/secret-store';
import { freshIdb } from '../../renderer/data/testing';
import { createHttpHubClient } from '../../renderer/sync/http-hub-client';
import type { HubClient } from '../../renderer/sync/hub-client';
import { SyncEngine } from '../../renderer/sync/sync-engine';
import type { StoreFixture } from '../support/fixtures';
import { hubApi, must } from '../support/api';
import { seedProducts as seedCatalog } from '../support/seed';
import type { HubProcess } from '../support/hub-process';

export type Terminal = {
  db: TerminalDb;
  engine: SyncEngine;
  client: HubClient;
  secrets: ReturnType<typeof memorySecretStore>;
  idb: ReturnType<typeof freshIdb>;
  terminalId: string;
  /** a new engine (and db connection) on the same IndexedDB: an app restart */
  restart(wrap?: (client: HubClient) => HubClient): Terminal;
};

export async function enrolTerminal(
  hub: Pick<HubProcess, 'url'>,
  store: StoreFixture,
  options: { index?: number; pageSize?: number; wrap?: (client: HubClient) => HubClient } = {},
): Promise<Terminal> {
  const { id, token } = store.terminals[options.index ?? 0]!;
  const { phoneHashKey } = await must(
    hubApi(hub, { token }).call(endpoints.terminalInfo),
    'terminal info',
  );
  const secrets = memorySecretStore({ token, phoneHashKey });
  const idb = freshIdb();
  const build = (wrap?: (client: HubClient) => HubClient): Terminal => {
    const db = new TerminalDb(id, idb);
    const base = createHttpHubClient({
      baseUrl: hub.url,
      secrets,
      timeoutMs: 10_000,
      reconnect: { baseMs: 100, maxMs: 1_000 },
    });
    const client = wrap ? wrap(base) : base;
    const engine = new SyncEngine({
      db,
      hub: client,
      secrets,
      pageSize: options.pageSize ?? 1000,
      retry: { baseMs: 100, maxMs: 1_000 },
    });
    return { db, engine, client, secrets, idb, terminalId: id, restart: build };
  };
  return build(options.wrap);
}

/** Polls until `check` passes (a deadline for waiting, not a timing assertion). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let phoneCounter = 0;
export const nextPhone = () =>
  `13${String(600_000_000 + (phoneCounter += 1) * 7).padStart(9, '0')}`;

/**
 * Seeds `count` CRM customers (≤1000 per call), homed at `homeStoreId` when given (a store-scoped
 * feed then carries them to that store's terminals); returns their phones and member codes.
 */
export async function seedCustomers(
  hub: Pick<HubProcess, 'url'>,
  count: number,
  tag: string,
  homeStoreId?: string,
) {
  const made: {
    crmId: string;
    name: string;
    phone: string;
    memberCode: string;
    homeStoreId?: string;
  }[] = [];
  const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄'];
  for (let i = 0; i < count; i++)
    made.push({
      crmId: `crm-${tag}-${i}`,
      name: `${surnames[i % surnames.length]}客${i}`,
      phone: nextPhone(),
      memberCode: `M${tag}${String(i).padStart(6, '0')}`,
      ...(homeStoreId ? { homeStoreId } : {}),
    });
  for (let i = 0; i < made.length; i += 1000) {
    const r = await hubApi(hub).call(endpoints.importCustomers, {
      body: { customers: made.slice(i, i + 1000) },
    });
    expect(r.ok).toBe(true);
  }
  return made;
}

/** Seeds products with barcodes and 50 in stock at `storeId`. */
export async function seedProducts(hub: Pick<HubProcess, 'url'>, storeId: string, skus: string[]) {
  await seedCatalog(
    hub,
    skus.map((sku, i) => ({
      sku,
      barcode: `690000${String(i).padStart(7, '0')}`,
      name: `商品${i}`,
      category: 'dress',
      price: 19_900,
      stock: { [storeId]: 50 },
    })),
  );
}

export function orderFor(store: StoreFixture, sku: string, over: Partial<Order> = {}): Order {
  return {
    id: newId(),
    storeId: store.storeId,
    terminalId: store.terminals[0]!.id,
    guideId: store.guide.id,
    paymentMethod: 'wechat',
    createdAt: new Date().toISOString(),
    lines: [{ sku, quantity: 1, unitPrice: 19_900, discount: 0 }],
    ...over,
  };
}

/** Re-sends orders straight to the hub: every one must come back `duplicate` (the hub has it). */
export async function expectHubHasEach(
  hub: Pick<HubProcess, 'url'>,
  token: string,
  orders: Order[],
) {
  for (let i = 0; i < orders.length; i += 500) {
    const { results } = await must(
      hubApi(hub, { token }).call(endpoints.postOrders, {
        body: { orders: orders.slice(i, i + 500) },
      }),
    );
    expect(results.filter((x) => x.status !== 'duplicate')).toEqual([]);
  }
}

/** Orders the hub counts for the store today (store-local), to prove none was stored twice. */
export async function hubOrderCount(
  hub: Pick<HubProcess, 'url'>,
  store: StoreFixture,
): Promise<number> {
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: store.timezone }).format(new Date());
  const stats = await must(
    hubApi(hub, { token: store.terminals[0]!.token }).call(endpoints.storeStats, {
      params: { storeId: store.storeId },
      query: { date },
    }),
  );
  return 'days' in stats ? stats.total.orders : stats.orders;
}
