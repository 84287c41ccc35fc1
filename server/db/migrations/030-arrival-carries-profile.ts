/**
 * Issue #17 (bench:chain with feed pulls): an arrival's alert carries the member's profile, and
 * her entry into the store's scope tells the store's terminals nothing (docs/scaling.md, "An
 * arrival carries her profile").
 *
 * With store-scoped caches, a member walking into a store outside her scope entered it (reasons
 * `alert` and `visit`), the settle numbered the entry and every terminal of the store pulled its
 * feed for that one row: one pull per arrival per terminal, as dear as the arrival itself
 * (feed-pull-bench). `alert:new` now carries her feed profile, read after the alert's commit
 * (server/presence/presence.ts), and the terminals cache it from there.
 *
 * - `settle_store_scopes` also answers `quiet`: the stores of `stores` whose rows numbered in this
 *   round all entered for an arrival only (reasons within alert | visit, alert among them) and
 *   that nothing else touched (no member left, was evicted or went). The hub does not tell them to
 *   pull (server/customers/scope-runner.ts); the entry stays in the feed for a terminal that
 *   catches up. Old hubs select the first three columns and are unaffected.
 * - A change to a member whose arrival entry still waits for its number numbers it at once, with
 *   the change's own number (`scope_customer_changed`): the alert's copy of her profile may miss
 *   the change, so the store hears of it like any member's change. Erased or merged away, that
 *   number is her tombstone there: the terminals that cached her from the alert drop her. Before,
 *   such a waiting entry simply never entered (nothing of her had reached the store's cache).
 * - A merge hands the survivor the merged member's reasons but "alerted": no alert carried the
 *   survivor's profile, so her entry there is not an arrival's (the store pulls for it).
 * - A waiting arrival entry whose member went before the change trigger could see it (the
 *   sighting committed after the erasure) is numbered as her tombstone by the settle, likewise.
 */
