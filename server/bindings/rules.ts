import {
  bindingRules,
  DEFAULT_BINDING_RULES,
  type AdminChannel,
  type BindingRules,
} from '../../shared/protocol';
import { recordAudit } from '../audit/service';
import type { Db, Queryable } from '../db/database';

/** The `settings` key holding the chain's binding rules as JSON (shared/protocol/bindings.ts). */
export const SETTING_BINDING_RULES = 'binding_rules';

/**
 * The chain's binding rules: what head office saved, or the defaults when nothing was saved. A
 * stored value that no longer fits the schema (written by hand, or by a later hub version) also
 * gives the defaults: binding must never stop orders or registrations.
 */
export async function loadBindingRules(db: Queryable): Promise<BindingRules> {
  const rows = await db.query<{ value: string }>('select value from settings where key = $1', [
    SETTING_BINDING_RULES,
  ]);
  return parseBindingRules(rows[0]?.value ?? null);
}

/** The rules as stored (`settings.value`; null: never saved), or the defaults if unreadable. */
export function parseBindingRules(stored: string | null): BindingRules {
  if (stored === null) return DEFAULT_BINDING_RULES;
  try {
    const parsed = bindingRules.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : DEFAULT_BINDING_RULES;
  } catch {
    return DEFAULT_BINDING_RULES;
  }
}

/**
 * Saves the rules (already validated by the caller's schema) and audits the change as
 * `binding_rules_saved`, in one transaction. New rules apply from the next event on: bindings
 * already made stay, and a shorter expiry releases customers at the next sweep.
 */
export async function saveBindingRules(
  db: Db,
  rules: BindingRules,
  by: AdminChannel,
): Promise<BindingRules> {
  const value = bindingRules.parse(rules);
  await db.transaction(async (tx) => {
    await tx.query(
      'insert into settings(key, value) values ($1, $2) on conflict (key) do update set value = excluded.value',
      [SETTING_BINDING_RULES, JSON.stringify(value)],
    );
    await recordAudit(tx, { action: 'binding_rules_saved', source: by });
  });
  return value;
}
