import type { Queryable } from '../db/database';

/**
 * Reference data one order batch is checked against, each fetched with one query for the whole
 * batch (ids travel as a JSON array so the SQL is the same on PGlite and PostgreSQL).
 */
const idList = (ids: Iterable<string>) => JSON.stringify([...new Set(ids)]);

export async function existingOrderIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(
    `select id::text as id from orders
      where id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
    [idList(ids)],
  );
  return new Set(rows.map((r) => r.id));
}

export async function storeTimezone(db: Queryable, storeId: string): Promise<string> {
  const rows = await db.query<{ timezone: string }>('select timezone from stores where id = $1', [
    storeId,
  ]);
  if (!rows[0]) throw new Error(`store ${storeId} not found`);
  return rows[0].timezone;
}

/** Ids of the active guides of `storeId` among `ids`. */
export async function activeGuides(
  db: Queryable,
  storeId: string,
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(
    `select id::text as id from guides
      where store_id = $1 and active
        and id in (select jsonb_array_elements_text($2::jsonb)::uuid)`,
    [storeId, idList(ids)],
  );
  return new Set(rows.map((r) => r.id));
}

export type ProductRef = { id: string; name: string };

export async function productsBySku(
  db: Queryable,
  skus: string[],
): Promise<Map<string, ProductRef>> {
  if (skus.length === 0) return new Map();
  const rows = await db.query<{ id: string; sku: string; name: string }>(
    `select id::text as id, sku, name from products
      where sku in (select jsonb_array_elements_text($1::jsonb))`,
    [idList(skus)],
  );
  return new Map(rows.map((r) => [r.sku, { id: r.id, name: r.name }]));
}

export type AlertRef = { id: string; storeId: string; visitId: string; customerId: string };

export async function alertsById(db: Queryable, ids: string[]): Promise<Map<string, AlertRef>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{
    id: string;
    store_id: string;
    visit_id: string;
    customer_id: string;
  }>(
    `select id::text as id, store_id::text as store_id, visit_id::text as visit_id,
            customer_id::text as customer_id
       from alerts where id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
    [idList(ids)],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, storeId: r.store_id, visitId: r.visit_id, customerId: r.customer_id },
    ]),
  );
}
