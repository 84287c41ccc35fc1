import {
  creditRules,
  DEFAULT_CREDIT_RULES,
  type CreditRules,
  type CreditRulesResponse,
} from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import type { Db, Queryable } from '../db/database';

/** The `settings` key the rule chain is kept under, as JSON validated by `creditRules`. */
export const SETTING_CREDIT_RULES = 'online_credit_rules';

/**
 * The rule chain in force: head office's, or the default while none is set. A stored value that
 * no longer parses (hand-edited in the database) falls back to the default rather than failing
 * every online order; setting the rules again through the API fixes it.
 */
export async function loadCreditRules(db: Queryable): Promise<CreditRulesResponse> {
  const [row] = await db.query<{ value: string }>('select value from settings where key = $1', [
    SETTING_CREDIT_RULES,
  ]);
  if (!row) return { rules: DEFAULT_CREDIT_RULES, isDefault: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.value);
  } catch {
    return { rules: DEFAULT_CREDIT_RULES, isDefault: true };
  }
  const rules = creditRules.safeParse(parsed);
  return rules.success
    ? { rules: rules.data, isDefault: false }
    : { rules: DEFAULT_CREDIT_RULES, isDefault: true };
}

/**
 * Sets the rule chain (already validated), audited as `credit_rules_changed`. It applies to
 * orders that arrive from now on; credit already given is never re-evaluated.
 */
export async function saveCreditRules(
  db: Db,
  rules: CreditRules,
  by: 'admin_cli' | 'admin_rest',
): Promise<CreditRulesResponse> {
  await db.transaction(async (tx) => {
    await tx.query(
      'insert into settings(key, value) values ($1, $2) on conflict (key) do update set value = excluded.value',
      [SETTING_CREDIT_RULES, JSON.stringify(rules)],
    );
    await recordAudit(tx, { action: 'credit_rules_changed', source: by });
  });
  return { rules, isDefault: false };
}
