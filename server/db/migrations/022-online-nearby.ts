/**
 * Issue #17 item 1, "recently active online nearby" (docs/scaling.md, "Store-scoped caches").
 *
 * Head office's online behaviour events may carry where the member was (`location`, never
 * stored): the member enters the scope of the nearest store for a while — reason 64, "online
 * nearby", ranked between "looked up here" (20) and "in the catchment" (10) at 15 — until
 * `online_until` (the event's time plus `HUB_ONLINE_NEARBY_DAYS`, default 14). Unlike the other
 * reasons it expires: `settleStoreScopes` (server/customers/scope.ts) takes the bit off rows whose
 * time has passed, found through the partial index below (no scan of the scope), and a member
 * left with no reason leaves the store's scope with a new `seq` — the store feed's out-of-scope
 * tombstone, once.
 */
export const onlineNearbySchema = /* sql */ `
alter table customer_store_scope add column online_until timestamptz;
create index customer_store_scope_online_due on customer_store_scope(online_until)
  where online_until is not null;

create or replace function scope_score(reasons integer) returns integer language sql immutable as $f$
  select (case when reasons & 1 <> 0 then 1000 else 0 end)
       + (case when reasons & 2 <> 0 then 100 else 0 end)
       + (case when reasons & 4 <> 0 then 40 else 0 end)
       + (case when reasons & 8 <> 0 then 30 else 0 end)
       + (case when reasons & 16 <> 0 then 20 else 0 end)
       + (case when reasons & 64 <> 0 then 15 else 0 end)
       + (case when reasons & 32 <> 0 then 10 else 0 end)
$f$;

-- A member active online near a store enters its scope until p_until (or stays longer). Like
-- scope_enter: a row already in scope keeps its seq; a new or returning one waits, seq null, for
-- settleStoreScopes. Seen near the store again: written only when it moves the expiry by an hour
-- or more, so a burst of events from one member is one write.
create function scope_enter_online(p_store uuid, p_customer uuid, p_until timestamptz)
returns void language plpgsql as $f$
begin
  if p_store is null or p_customer is null or p_until <= now() then return; end if;
  insert into customer_store_scope as s (store_id, customer_id, reasons, score, seq, online_until)
  values (p_store, p_customer, 64, scope_score(64), null, p_until)
  on conflict (store_id, customer_id) do update
     set reasons = s.reasons | 64,
         score = scope_score(s.reasons | 64),
         last_at = now(),
         active = true,
         seq = case when s.active then s.seq else null end,
         entered_at = case when s.active then s.entered_at else now() end,
         online_until = greatest(s.online_until, p_until)
   where not s.active or s.reasons & 64 = 0 or s.online_until is null
      or s.online_until < p_until - interval '1 hour';
end
$f$;

-- As in migration 021, except that a merge hands "online nearby" on with its expiry (through
-- scope_enter_online), not as a reason that would never expire.
create or replace function scope_customer_changed() returns trigger language plpgsql as $f$
declare
  gone boolean := new.deleted or new.merged_into is not null;
begin
  if new.merged_into is not null and old.merged_into is null then
    perform scope_enter(s.store_id, new.merged_into, s.reasons & ~64)
       from customer_store_scope s
      where s.customer_id = new.id and s.active and s.reasons & ~64 <> 0;
    perform scope_enter_online(s.store_id, new.merged_into, s.online_until)
       from customer_store_scope s
      where s.customer_id = new.id and s.active and s.online_until is not null;
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
`;
