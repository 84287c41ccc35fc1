import type { BindingRules } from '../../shared/protocol';
import { parseBindingRules, SETTING_BINDING_RULES } from '../bindings/rules';
import { MERGE_CHAIN_COLUMNS, type MergeChainRow } from '../customers/merge-chain';
import { createBatcher, perDatabase } from '../db/batcher';
import { isConnectionError, type Db, type Queryable } from '../db/database';

/**
 * Reference data an order upload is checked against, read in ONE statement (ids travel as JSON
 * arrays so the SQL is the same on PGlite and PostgreSQL): an upload's checks cost one round trip
 * and one pooled connection, not seven. Under load the uploads that come in while a node's checks
 * are under way are checked together, several stores' in one statement (server/db/batcher.ts: no
 * timer, a lone upload on a quiet node is checked at once, alone), and each gets its own part.
 */
const idList = (ids: Iterable<string>) => JSON.stringify([...new Set(ids)]);

export type ProductRef = { id: string; name: string };
export type AlertRef = { id: string; storeId: string; visitId: string; customerId: string };

/** What one upload names, to be checked. */
export type UploadNames = {
  storeId: string;
  orderIds: string[];
  guideIds: string[];
  skus: string[];
  alertIds: string[];
  customerIds: string[];
};

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
  stores: { id: string; timezone: string }[] | string;
  guides: { id: string; store_id: string }[] | string;
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

/** Orders whose checks one statement carries at most; a bigger upload is checked alone. */
export const CHECK_BATCH_ORDERS = 200;
/** Check statements a node runs at once; the pool keeps the rest. */
export const CHECKS_IN_FLIGHT = 2;

const checkerOf = perDatabase((db: Db) =>
  createBatcher((uploads: readonly UploadNames[]) => readUploadChecks(db, uploads), {
    maxBatch: CHECK_BATCH_ORDERS,
    size: (u) => Math.max(1, u.orderIds.length),
    inFlight: CHECKS_IN_FLIGHT,
    failsWaiting: isConnectionError,
  }),
);

/** One upload's checks, read with those of the uploads that come in beside it (see above). */
export function uploadChecks(db: Db, named: UploadNames): Promise<UploadChecks> {
  return checkerOf(db)(named);
}

/**
 * The checks' statement: $1 order ids, $2 store ids, $3 guide ids, $4 SKUs, $5 alert ids, $6
 * customer ids (JSON arrays), $7 the binding rules' settings key. The customers named and the
 * alerts' customers are ONE id set (a union) looked up through the primary key: written as
 * `id in (…) or id in (…)` PostgreSQL cannot use an index for either side and read the whole
 * customers table on every upload (31 ms at 300,000 members, seconds at a chain's 20 million;
 * lookups.test.ts checks the plan).
 */
export const UPLOAD_CHECKS_SQL = `select
       (select coalesce(jsonb_agg(o.id::text), '[]'::jsonb) from orders o
         where o.id in ${ids('$1')}) as existing,
       (select coalesce(jsonb_agg(jsonb_build_object('id', s.id::text,
                                                     'timezone', s.timezone)), '[]'::jsonb)
          from stores s where s.id in ${ids('$2')}) as stores,
       (select coalesce(jsonb_agg(jsonb_build_object('id', g.id::text,
                                                     'store_id', g.store_id::text)), '[]'::jsonb)
          from guides g where g.active and g.id in ${ids('$3')}) as guides,
       (select coalesce(jsonb_agg(jsonb_build_object('id', p.id::text, 'sku', p.sku,
                                                     'name', p.name)), '[]'::jsonb)
          from products p where p.sku in ${ids('$4', '')}) as products,
       (select coalesce(jsonb_agg(jsonb_build_object('id', a.id::text,
                 'store_id', a.store_id::text, 'visit_id', a.visit_id::text,
                 'customer_id', a.customer_id::text)), '[]'::jsonb)
          from alerts a where a.id in ${ids('$5')}) as alerts,
       (select coalesce(jsonb_agg(to_jsonb(c)), '[]'::jsonb)
          from (select ${MERGE_CHAIN_COLUMNS} from customers
                 where id in (select jsonb_array_elements_text($6::jsonb)::uuid
                              union
                              select a.customer_id from alerts a where a.id in ${ids('$5')})) c)
         as customers,
       (select st.value from settings st where st.key = $7) as rules`;

/** The checks of several uploads, of one store or several, in one statement. */
async function readUploadChecks(
  db: Queryable,
  uploads: readonly UploadNames[],
): Promise<PromiseSettledResult<UploadChecks>[]> {
  const all = <K extends keyof Omit<UploadNames, 'storeId'>>(key: K) =>
    idList(uploads.flatMap((u) => u[key]));
  const [row] = await db.query<ChecksRow>(UPLOAD_CHECKS_SQL, [
    all('orderIds'),
    idList(uploads.map((u) => u.storeId)),
    all('guideIds'),
    all('skus'),
    all('alertIds'),
    all('customerIds'),
    SETTING_BINDING_RULES,
  ]);
  const existing = new Set(json(row!.existing));
  const timezones = new Map(json(row!.stores).map((s) => [s.id, s.timezone]));
  const guideStore = new Map(json(row!.guides).map((g) => [g.id, g.store_id]));
  const products = new Map(
    json(row!.products).map((p): [string, ProductRef] => [p.sku, { id: p.id, name: p.name }]),
  );
  const alerts = new Map(
    json(row!.alerts).map((a): [string, AlertRef] => [
      a.id,
      { id: a.id, storeId: a.store_id, visitId: a.visit_id, customerId: a.customer_id },
    ]),
  );
  const customers = new Map(json(row!.customers).map((c) => [c.id, c]));
  const rules = parseBindingRules(row!.rules);
  // Each upload its own part: what it named, as the database spells the ids (lower case).
  const pick = <T>(map: ReadonlyMap<string, T>, keys: readonly string[], lower = true) =>
    new Map(
      keys.flatMap((k): [string, T][] => {
        const v = map.get(lower ? k.toLowerCase() : k);
        return v === undefined ? [] : [[k, v]];
      }),
    );
  return uploads.map((u): PromiseSettledResult<UploadChecks> => {
    const timezone = timezones.get(u.storeId.toLowerCase());
    if (timezone === undefined)
      return { status: 'rejected', reason: new Error(`store ${u.storeId} not found`) };
    const own = pick(alerts, u.alertIds);
    const customerIds = [...u.customerIds, ...[...own.values()].map((a) => a.customerId)];
    return {
      status: 'fulfilled',
      value: {
        existing: new Set(u.orderIds.filter((id) => existing.has(id.toLowerCase()))),
        timezone,
        guides: new Set(
          u.guideIds.filter((id) => guideStore.get(id.toLowerCase()) === u.storeId.toLowerCase()),
        ),
        products: pick(products, u.skus, false),
        alerts: own,
        customers: [...pick(customers, customerIds).values()],
        rules,
      },
    };
  });
}

export async function storeTimezone(db: Queryable, storeId: string): Promise<string> {
  const rows = await db.query<{ timezone: string }>('select timezone from stores where id = $1', [
    storeId,
  ]);
  if (!rows[0]) throw new Error(`store ${storeId} not found`);
  return rows[0].timezone;
}
