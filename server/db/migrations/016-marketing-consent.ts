/**
 * Issue #15 item 4, marketing consent (PIPL) captured at the counter:
 * - `marketing_consent_events`: append-only, one row per change a terminal recorded, its id born
 *   on the terminal (a resend is a duplicate): granted or withdrawn, the notice shown (version,
 *   language, SHA-256 of its text), store, terminal, guide, the terminal's time and the hub's.
 * - `marketing_consents`: the current state per customer, the latest change by the terminal's
 *   time (then by event id, so two changes of one instant settle the same way on every node).
 *   `customers.consent_marketing` follows it, so CRM exports and merges see one flag.
 * - the customer feed carries the state: every stored feed JSON is out of date.
 * Erasure deletes both (server/customers/erase.ts); a merge moves them to the survivor.
 */
export const marketingConsentSchema = /* sql */ `
create table marketing_consent_events (
  id uuid primary key,
  customer_id uuid not null references customers(id),
  granted boolean not null,
  notice_version text not null,
  notice_locale text not null,
  notice_hash text not null,
  store_id uuid not null references stores(id),
  terminal_id uuid not null references terminals(id),
  guide_id uuid not null references guides(id),
  at timestamptz not null,
  received_at timestamptz not null default now()
);
create index marketing_consent_events_customer on marketing_consent_events(customer_id, at);

create table marketing_consents (
  customer_id uuid primary key references customers(id),
  granted boolean not null,
  event_id uuid not null,
  notice_version text not null,
  at timestamptz not null,
  updated_at timestamptz not null default now()
);

update customers set feed_json_seq = null;
`;
