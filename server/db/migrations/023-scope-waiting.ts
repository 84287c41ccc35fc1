/**
 * Issue #17 follow-up: the scope settle round's "anything to number?" probe.
 *
 * Migration 021's `customer_store_scope_pending` holds every row with `seq` null, and rows stay
 * there for good when they leave before they were ever numbered (a member erased or merged away
 * while waiting, "online nearby" expired before the settle): `active = false`, `seq` null, never
 * sent, never numbered. One such row made every settle round (each second, on every node) find
 * "pending" work and take the chain-wide change-feed lock to number nothing.
 *
 * The rows that really wait are `seq is null and active`: this index holds exactly those, in the
 * order `settleStoreScopes` numbers them (store, then arrival), so the probe is one index-only
 * look-up and the numbering reads the index from its low end. It replaces the old index, which
 * nothing else reads.
 */
export const scopeWaitingSchema = /* sql */ `
create index customer_store_scope_waiting on customer_store_scope(store_id, entered_at, customer_id)
  where seq is null and active;
drop index customer_store_scope_pending;
`;
