/**
 * Issue #15 item 2, credit for online sales (docs/online-credit.md):
 * - `online_orders`: every online order and refund head office posted, as received (the body's
 *   hash makes a resend a duplicate and a different body under the same id a 409). A refund names
 *   its order in `refund_of`; one that arrives before its order is `parked` until the order does.
 * - `online_credits`: who each order or refund was credited to — one row per order or refund
 *   (`line_id`), under the sale it belongs to (`order_id`). `rule` is the rule that fired
 *   (`none`: nobody, recorded so that uncredited sales are visible), `evidence` the visit and
 *   alert, binding event or home store it fired on, and the chain that was in force. A refund row
 *   copies the store, guide and rule of its order's row (never re-evaluated) with a negative
 *   amount, capped so that an order's credit never goes below zero.
 */
export const onlineCreditSchema = /* sql */ `
create table online_orders (
  id text primary key,
  kind text not null check (kind in ('order', 'refund')),
  refund_of text,
  customer_id uuid not null references customers(id),
  channel text not null,
  at timestamptz not null,
  amount bigint not null,
  lines jsonb not null,
  body_hash text not null,
  state text not null check (state in ('credited', 'parked')),
  received_at timestamptz not null default now(),
  check ((kind = 'refund') = (refund_of is not null))
);
create index online_orders_refund_of on online_orders(refund_of) where refund_of is not null;
create index online_orders_customer on online_orders(customer_id);

create table online_credits (
  id uuid primary key,
  order_id text not null references online_orders(id),
  line_id text not null references online_orders(id),
  kind text not null check (kind in ('sale', 'refund')),
  rule text not null check (rule in ('claimed_visit', 'bound_guide', 'home_store', 'none')),
  store_id uuid references stores(id),
  guide_id uuid references guides(id),
  amount bigint not null,
  at timestamptz not null,
  evidence jsonb not null,
  created_at timestamptz not null default now(),
  check ((rule = 'none') = (store_id is null)),
  check (guide_id is null or store_id is not null)
);
create unique index online_credits_line on online_credits(line_id);
create index online_credits_order on online_credits(order_id);
create index online_credits_store_at on online_credits(store_id, at);
`;
