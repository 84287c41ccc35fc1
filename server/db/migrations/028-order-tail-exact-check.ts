import { ADVISORY_LOCKS } from '../advisory-locks';

/** How long `order_batch_tail` waits for a stock or customer row lock while it holds the
 * change-feed lock before giving up with 55P03 (the upload is rolled back and retried). */
export const TAIL_ROW_LOCK_TIMEOUT = '300ms';

/**
 * Review of migration 027 (`order_batch_tail`), same signature and answer, replaced in place:
 *
 * 1. The check compares the customers' `in_store` EXACTLY. 027 compared it with the value the
 *    caller read and sent back — a value that went through JS doubles, so a number a double cannot
 *    hold (a legacy field beyond 2^53, say) never compared equal: every call was "stale", and that
 *    customer's uploads ended in 40001 for good. Now the caller reads `in_store::text` and sends
 *    that text back untouched (`before_text`); the function compares `in_store` with it parsed as
 *    jsonb (numeric equality, exact), and a stale answer carries the current text
 *    (`in_store_text`) for the next call. Why not compare `customers.seq` instead: not every
 *    writer of `in_store` draws one (erasing a customer wipes the duplicates merged into it
 *    without), and writers of other columns draw one (a stale answer for nothing). The stock needs
 *    no change: `store_products.stock` is an `integer`, which a double holds exactly.
 *    A caller still on 027's code (a hub node during a rolling start) sends `before` as jsonb, as
 *    before: compared as 027 did.
 * 2. The row locks wait at most TAIL_ROW_LOCK_TIMEOUT. The tail holds the chain-wide feed lock
 *    while it locks the rows; a customer row can be held `for key share` by another transaction's
 *    foreign key (an insert referencing the customer) that then waits for the feed lock: a cycle
 *    PostgreSQL breaks only after deadlock_timeout (1 s), the whole chain waiting meanwhile. Now
 *    the tail gives up after the timeout with 55P03 (lock_not_available), which the orders path
 *    retries like a deadlock (`retryOnLockConflict`). The timeout is set after the feed lock (its
 *    wait is the normal queue and stays unbounded) and put back to the caller's value right after
 *    the row locks, so it leaves nothing behind in the transaction (`set_config(…, true)`; an
 *    error in between aborts the transaction, which undoes the setting too).
 */
export const orderTailExactCheckSchema = /* sql */ `
create or replace function order_batch_tail(
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
  v_lock_timeout text;
begin
  perform pg_advisory_xact_lock(${ADVISORY_LOCKS.changeFeed});
  v_lock_timeout := current_setting('lock_timeout');
  perform set_config('lock_timeout', '${TAIL_ROW_LOCK_TIMEOUT}', true);
  perform 1 from store_products sp
    join jsonb_to_recordset(p_stock) as x(store_id uuid, product_id uuid)
      on sp.store_id = x.store_id and sp.product_id = x.product_id
   order by sp.store_id, sp.product_id
     for update of sp;
  perform 1 from customers c
   where c.id in (select x.id from jsonb_to_recordset(p_customers) as x(id uuid))
   order by c.id
     for update;
  perform set_config('lock_timeout', v_lock_timeout, true);
  if exists (
       select 1 from jsonb_to_recordset(p_stock) as x(store_id uuid, product_id uuid, before int)
         left join store_products sp on sp.store_id = x.store_id and sp.product_id = x.product_id
        where sp.stock is distinct from x.before)
     or exists (
       select 1 from jsonb_to_recordset(p_customers) as x(id uuid, before jsonb, before_text text)
         left join customers c on c.id = x.id
        where c.in_store is distinct from coalesce(x.before_text::jsonb, x.before)) then
    return query select true, null::text, null::text,
      (select coalesce(jsonb_agg(jsonb_build_object(
                'store_id', sp.store_id, 'product_id', sp.product_id, 'stock', sp.stock)), '[]')
         from store_products sp
         join jsonb_to_recordset(p_stock) as x(store_id uuid, product_id uuid)
           on sp.store_id = x.store_id and sp.product_id = x.product_id),
      (select coalesce(jsonb_agg(jsonb_build_object(
                'id', c.id, 'in_store', c.in_store, 'in_store_text', c.in_store::text)), '[]')
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
