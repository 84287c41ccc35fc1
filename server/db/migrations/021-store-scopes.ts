/**
 * Issue #17 item 1: store-scoped customer caches (docs/scaling.md, "Store-scoped caches").
 *
 * `customer_store_scope` holds, per store, the members its terminals cache and why (`reasons`, a
 * bit set: 1 home store, 2 bought here, 4 alerted here, 8 visited here, 16 looked up here, 32 in
 * the store's catchment), ranked by `score` then `last_at`. The store's customer feed pages by
 * the row's `seq`, which comes from the one `change_seq`:
 *
 * - a member entering (or re-entering) a scope is written by the fact's own transaction with
 *   `seq` null (pending): triggers below, on customers, orders, visits and alerts, so no write
 *   path can forget it. `settleStoreScopes` (server/customers/scope.ts) then draws the row's
 *   number under the change-feed lock — the presence path never takes that lock itself;
 * - a scoped member whose profile changes gets the customer's new `seq` in the same statement
 *   (trigger on `customers.seq`; every writer of it holds the change-feed lock), so the store's
 *   feed carries the change once;
 * - a member leaving (evicted past the store's cap) keeps the row, `active = false`, with a new
 *   `seq`: the feed sends a tombstone marked `outOfScope` once.
 *
 * `customer_scope_sizes` counts each store's active rows, so the cap is checked without a count.
 * Backfill: every live member into the scope of their home / registering store, the stores they
 * bought at, visited or were alerted at, numbered in the order of the customers' own changes.
 */
