import type { Queryable } from '../db/database';

/** A customer row as far as merges go (`MERGE_CHAIN_COLUMNS`). */
export type MergeChainRow = { id: string; merged_into: string | null; deleted: boolean };
export const MERGE_CHAIN_COLUMNS = 'id::text as id, merged_into::text as merged_into, deleted';

/**
 * Maps each customer id to the live customer it stands for today: itself, or — for a merged
 * duplicate — the customer it was merged into (following chains: a survivor merged again later).
 * Unknown and deleted (erased) customers map to null. The hub's one implementation: orders taken
 * offline, alerts, CRM updates, online events and registrations may all carry an id merged away.
 */
export async function resolveLiveCustomers(
  db: Queryable,
  ids: readonly string[],
  /** the ids' own rows when the caller has read them already (the first hop: no query for it) */
  read?: readonly MergeChainRow[],
): Promise<Map<string, string | null>> {
  const rows = new Map<string, { mergedInto: string | null; deleted: boolean }>();
  const take = (found: readonly MergeChainRow[]) => {
    for (const r of found) rows.set(r.id, { mergedInto: r.merged_into, deleted: r.deleted });
    return found
      .map((r) => r.merged_into)
      .filter((id): id is string => id !== null && !rows.has(id));
  };
  // The database spells uuids in lower case; callers may not.
  let pending = read ? take(read) : [...new Set(ids.map((id) => id.toLowerCase()))];
  // A merge chain longer than a few hops does not happen in practice; the bound also stops a cycle.
  for (let round = read ? 1 : 0; round < 8 && pending.length > 0; round++) {
    const found = await db.query<MergeChainRow>(
      `select ${MERGE_CHAIN_COLUMNS} from customers
        where id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
      [JSON.stringify(pending)],
    );
    pending = take(found);
  }
  const resolved = new Map<string, string | null>();
  for (const id of new Set(ids)) {
    let current: string | null = id.toLowerCase();
    const seen = new Set<string>();
    while (current !== null) {
      const row = rows.get(current);
      if (!row || seen.has(current)) {
        current = null;
        break;
      }
      seen.add(current);
      if (row.mergedInto === null) {
        if (row.deleted) current = null;
        break;
      }
      current = row.mergedInto;
    }
    resolved.set(id, current);
  }
  return resolved;
}

/** `resolveLiveCustomers` for one id: the surviving customer's id, or null. */
export async function resolveLiveCustomerId(db: Queryable, id: string): Promise<string | null> {
  return (await resolveLiveCustomers(db, [id])).get(id) ?? null;
}