export const arrivalCarriesProfileSchema = /* sql */ `
create or replace function scope_customer_changed() returns trigger language plpgsql as $f$
declare
  gone boolean := new.deleted or new.merged_into is not null;
begin
  -- The survivor takes the merged member's reasons but "online nearby" (022) and "alerted"
  -- (4, 030): no alert carried the survivor's profile to that store, so her entry is no arrival's
  -- and the store pulls for it.
  if new.merged_into is not null and old.merged_into is null then
    perform scope_enter(s.store_id, new.merged_into, s.reasons & ~68)
       from customer_store_scope s
      where s.customer_id = new.id and s.active and s.reasons & ~68 <> 0;
    perform scope_enter_online(s.store_id, new.merged_into, s.online_until)
       from customer_store_scope s
      where s.customer_id = new.id and s.active and s.online_until is not null;
  end if;
  -- An erased or merged-away member leaves every scope with the customer's own tombstone.
  update customer_store_scope set seq = new.seq, active = not gone
   where customer_id = new.id and active and seq is not null;
  if gone then
    update customer_store_scope set active = false
     where customer_id = new.id and active and seq is null and reasons & 4 = 0;
    update customer_scope_sizes z set active = z.active - s.n
      from (select store_id, count(*)::int as n from customer_store_scope
             where customer_id = new.id and not active and seq = new.seq group by store_id) s
     where z.store_id = s.store_id;
  end if;
  -- An arrival's entry still waiting for its number (4 is SCOPE_REASON.alert): the alert carried
  -- her profile to the store's terminals, so she is numbered now, with this change (her tombstone
  -- when gone), and the store hears of it. After the sizes above: a waiting row was never counted.
  with taken as (
    update customer_store_scope set seq = new.seq, active = not gone
     where customer_id = new.id and active and seq is null and reasons & 4 <> 0
    returning store_id)
  insert into customer_scope_sizes(store_id, active)
  select store_id, 1 from taken where not gone
  on conflict (store_id) do update set active = customer_scope_sizes.active + 1;
  return null;
end
$f$;

drop function settle_store_scopes(integer, integer);

create function settle_store_scopes(p_cap integer, p_batch integer)
returns table(cursor bigint, stores uuid[], more boolean, quiet uuid[])
language plpgsql volatile as $f$
declare
  v_expired integer;
  v_left_stores uuid[];
  v_left_max bigint;
  v_gone_stores uuid[];
  v_gone_max bigint;
  v_entered integer;
  v_entered_stores uuid[];
  v_entered_max bigint;
  v_loud uuid[];
  v_cursor bigint;
  v_stores uuid[] := '{}';
  v_quiet uuid[];
  v_over record;
  v_evicted integer;
  v_evicted_max bigint;
  v_evicted_stores uuid[] := '{}';
begin
  perform pg_advisory_xact_lock(4600);

  -- "Online nearby" whose time has passed (migration 022): 64 is SCOPE_REASON.onlineNearby.
  with due as (
    select store_id, customer_id, (active and seq is not null) as sent
      from customer_store_scope
     where online_until is not null and online_until <= now()
     order by online_until limit p_batch for update),
  changed as (
    update customer_store_scope s
       set reasons = s.reasons & ~64,
           score = scope_score(s.reasons & ~64),
           online_until = null,
           active = s.active and s.reasons & ~64 <> 0,
           seq = case when due.sent and s.reasons & ~64 = 0
                      then nextval('change_seq') else s.seq end
      from due where s.store_id = due.store_id and s.customer_id = due.customer_id
    returning s.store_id, s.seq, due.sent and s.reasons = 0 as leaving)
  select count(*)::int,
         array_agg(store_id order by seq) filter (where leaving and seq is not null),
         max(seq) filter (where leaving and seq is not null)
    into v_expired, v_left_stores, v_left_max
    from changed;
  if v_left_stores is not null then
    update customer_scope_sizes z set active = z.active - x.n
      from (select store_id, count(*)::int as n from unnest(v_left_stores) as store_id
             group by store_id) x
     where z.store_id = x.store_id;
  end if;

  -- A member erased or merged away while waiting never enters; after an arrival (reason 4) her
  -- alert carried her profile to the store, so she leaves it with a numbered tombstone.
  with gone as (
    update customer_store_scope s
       set active = false,
           seq = case when s.reasons & 4 <> 0 then nextval('change_seq') end
      from customers c
     where s.seq is null and s.active and c.id = s.customer_id
       and (c.deleted or c.merged_into is not null)
    returning s.store_id, s.seq)
  select array_agg(store_id order by seq) filter (where seq is not null),
         max(seq) filter (where seq is not null)
    into v_gone_stores, v_gone_max
    from gone;

  with next as (
    select store_id, customer_id, entered_at from customer_store_scope
     where seq is null and active order by store_id, entered_at, customer_id
     limit p_batch for update),
  numbered as (
    update customer_store_scope s set seq = nextval('change_seq')
      from next where s.store_id = next.store_id and s.customer_id = next.customer_id
    returning s.store_id, s.seq, s.reasons)
  select count(*)::int, array_agg(store_id order by seq), max(seq),
         -- Not an arrival alone (12 is alert | visit, 4 alert): the store's terminals must pull.
         array_agg(store_id) filter (where reasons & ~12 <> 0 or reasons & 4 = 0)
    into v_entered, v_entered_stores, v_entered_max, v_loud
    from numbered;

  if v_entered > 0 or v_left_stores is not null then
    insert into customer_scope_sizes(store_id, active)
    select store_id, sum(n)::int from (
      select store_id, 1 as n from unnest(coalesce(v_entered_stores, '{}')) as store_id
      union all
      select store_id, 0 from unnest(coalesce(v_left_stores, '{}')) as store_id) x
     group by store_id
    on conflict (store_id) do update
      set active = customer_scope_sizes.active + excluded.active;
  end if;

  -- Stores in first-seen order: entered (by their first number), then left, then gone.
  select coalesce(array_agg(store_id order by first_seq), '{}') into v_stores from (
    select store_id, min(k) as first_seq from (
      select store_id, k from unnest(coalesce(v_entered_stores, '{}')) with ordinality as e(store_id, k)
      union all
      select store_id, k + 1000000000 from unnest(coalesce(v_left_stores, '{}'))
        with ordinality as l(store_id, k)
      union all
      select store_id, k + 2000000000 from unnest(coalesce(v_gone_stores, '{}'))
        with ordinality as g(store_id, k)) all_lists
     group by store_id) firsts;
  v_cursor := greatest(v_entered_max, v_left_max, v_gone_max);

  for v_over in
    select store_id, active from customer_scope_sizes where active > p_cap order by store_id
  loop
    with out_rows as (
      select customer_id from customer_store_scope
       where store_id = v_over.store_id and active and seq is not null
       order by score, last_at, customer_id limit v_over.active - p_cap for update),
    evicted as (
      update customer_store_scope s set active = false, seq = nextval('change_seq')
        from out_rows where s.store_id = v_over.store_id and s.customer_id = out_rows.customer_id
      returning s.seq)
    select count(*)::int, max(seq) into v_evicted, v_evicted_max from evicted;
    update customer_scope_sizes set active = active - v_evicted where store_id = v_over.store_id;
    v_cursor := greatest(v_cursor, v_evicted_max);
    v_evicted_stores := v_evicted_stores || v_over.store_id;
    if not v_over.store_id = any(v_stores) then
      v_stores := v_stores || v_over.store_id;
    end if;
  end loop;

  -- Entered by arrivals only, and nothing else happened there this round.
  select coalesce(array_agg(store_id), '{}') into v_quiet
    from (select distinct store_id from unnest(coalesce(v_entered_stores, '{}')) as store_id) e
   where not store_id = any(coalesce(v_loud, '{}'))
     and not store_id = any(coalesce(v_left_stores, '{}'))
     and not store_id = any(coalesce(v_gone_stores, '{}'))
     and not store_id = any(v_evicted_stores);

  return query select v_cursor, v_stores, (v_entered = p_batch or v_expired = p_batch), v_quiet;
end
$f$;
`;
