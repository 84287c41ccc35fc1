/**
 * Issue #16, items 3 and 4: styles, and stock that follows sales.
 * - `products.style_code` groups SKUs into a style (one design in every colour and size);
 *   `products.size_kind` says which of a customer's profile sizes the product is worn in
 *   (top / bottom / dress / shoe; null = one size or no size chart).
 * - `stock_movements`: every change an in-store sale (later a return) made to a store's stock,
 *   append-only. `(order_id, line_no, reason)` is unique, so an order retried by the outbox can
 *   never move stock twice even if the order's own idempotency were bypassed. A sale of more than
 *   the store holds is recorded with its `shortfall` (units sold that the books did not have) and
 *   leaves the stock at 0: the sale happened, and the count was wrong.
 */
export const stylesStockSchema = /* sql */ `
alter table products add column style_code text;
alter table products add column size_kind text check (size_kind in ('top', 'bottom', 'dress', 'shoe'));
create index products_style on products(style_code) where style_code is not null;

create table stock_movements (
  id bigserial primary key,
  store_id uuid not null references stores(id),
  product_id uuid not null references products(id),
  order_id uuid not null,
  line_no integer not null,
  reason text not null check (reason in ('sale', 'return')),
  quantity integer not null,
  stock_before integer not null,
  stock_after integer not null,
  shortfall integer not null default 0,
  at timestamptz not null default now(),
  unique (order_id, line_no, reason)
);
create index stock_movements_store on stock_movements(store_id, at);
create index stock_movements_shortfall on stock_movements(store_id, at) where shortfall > 0;
`;
