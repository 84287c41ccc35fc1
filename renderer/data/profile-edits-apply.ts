import { applyProfileChanges, type ProfileEdit } from '../../shared/protocol';
import type { CachedCustomer } from './customer-rows';

/**
 * Profiles from the feed with this terminal's pending edits laid over them: the feed may bring a
 * member before the outbox has sent an edit made here (pull comes before drain, and the edit may
 * have been made offline), and the guide must not see the edit vanish and come back.
 */
export function withPendingEdits(
  customers: readonly CachedCustomer[],
  edits: readonly ProfileEdit[],
): CachedCustomer[] {
  if (edits.length === 0) return [...customers];
  const byCustomer = new Map<string, ProfileEdit[]>();
  for (const e of edits) byCustomer.set(e.customerId, [...(byCustomer.get(e.customerId) ?? []), e]);
  return customers.map((c) =>
    (byCustomer.get(c.id) ?? []).reduce((p, e) => applyProfileChanges(p, e.changes), c),
  );
}
