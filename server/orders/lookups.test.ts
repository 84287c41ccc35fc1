import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPglite } from '../../test/support/pglite-template';
import { SETTING_BINDING_RULES } from '../bindings/rules';
import type { Db } from '../db/database';
import { UPLOAD_CHECKS_SQL } from './lookups';

/**
 * An order upload's checks read the customers it names (and those of the alerts it names) by
 * primary key, whatever the size of the chain: bench:chain's PostgreSQL spent as much CPU on
 * these checks at 40 uploads/s as on 200 arrivals/s, each reading the whole customers table.
 */
type PlanNode = { 'Node Type': string; 'Relation Name'?: string; Plans?: PlanNode[] };
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

const MEMBERS = 20_000;

describe('the upload checks statement', () => {
  let db: Db;
  let named: string;
  let alerted: string;

  beforeAll(async () => {
    db = await openTestPglite({ migrated: true });
    await db.query(
      `insert into customers (id, seq, name, member_code)
       select gen_random_uuid(), nextval('change_seq'), 'member ' || g, 'M' || g
         from generate_series(1, $1::int) g`,
      [MEMBERS],
    );
    const [store] = await db.query<{ id: string }>(
      `insert into stores (id, name, timezone, lat, lng)
       values (gen_random_uuid(), 'S', 'Asia/Shanghai', 31.2, 121.4) returning id::text as id`,
    );
    const picked = await db.query<{ id: string }>(
      'select id::text as id from customers order by seq offset 100 limit 2',
    );
    named = picked[0]!.id;
    alerted = picked[1]!.id;
    await db.query(
      `insert into visits (id, store_id, customer_id, source, started_at, last_seen_at)
       values ('0190b000-0000-7000-8000-00000000c001', $1, $2, 'wifi', now(), now())`,
      [store!.id, alerted],
    );
    await db.query(
      `insert into alerts (id, visit_id, store_id, customer_id, source, raised_at, expires_at, card)
       values ('0190b000-0000-7000-8000-00000000c002', '0190b000-0000-7000-8000-00000000c001',
               $1, $2, 'wifi', now(), now() + interval '15 minutes', '{}'::jsonb)`,
      [store!.id, alerted],
    );
    await db.query('analyze');
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  const params = () => [
    '[]',
    '[]',
    '[]',
    '[]',
    JSON.stringify(['0190b000-0000-7000-8000-00000000c002']),
    JSON.stringify([named]),
    SETTING_BINDING_RULES,
  ];

  it('answers the customer named and the alert’s customer', async () => {
    const [row] = await db.query<{ customers: { id: string }[] | string }>(
      UPLOAD_CHECKS_SQL,
      params(),
    );
    const customers =
      typeof row!.customers === 'string'
        ? (JSON.parse(row!.customers) as { id: string }[])
        : row!.customers;
    expect(customers.map((c) => c.id).sort()).toEqual([named, alerted].sort());
  });

  it(`reads them by primary key, not by scanning ${MEMBERS.toLocaleString('en')} members`, async () => {
    const [row] = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>(
      `explain (format json) ${UPLOAD_CHECKS_SQL}`,
      params(),
    );
    const plan = row!['QUERY PLAN'];
    const root = (typeof plan === 'string' ? JSON.parse(plan) : plan) as [{ Plan: PlanNode }];
    const onCustomers = nodesOf(root[0].Plan).filter((n) => n['Relation Name'] === 'customers');
    expect(onCustomers.length).toBeGreaterThan(0);
    expect(onCustomers.map((n) => n['Node Type'])).not.toContain('Seq Scan');
  });
});
