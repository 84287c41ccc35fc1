import type { BindingRules } from '../../shared/protocol';
import { parseBindingRules, SETTING_BINDING_RULES } from '../bindings/rules';
import { MERGE_CHAIN_COLUMNS, type MergeChainRow } from '../customers/merge-chain';
import type { Queryable } from '../db/database';

/**
 * Reference data one order upload is checked against, read in ONE statement for the whole upload
 * (ids travel as JSON arrays so the SQL is the same on PGlite and PostgreSQL): under load an
 * upload's checks cost one round trip and one pooled connection, not seven.
 */
const idList = (ids: Iterable<string>) => JSON.stringify([...new Set(ids)]);

export type ProductRef = { id: string; name: string };
export type AlertRef = { id: string; storeId: string; visitId: string; customerId: string };

export type UploadChecks = {
  /** ids among the upload's that are stored already */
  existing: Set<string>;
  /** the store's time zone */
  timezone: string;
  /** the active guides of the store among those named */
  guides: Set<string>;
  products: Map<string, ProductRef>;
  alerts: Map<string, AlertRef>;
  /** the rows of the customers named and of the alerts' customers (the first hop of merges) */
  customers: MergeChainRow[];
  rules: BindingRules;
};

type ChecksRow = {
  existing: string[] | string;
  timezone: string | null;
  guides: string[] | string;
  products: { id: string; sku: string; name: string }[] | string;
  alerts: { id: string; store_id: string; visit_id: string; customer_id: string }[] | string;
  customers: MergeChainRow[] | string;
  rules: string | null;
};

/** A jsonb column: parsed by the driver, or its text. */
const json = <T>(value: T | string): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

const ids = (param: string, cast = '::uuid') =>
  `(select jsonb_array_elements_text(${param}::jsonb)${cast})`;

export async function uploadChecks(
  db: Queryable,
  storeId: string,
  named: {
    orderIds: string[];
    guideIds: string[];
    skus: string[];
    alertIds: string[];
    customerIds: string[];
  },
): Promise<UploadChecks> {
  const [row] = await db.query<ChecksRow>(
    `select
       (select coalesce(jsonb_agg(o.id::text), '[]'::jsonb) from orders o
         where o.id in ${ids('$1')}) as existing,
       (select s.timezone from stores s where s.id = $2) as timezone,
       (select coalesce(jsonb_agg(g.id::text), '[]'::jsonb) from guides g
         where g.store_id = $2 and g.active and g.id in ${ids('$3')}) as guides,
       (select coalesce(jsonb_agg(jsonb_build_object('id', p.id::text, 'sku', p.sku,
                                                     'name', p.name)), '[]'::jsonb)
          from products p where p.sku in ${ids('$4', '')}) as products,
       (select coalesce(jsonb_agg(jsonb_build_object('id', a.id::text,
                 'store_id', a.store_id::text, 'visit_id', a.visit_id::text,
                 'customer_id', a.customer_id::text)), '[]'::jsonb)
          from alerts a where a.id in ${ids('$5')}) as alerts,
       (select coalesce(jsonb_agg(to_jsonb(c)), '[]'::jsonb)
          from (select ${MERGE_CHAIN_COLUMNS} from customers
                 where id in ${ids('$6')}
                    or id in (select a.customer_id from alerts a where a.id in ${ids('$5')})) c)
         as customers,
       (select st.value from settings st where st.key = $7) as rules`,
    [
      idList(named.orderIds),
      storeId,
      idList(named.guideIds),
      idList(named.skus),
      idList(named.alertIds),
      idList(named.customerIds),
      SETTING_BINDING_RULES,
    ],
  );
  if (!row || row.timezone === null) throw new Error(`store ${storeId} not found`);
  return {
    existing: new Set(json(row.existing)),
    timezone: row.timezone,
    guides: new Set(json(row.guides)),
    products: new Map(json(row.products).map((p) => [p.sku, { id: p.id, name: p.name }])),
    alerts: new Map(
      json(row.alerts).map((a) => [
        a.id,
        { id: a.id, storeId: a.store_id, visitId: a.visit_id, customerId: a.customer_id },
      ]),
    ),
    customers: json(row.customers),
    rules: parseBindingRules(row.rules),
  };
}

export async function storeTimezone(db: Queryable, storeId: string): Promise<string> {
  const rows = await db.query<{ timezone: string }>('select timezone from stores where id = $1', [
    storeId,
  ]);
  if (!rows[0]) throw new Error(`store ${storeId} not found`);
  return rows[0].timezone;
}
