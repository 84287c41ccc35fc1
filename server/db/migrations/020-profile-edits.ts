/**
 * Issue #16 item 7, profile upkeep at the counter: `customer_profile_edits` is the per-field change
 * log, one row per edit a terminal sent, its id born on the terminal (a resend is a duplicate):
 * the member, the guide, the store and terminal, the fields changed with their new values (JSON,
 * `shared/protocol/profile-edits.ts` `profileChanges`), the terminal's time and the hub's.
 * `received_seq` is the order the hub took edits in: of two edits of one field the later received
 * wins (the customer row holds the result; the log says who set each field and when).
 * Erasure deletes the rows (the notes may name people); a merge moves them to the survivor.
 */
export const profileEditsSchema = /* sql */ `
create table customer_profile_edits (
  id uuid primary key,
  customer_id uuid not null references customers(id),
  guide_id uuid not null references guides(id),
  store_id uuid not null references stores(id),
  terminal_id uuid not null references terminals(id),
  fields jsonb not null,
  at timestamptz not null,
  received_at timestamptz not null default now(),
  received_seq bigserial not null
);
create index customer_profile_edits_customer on customer_profile_edits(customer_id, received_seq);
`;
