import type { BindingRule } from '../../shared/protocol';
import { loadBindingRules } from '../bindings/rules';
import { bindIfUnbound } from '../bindings/service';
import { changeFeedTransaction, type Db } from '../db/database';
import { DEMO_STORES } from './chain';
import type { DemoCustomer } from './customers';

/** Sample customers of each store given a guide (the rest of the samples stay in the pool). */
const BOUND_PER_STORE = 12;
const DAY_MS = 86_400_000;

/**
 * The guide's own customers for the demo (专属导购): the first sample customers of each store
 * (the ones in demo-credentials.json) are bound to the store's guides in turn, registered by or
 * served by them a few days to a few weeks ago, so a newcomer signing in as any guide sees
 * "你的顾客" on some cards and "王芳的顾客" on others. Customers the week of history already bound
 * (their first purchase) keep their guide. Idempotent: only customers in the pool are bound.
 */
export async function seedBindings(
  db: Db,
  customers: readonly DemoCustomer[],
  now: Date = new Date(),
): Promise<number> {
  const rules = await loadBindingRules(db);
  let bound = 0;
  for (const store of DEMO_STORES) {
    const guides = store.guides.filter((g) => g.role === 'guide');
    if (guides.length === 0) continue;
    const crmIds = customers
      .filter((c) => c.crm.homeStoreId === store.id)
      .slice(0, BOUND_PER_STORE)
      .map((c) => c.crm.crmId);
    const rows = await db.query<{ id: string; crm_id: string }>(
      `select id::text as id, crm_id from customers
        where crm_id in (select jsonb_array_elements_text($1::jsonb))
          and merged_into is null and not deleted`,
      [JSON.stringify(crmIds)],
    );
    const idOf = new Map(rows.map((r) => [r.crm_id, r.id]));
    await changeFeedTransaction(db, async (tx) => {
      for (const [i, crmId] of crmIds.entries()) {
        const customerId = idOf.get(crmId);
        if (!customerId) continue;
        const rule: BindingRule = i % 2 === 0 ? 'registered_by' : 'served_and_bought';
        const result = await bindIfUnbound(tx, {
          customerId,
          guideId: guides[i % guides.length]!.id,
          storeId: store.id,
          rule,
          at: new Date(now.getTime() - (3 + 2 * i) * DAY_MS),
          source: 'hub',
          rules,
        });
        if (result.bound) bound += 1;
      }
    });
  }
  return bound;
}
