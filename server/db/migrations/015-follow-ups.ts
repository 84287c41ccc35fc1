/**
 * Issue #15 items 3 and 5: visit outcomes (why a claimed customer left without buying) and
 * follow-up tasks (跟进).
 * - `visit_outcomes`: one per visit, its id generated on the terminal (a resend is a duplicate).
 * - `follow_up_tasks`: unique per kind + customer + source, so generation run twice (or by two
 *   hub nodes at once) writes each task once. `seq` orders the per-store feed terminals pull; it is
 *   drawn from its own sequence under the follow-up lock (server/follow-ups/tasks.ts), so a row
 *   never commits behind a cursor a terminal has passed. `guide_id` null = the store pool.
 * - `follow_up_stock_marks`: the stock and price of wish-listed products per store as the last
 *   sweep saw them; "back in stock" and "cheaper" are changes against it.
 */
export const followUpsSchema = /* sql */ `
create table visit_outcomes (
  id uuid primary key,
  visit_id uuid not null references visits(id),
  alert_id uuid not null references alerts(id),
  store_id uuid not null references stores(id),
  customer_id uuid not null references customers(id),
  guide_id uuid not null references guides(id),
  terminal_id uuid not null references terminals(id),
  reason text not null check (reason in ('size_missing', 'price', 'just_browsing', 'will_return', 'other')),
  note text,
  at timestamptz not null,
  received_at timestamptz not null default now()
);
create unique index visit_outcomes_visit on visit_outcomes(visit_id);
create index visit_outcomes_store on visit_outcomes(store_id, at);

create sequence follow_up_seq;

create table follow_up_tasks (
  id uuid primary key,
  seq bigint not null,
  store_id uuid not null references stores(id),
  customer_id uuid not null references customers(id),
  guide_id uuid references guides(id),
  kind text not null check (kind in ('visit_no_purchase', 'birthday', 'wishlist', 'after_purchase')),
  source text not null,
  due_at timestamptz not null,
  detail jsonb not null default '{}',
  status text not null default 'open' check (status in ('open', 'done', 'cancelled')),
  created_at timestamptz not null,
  outcome_id uuid unique,
  outcome text check (outcome in ('contacted', 'came_back', 'bought', 'not_interested', 'unreachable')),
  note text,
  outcome_guide_id uuid references guides(id),
  outcome_terminal_id uuid references terminals(id),
  done_at timestamptz
);
create unique index follow_up_tasks_key on follow_up_tasks(kind, customer_id, source);
create unique index follow_up_tasks_feed on follow_up_tasks(store_id, seq);
create index follow_up_tasks_open on follow_up_tasks(store_id, due_at) where status = 'open';

create table follow_up_stock_marks (
  store_id uuid not null references stores(id),
  product_id uuid not null references products(id),
  stock integer not null,
  price bigint not null,
  primary key (store_id, product_id)
);
`;