export const storeScopesSchema = /* sql */ `
alter table customers add column lat double precision;
alter table customers add column lng double precision;

create table customer_store_scope (
  store_id uuid not null references stores(id),
  customer_id uuid not null references customers(id),
  reasons integer not null,
  score integer not null,
  active boolean not null default true,
  seq bigint,
  entered_at timestamptz not null default now(),
  last_at timestamptz not null default now(),
  primary key (store_id, customer_id)
);
create index customer_store_scope_feed on customer_store_scope(store_id, seq);
create index customer_store_scope_member on customer_store_scope(customer_id);
create index customer_store_scope_pending on customer_store_scope(store_id) where seq is null;
create index customer_store_scope_rank on customer_store_scope(store_id, score, last_at)
  where active;

create table customer_scope_sizes (
  store_id uuid primary key references stores(id),
  active integer not null default 0
);
create index customer_scope_sizes_active on customer_scope_sizes(active);

-- 尾号 + name search (POST /customers/search): exact match on the last four digits and the name.
create index customers_tail_name on customers(right(phone_e164, 4), name)
  where phone_e164 is not null and merged_into is null and not deleted;

create function scope_score(reasons integer) returns integer language sql immutable as $f$
  select (case when reasons & 1 <> 0 then 1000 else 0 end)
       + (case when reasons & 2 <> 0 then 100 else 0 end)
       + (case when reasons & 4 <> 0 then 40 else 0 end)
       + (case when reasons & 8 <> 0 then 30 else 0 end)
       + (case when reasons & 16 <> 0 then 20 else 0 end)
       + (case when reasons & 32 <> 0 then 10 else 0 end)
$f$;

-- A member enters a store's scope for a reason (or is seen there again). A row already in scope
-- keeps its seq (nothing for the feed to send); a new or returning one waits, seq null, for
-- settleStoreScopes. Re-seen within the hour and for a known reason: no write at all.
create function scope_enter(p_store uuid, p_customer uuid, p_reason integer) returns void
language plpgsql as $f$
begin
  if p_store is null or p_customer is null then return; end if;
  insert into customer_store_scope as s (store_id, customer_id, reasons, score, seq)
  values (p_store, p_customer, p_reason, scope_score(p_reason), null)
  on conflict (store_id, customer_id) do update
     set reasons = s.reasons | p_reason,
         score = scope_score(s.reasons | p_reason),
         last_at = now(),
         active = true,
         seq = case when s.active then s.seq else null end,
         entered_at = case when s.active then s.entered_at else now() end
   where not s.active or s.reasons & p_reason = 0 or s.last_at < now() - interval '1 hour';
end
$f$;

-- The store nearest to a point (equirectangular distance: enough to rank stores of one chain).
create function nearest_store(p_lat double precision, p_lng double precision) returns uuid
language sql stable as $f$
  select id from stores
   order by (lat - p_lat) ^ 2 + ((lng - p_lng) * cos(radians(p_lat))) ^ 2, id
   limit 1
$f$;

create function scope_customer_facts() returns trigger language plpgsql as $f$
begin
  if new.merged_into is not null or new.deleted then return null; end if;
  perform scope_enter(new.home_store_id, new.id, 1);
  perform scope_enter(new.registered_store_id, new.id, 1);
  if new.lat is not null and new.lng is not null
     and (tg_op = 'INSERT' or old.lat is distinct from new.lat or old.lng is distinct from new.lng)
  then
    perform scope_enter(nearest_store(new.lat, new.lng), new.id, 32);
  end if;
  return null;
end
$f$;
create trigger customers_scope_facts
  after insert or update of home_store_id, registered_store_id, lat, lng, merged_into, deleted
  on customers for each row execute function scope_customer_facts();

-- A scoped member changed: the store's feed carries the change at the customer's new seq. A merge
-- also brings the survivor into every scope the merged-away member was in.
create function scope_customer_changed() returns trigger language plpgsql as $f$
declare
  gone boolean := new.deleted or new.merged_into is not null;
begin
  if new.merged_into is not null and old.merged_into is null then
    perform scope_enter(s.store_id, new.merged_into, s.reasons)
       from customer_store_scope s where s.customer_id = new.id and s.active;
  end if;
  -- An erased or merged-away member leaves every scope with the customer's own tombstone.
  update customer_store_scope set seq = new.seq, active = not gone
   where customer_id = new.id and active and seq is not null;
  if gone then
    update customer_store_scope set active = false
     where customer_id = new.id and active and seq is null;
    update customer_scope_sizes z set active = z.active - s.n
      from (select store_id, count(*)::int as n from customer_store_scope
             where customer_id = new.id and not active and seq = new.seq group by store_id) s
     where z.store_id = s.store_id;
  end if;
  return null;
end
$f$;
create trigger customers_scope_changed
  after update of seq on customers for each row
  when (old.seq is distinct from new.seq) execute function scope_customer_changed();

create function scope_store_fact() returns trigger language plpgsql as $f$
begin
  perform scope_enter(new.store_id, new.customer_id, tg_argv[0]::integer);
  return null;
end
$f$;
create trigger orders_scope after insert on orders
  for each row when (new.customer_id is not null) execute function scope_store_fact('2');
create trigger alerts_scope after insert on alerts
  for each row execute function scope_store_fact('4');
create trigger visits_scope after insert on visits
  for each row when (new.customer_id is not null) execute function scope_store_fact('8');

-- Backfill from the facts already stored; numbered in the order of the customers' own changes.
insert into customer_store_scope(store_id, customer_id, reasons, score, seq, last_at)
select f.store_id, f.customer_id, bit_or(f.reason), scope_score(bit_or(f.reason)), null, max(f.at)
  from (
    select home_store_id as store_id, id as customer_id, 1 as reason, updated_at as at
      from customers where home_store_id is not null
    union all select registered_store_id, id, 1, created_at
      from customers where registered_store_id is not null
    union all select store_id, customer_id, 2, created_at from orders where customer_id is not null
    union all select store_id, customer_id, 4, raised_at from alerts
    union all select store_id, customer_id, 8, last_seen_at from visits where customer_id is not null
  ) f
  join customers c on c.id = f.customer_id and c.merged_into is null and not c.deleted
 group by f.store_id, f.customer_id;
update customer_store_scope s set seq = c.seq from customers c where c.id = s.customer_id;
insert into customer_scope_sizes(store_id, active)
select id, (select count(*) from customer_store_scope s where s.store_id = stores.id)
  from stores;
`;
