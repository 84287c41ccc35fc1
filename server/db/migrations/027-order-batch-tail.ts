import { ADVISORY_LOCKS } from '../advisory-locks';

/**
 * Issue #17 (bench:chain: orders wait on the change-feed lock): an order batch's tail — every
 * statement of `storeCandidates` (server/orders/store-batch.ts) that must run under the chain-wide
 * change-feed lock — in one round trip.
 *
 * Before, the upload took the lock and then made ≈ 6 round trips to its hub (orders, stock read
 * `for update`, stock write, summaries read `for update`, summaries write, commit); under load the
 * hub answered each late and the lock holder sat "idle in transaction" while the chain waited.
 * Now the upload reads the stock figures and the customers' `in_store` before the lock, plainly,
 * computes the ledger and the new summaries in JS (the same code as before), and calls
 * `order_batch_tail` once. The function:
 * 1. takes the change-feed lock (4600, `ADVISORY_LOCKS.changeFeed`): no number is drawn before it;
 * 2. locks the `store_products` rows (store, product order) and the customers (id order) `for
 *    update` — after the feed lock, as the statements it replaces did;
 * 3. compares them with the figures the caller computed from (`before`: the stock, or null when
 *    the pair had no row; the whole `in_store`, or null when the customer had no row). If any
 *    differs, a writer committed between the caller's read and this lock: it writes nothing and
 *    returns `stale` with the current figures, the lock still held — the caller recomputes (in JS,
 *    no round trip) and calls again, and as every writer of those columns holds the feed lock, the
 *    second call finds them unchanged;
 * 4. inserts the orders and their lines (the orders' trigger enters the customer into the store's
 *    scope), and raises 40001 when an order was there already (`ClaimMismatch`: rolled back and
 *    retried by `retryOnLockConflict`);
 * 5. writes the ledger and the new stock (`store_products.seq` drawn), the summaries and the
 *    extra customers to move on the feed (`customers.seq` drawn);
 * and answers the highest sequence drawn for customers and for the catalog.
 *
 * PL/pgSQL takes a new snapshot per statement of a volatile function (read committed), so the
 * comparison after the row locks sees every commit made before them.
 */
export const orderBatchTailSchema = /* sql */ `
create function order_batch_tail(
  p_orders jsonb, p_lines jsonb, p_ledger jsonb, p_stock jsonb, p_customers jsonb, p_touch jsonb)
returns table(stale boolean, customers_seq text, catalog_seq text, stock_now jsonb,
              in_store_now jsonb)
language plpgsql volatile as $f$
#variable_conflict use_column
declare
  v_inserted integer;
  v_catalog bigint;
  v_summaries bigint;
  v_touched bigint;
begin
  perform pg_advisory_xact_lock(${ADVISORY_LOCKS.changeFeed});
  perform 1 from store_products sp
    join jsonb_to_recordset(p_stock) as x(store_id uuid, product_id uuid)
      on sp.store_id = x.store_id and sp.product_id = x.product_id
   order by sp.store_id, sp.product_id
     for update of sp;
  perform 1 from customers c
   where c.id in (select x.id from jsonb_to_recordset(p_customers) as x(id uuid))
   order by c.id
     for update;
  if exists (
       select 1 from jsonb_to_recordset(p_stock) as x(store_id uuid, product_id uuid, before int)
         left join store_products sp on sp.store_id = x.store_id and sp.product_id = x.product_id
        where sp.stock is distinct from x.before)
     or exists (
       select 1 from jsonb_to_recordset(p_customers) as x(id uuid, before jsonb)
         left join customers c on c.id = x.id
        where c.in_store is distinct from x.before) then
    return query select true, null::text, null::text,
      (select coalesce(jsonb_agg(jsonb_build_object(
                'store_id', sp.store_id, 'product_id', sp.product_id, 'stock', sp.stock)), '[]')
         from store_products sp
         join jsonb_to_recordset(p_stock) as x(store_id uuid, product_id uuid)
           on sp.store_id = x.store_id and sp.product_id = x.product_id),
      (select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'in_store', c.in_store)), '[]')
         from customers c
        where c.id in (select x.id from jsonb_to_recordset(p_customers) as x(id uuid)));
    return;
  end if;

  with o as (
    insert into orders (id, store_id, terminal_id, guide_id, customer_id, alert_id, visit_id,
                        payment_method, created_at, total, units)
    select x.id, x.store_id, x.terminal_id, x.guide_id, x.customer_id, x.alert_id, x.visit_id,
           x.payment_method, x.created_at, x.total, x.units
      from jsonb_to_recordset(p_orders) as x(id uuid, store_id uuid, terminal_id uuid,
           guide_id uuid, customer_id uuid, alert_id uuid, visit_id uuid, payment_method text,
           created_at timestamptz, total bigint, units int)
     order by x.id
    on conflict (id) do nothing
    returning id),
  l as (
    insert into order_lines (order_id, line_no, sku, product_id, quantity, unit_price, discount)
    select x.order_id, x.line_no, x.sku, x.product_id, x.quantity, x.unit_price, x.discount
      from jsonb_to_recordset(p_lines) as x(order_id uuid, line_no int, sku text,
           product_id uuid, quantity int, unit_price bigint, discount bigint)
     where x.order_id in (select id from o))
  select count(*) into v_inserted from o;
  if v_inserted <> jsonb_array_length(p_orders) then
    raise exception 'order claimed by its stock movements was already stored'
      using errcode = '40001';
  end if;

  update stock_movements sm
     set stock_before = x.stock_before, stock_after = x.stock_after, shortfall = x.shortfall
    from jsonb_to_recordset(p_ledger) as x(order_id uuid, line_no int, reason text,
         stock_before int, stock_after int, shortfall int)
   where sm.order_id = x.order_id and sm.line_no = x.line_no and sm.reason = x.reason;
  with moved as (
    insert into store_products (store_id, product_id, stock, seq)
    select x.store_id, x.product_id, x.stock, nextval('change_seq')
      from jsonb_to_recordset(p_stock) as x(store_id uuid, product_id uuid, stock int)
     order by x.store_id, x.product_id
    on conflict (store_id, product_id)
    do update set stock = excluded.stock, seq = excluded.seq
    returning seq)
  select max(seq) into v_catalog from moved;

  with written as (
    update customers c set seq = nextval('change_seq'), updated_at = now(), in_store = x.in_store
      from jsonb_to_recordset(p_customers) as x(id uuid, in_store jsonb)
     where c.id = x.id and x.in_store is not null
    returning c.seq)
  select max(seq) into v_summaries from written;
  with touched as (
    update customers set seq = nextval('change_seq'), updated_at = now()
     where id in (select jsonb_array_elements_text(p_touch)::uuid)
    returning seq)
  select max(seq) into v_touched from touched;

  return query select false, greatest(v_summaries, v_touched)::text, v_catalog::text,
    null::jsonb, null::jsonb;
end
$f$;
`;
