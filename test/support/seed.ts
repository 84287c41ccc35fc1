import { expect } from 'vitest';
import type { BatchResponse, CustomerFeedItem, CustomerProfile } from '../../shared/protocol';
import { call } from './http';
import type { HubProcess } from './hub-process';

let counter = 0;
/** A short string unique within this test process (phones, member codes, SKUs). */
export const unique = () => `${Date.now() % 1_000_000}${++counter}`;

/** Every live customer in a terminal's customer feed, paged to the end. */
export async function customerFeed(
  hub: Pick<HubProcess, 'url'>,
  token: string,
): Promise<CustomerProfile[]> {
  const out: CustomerProfile[] = [];
  let after = '0';
  for (;;) {
    const r = await call<{ items: CustomerFeedItem[]; cursor: string; hasMore: boolean }>(
      hub,
      'GET',
      `/api/v1/sync/customers?after=${after}&limit=5000&withTotal=false`,
      undefined,
      { token },
    );
    expect(r.status).toBe(200);
    for (const item of r.body.items) if (!('deleted' in item)) out.push(item);
    after = r.body.cursor;
    if (!r.body.hasMore) return out;
  }
}

/**
 * Seeds `count` CRM customers through the integration API (each with a unique mobile number and
 * member code under `tag`) and returns their hub ids, read back from the terminal's feed.
 */
export async function seedCrmCustomers(
  hub: Pick<HubProcess, 'url'>,
  token: string,
  count: number,
  tag: string,
): Promise<string[]> {
  const crm = Array.from({ length: count }, () => {
    const n = unique().padStart(8, '0').slice(-8);
    return {
      crmId: `crm-${tag}-${n}`,
      name: `顾客${n}`,
      phone: `138${n}`,
      memberCode: `M${tag}${n}`,
    };
  });
  const r = await call<BatchResponse>(
    hub,
    'POST',
    '/api/v1/integration/customers',
    { customers: crm },
    { integration: true },
  );
  if (r.status !== 200 || r.body.results.some((x) => x.status !== 'accepted'))
    throw new Error(`customers not seeded: ${JSON.stringify(r.body)}`);
  const profiles = await customerFeed(hub, token);
  return crm.map((c) => profiles.find((p) => p.memberCode === c.memberCode)!.id);
}

/** Seeds catalog products through the integration API (name and category have defaults). */
export async function seedProducts(
  hub: Pick<HubProcess, 'url'>,
  products: {
    sku: string;
    price: number;
    name?: string;
    category?: string;
    barcode?: string;
    stock?: Record<string, number>;
  }[],
): Promise<void> {
  const r = await call<BatchResponse>(
    hub,
    'POST',
    '/api/v1/integration/products',
    {
      products: products.map((p) => ({ name: `商品 ${p.sku}`, category: '连衣裙', ...p })),
    },
    { integration: true },
  );
  if (r.status !== 200 || r.body.results.some((x) => x.status === 'rejected'))
    throw new Error(`products not seeded: ${JSON.stringify(r.body)}`);
}
