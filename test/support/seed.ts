import { endpoints, type CustomerFeedItem, type CustomerProfile } from '../../shared/protocol';
import { hubApi, must } from './api';
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
  const api = hubApi(hub, { token });
  for (;;) {
    const page = await must(
      api.call(endpoints.syncCustomers, { query: { after, limit: 5000, withTotal: false } }),
      'customer feed',
    );
    for (const item of page.items as CustomerFeedItem[]) if (!('deleted' in item)) out.push(item);
    after = page.cursor;
    if (!page.hasMore) return out;
  }
}

/**
 * Seeds `count` CRM customers through the integration API (each with a unique mobile number and
 * member code under `tag`), homed at the terminal's store so its store-scoped feed carries them,
 * and returns their hub ids, read back from the terminal's feed.
 */
export async function seedCrmCustomers(
  hub: Pick<HubProcess, 'url'>,
  token: string,
  count: number,
  tag: string,
): Promise<string[]> {
  const { store } = await must(
    hubApi(hub, { token }).call(endpoints.terminalInfo),
    'terminal info',
  );
  const crm = Array.from({ length: count }, () => {
    const n = unique().padStart(8, '0').slice(-8);
    return {
      crmId: `crm-${tag}-${n}`,
      name: `顾客${n}`,
      phone: `138${n}`,
      memberCode: `M${tag}${n}`,
      homeStoreId: store.id,
    };
  });
  const { results } = await must(
    hubApi(hub).call(endpoints.importCustomers, { body: { customers: crm } }),
  );
  if (results.some((x) => x.status !== 'accepted'))
    throw new Error(`customers not seeded: ${JSON.stringify(results)}`);
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
  const { results } = await must(
    hubApi(hub).call(endpoints.importProducts, {
      body: {
        products: products.map((p) => ({ name: `商品 ${p.sku}`, category: '连衣裙', ...p })),
      },
    }),
  );
  if (results.some((x) => x.status === 'rejected'))
    throw new Error(`products not seeded: ${JSON.stringify(results)}`);
}
