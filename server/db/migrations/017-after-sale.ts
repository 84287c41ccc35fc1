/**
 * Issue #16 item 1: after-sale — voids, returns (refunds) and exchanges of in-store orders.
 * - `order_returns`: one row per return, its id born on the terminal (a resend is the same
 *   return). `request_hash` is the canonical request's hash, so another return sent under an id
 *   already used is told apart from a resend and refused. `seller_id` is the original order's
 *   guide — the one whose credit the refund takes back; `guide_id` who took the goods back;
 *   `manager_id` who approved it (above the threshold). `amount` is the refund the hub computed.
 * - `order_return_lines`: units per original line; the over-return rule (returned ≤ sold per
 *   line) is checked against their sums under a row lock on the original order.
 * - `orders.returned_units` / `refunded` / `voided_at`: the running after-sale of an order, kept
 *   beside it so 今日订单 and the rule read one row.
 * Stock goes back up through `stock_movements` (reason 'return', order_id = the return's id, so
 *   partial returns of one line are separate movements).
 */
export const afterSaleSchema = /* sql */ `
create table order_returns (
  id uuid primary key,
  order_id uuid not null references orders(id),
  store_id uuid not null references stores(id),
  terminal_id uuid not null references terminals(id),
  guide_id uuid not null references guides(id),
  seller_id uuid not null references guides(id),
  customer_id uuid references customers(id),
  manager_id uuid references guides(id),
  kind text not null check (kind in ('return', 'void', 'exchange')),
  reason text not null,
  note text,
  exchange_order_id uuid,
  created_at timestamptz not null,
  received_at timestamptz not null default now(),
  amount bigint not null check (amount >= 0),
  units integer not null check (units > 0),
  request_hash text not null
);
create index order_returns_order on order_returns(order_id);
create index order_returns_store_time on order_returns(store_id, created_at);

create table order_return_lines (
  return_id uuid not null references order_returns(id),
  order_id uuid not null,
  line_no integer not null,
  quantity integer not null check (quantity > 0),
  amount bigint not null check (amount >= 0),
  primary key (return_id, line_no),
  foreign key (order_id, line_no) references order_lines(order_id, line_no)
);
create index order_return_lines_order on order_return_lines(order_id, line_no);

alter table orders add column returned_units integer not null default 0;
alter table orders add column refunded bigint not null default 0;
alter table orders add column voided_at timestamptz;
`;
