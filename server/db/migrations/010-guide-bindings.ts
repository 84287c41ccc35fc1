/**
 * Issue #15, the guide's own customers (专属导购). Written first so that the binding, the
 * online-sale credit and the follow-ups can be built on one shape:
 * - `customer_bindings`: a customer's current guide, one at a time. The row is the binding;
 *   no row means the customer is in the store pool (of `customers.home_store_id`). Expiry is a
 *   rule (N days without contact, configured at head office) applied to `last_contact_at`; the
 *   hub releases expired bindings, it does not keep an "expired" row.
 * - `customer_binding_events`: every change, append-only — who the customer was bound to and
 *   when, so that credit at a past instant ("the bound guide on the day of the online order") and
 *   every transfer can be traced. `guide_id` null = released to the store pool.
 */
export const guideBindingsSchema = /* sql */ `
create table customer_bindings (
  customer_id uuid primary key references customers(id),
  guide_id uuid not null references guides(id),
  store_id uuid not null references stores(id),
  rule text not null,
  bound_at timestamptz not null,
  last_contact_at timestamptz not null
);
create index customer_bindings_guide on customer_bindings(guide_id);
create index customer_bindings_store on customer_bindings(store_id);
create index customer_bindings_contact on customer_bindings(last_contact_at);

create table customer_binding_events (
  id uuid primary key,
  customer_id uuid not null references customers(id),
  guide_id uuid references guides(id),
  store_id uuid references stores(id),
  event text not null check (event in ('bound', 'transferred', 'released', 'expired')),
  rule text,
  at timestamptz not null,
  actor_guide_id uuid references guides(id),
  source text not null,
  note text
);
create index customer_binding_events_customer on customer_binding_events(customer_id, at);
`;
