import type { ItemResult, RejectCode } from '../../shared/protocol';
import type { Queryable } from '../db/database';

/*
 * What every batch a terminal's outbox sends shares (follow-up and visit outcomes, consent
 * changes, profile edits): ids as one JSON list for `jsonb_array_elements_text`, the first copy
 * of each id, the answers in the order sent, the store's active guides, refusals with a code.
 */

/** A change dated further ahead of the hub's clock than this is refused (a wrong PC clock). */
export const MAX_CLOCK_AHEAD_MS = 24 * 3_600_000;

/** Distinct ids as a JSON list (one query parameter, however many ids). */
export const idList = (ids: Iterable<string>) => JSON.stringify([...new Set(ids)]);

/** The first item of each id, in the order sent. */
export function firstById<T extends { id: string }>(items: readonly T[]): T[] {
  const first = new Map<string, T>();
  for (const item of items) if (!first.has(item.id)) first.set(item.id, item);
  return [...first.values()];
}

/** First occurrence of each id; later copies in the same batch answer as the first did. */
export function answerInOrder<T extends { id: string }>(
  items: readonly T[],
  outcome: Map<string, ItemResult>,
): ItemResult[] {
  const seen = new Set<string>();
  return items.map((o) => {
    const result = outcome.get(o.id)!;
    if (seen.has(o.id))
      return result.status === 'rejected' ? result : { id: o.id, status: 'duplicate' };
    seen.add(o.id);
    return result;
  });
}

/** A refusal the terminal can show in the guide's language (`code`) and act on (`about`). */
export const refuse = (
  id: string,
  code: RejectCode,
  reason: string,
  about?: string[],
): ItemResult => ({ id, status: 'rejected', code, reason, ...(about ? { about } : {}) });

export type GuideRef = { id: string; role: 'guide' | 'manager' };

/** The store's active guides among `ids`, by id. */
export async function storeGuides(
  db: Queryable,
  storeId: string,
  ids: readonly string[],
): Promise<Map<string, GuideRef>> {
  const rows = await db.query<GuideRef>(
    `select id::text as id, role from guides
      where store_id = $1 and active and id in (select jsonb_array_elements_text($2::jsonb)::uuid)`,
    [storeId, idList(ids)],
  );
  return new Map(rows.map((r) => [r.id, r]));
}
