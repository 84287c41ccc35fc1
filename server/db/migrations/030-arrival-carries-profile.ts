/**
 * Issue #17 (bench:chain with feed pulls): an arrival's alert carries the member's profile, and
 * her entry into the store's scope tells the store's terminals nothing (docs/scaling.md, "An
 * arrival carries her profile").
 *
 * With store-scoped caches, a member walking into a store outside her scope entered it (reasons
 * `alert` and `visit`), the settle numbered the entry and every terminal of the store pulled its
 * feed for that one row: one pull per arrival per terminal, as dear as the arrival itself
 * (feed-pull-bench). Now:
 *
 * - `presence_sighting`, when its alert brought the member into the store's scope (her row there
 *   waits for its number), records on that row the version of her profile the alert carries
 *   (`profile_seq`, her `seq`) and answers that version's stored feed JSON when current — one
 *   statement, one snapshot, so the copy is exactly that version — and `entering`. The hub puts
 *   the profile into `alert:new` (server/presence/presence.ts); the terminals cache it.
 * - `settle_store_scopes` also answers `quiet`: the stores of `stores` whose every row numbered in
 *   the round has `profile_seq` equal to the member's `seq` now (her terminals hold her current
 *   profile from the alert) and that nothing else touched (no member left, went or was evicted).
 *   The hub does not tell them to pull (server/customers/scope-runner.ts); the row stays in the
 *   feed for a terminal that catches up. A change to her before the settle makes her row loud;
 *   after it, the change moves her numbered row as any member's. Numbering clears `profile_seq`.
 *   Old hubs select the first three columns and are unaffected.
 * - A member erased or merged away while such a row waits leaves that store with her tombstone,
 *   numbered (by the change itself, `scope_customer_changed`, or by the settle when the alert was
 *   written after the erasure): the terminals that cached her from the alert drop her. Before, a
 *   waiting row simply never entered (nothing of her had reached the store's cache but the card).
 */
/** The version of her profile an arrival's alert carried, on her scope row while it waits. */
export const profileSeqColumnSql = 'alter table customer_store_scope add column profile_seq bigint';

/**
 * The settle with its quiet stores (needs `profile_seq`); exported for the test that runs the
 * settle on a schema before 023 (test/integration/scope-settle.test.ts).
 */
export const settleWithQuietStoresSql = /* sql */ `
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

  -- A member erased or merged away while waiting never enters; after an arrival whose alert
  -- carried her profile (030) she leaves the store with a numbered tombstone.
  with gone as (
    update customer_store_scope s
       set active = false,
           seq = case when s.profile_seq is not null then nextval('change_seq') end,
           profile_seq = null
      from customers c
     where s.seq is null and s.active and c.id = s.customer_id
       and (c.deleted or c.merged_into is not null)
    returning s.store_id, s.seq)
  select array_agg(store_id order by seq) filter (where seq is not null),
         max(seq) filter (where seq is not null)
    into v_gone_stores, v_gone_max
    from gone;

  with next as (
    select store_id, customer_id, entered_at, profile_seq from customer_store_scope
     where seq is null and active order by store_id, entered_at, customer_id
     limit p_batch for update),
  numbered as (
    update customer_store_scope s set seq = nextval('change_seq'), profile_seq = null
      from next where s.store_id = next.store_id and s.customer_id = next.customer_id
    returning s.store_id, s.seq, s.customer_id, next.profile_seq)
  select count(*)::int, array_agg(n.store_id order by n.seq), max(n.seq),
         -- Not her current profile on the store's terminals (no alert carried one, or she changed
         -- since): the store must pull.
         array_agg(n.store_id) filter (where n.profile_seq is distinct from c.seq)
    into v_entered, v_entered_stores, v_entered_max, v_loud
    from numbered n left join customers c on c.id = n.customer_id;

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

  -- Every entry an alert's profile, and nothing else happened there this round.
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

export const arrivalCarriesProfileSchema = /* sql */ `
${profileSeqColumnSql};

drop function presence_sighting(uuid, uuid, timestamptz, integer, uuid, text, uuid, timestamptz, jsonb);

-- As in migration 024, and: when the alert brought her into the store's scope, the version of her
-- profile it carries (profile_seq) and that version's feed JSON when stored (migration 030).
create function presence_sighting(
  p_store uuid, p_customer uuid, p_at timestamptz, p_window_min integer, p_visit uuid,
  p_source text, p_alert uuid, p_expires timestamptz, p_card jsonb)
returns table(opened boolean, visit_id uuid, alert_id uuid, new_minute boolean,
              entering boolean, profile text)
language plpgsql volatile as $f$
#variable_conflict use_column
declare
  win interval := make_interval(mins => p_window_min);
  v_opened boolean;
  v_visit uuid;
  v_alert uuid;
  v_new_minute boolean;
  v_profile text;
  v_entering boolean := false;
begin
  perform pg_advisory_xact_lock(4601, hashtext(p_store::text || ':' || p_customer::text));
  with prev as (
    select id, last_seen_at from visits
     where store_id = p_store and customer_id = p_customer
       and last_seen_at >= p_at - win and started_at <= p_at + win
     order by last_seen_at desc limit 1),
  extended as (
    update visits v set sightings = v.sightings + 1,
           last_seen_at = greatest(v.last_seen_at, p_at)
      from prev where v.id = prev.id
    returning v.id, v.alert_id,
      date_trunc('minute', v.last_seen_at) > date_trunc('minute', prev.last_seen_at) as new_minute),
  visit as (
    insert into visits(id, store_id, customer_id, source, started_at, last_seen_at, alert_id)
    select p_visit, p_store, p_customer, p_source, p_at, p_at, p_alert
     where p_card is not null and not exists (select 1 from prev)
    returning id),
  alert as (
    insert into alerts(id, visit_id, store_id, customer_id, source, raised_at, expires_at, card)
    select p_alert, visit.id, p_store, p_customer, p_source, p_at, p_expires, p_card from visit
    returning id),
  answer as (
    select false as opened, e.id as visit_id, e.alert_id, e.new_minute from extended e
    union all
    select true, visit.id, alert.id, false from visit, alert)
  select a.opened, a.visit_id, a.alert_id, a.new_minute
    into v_opened, v_visit, v_alert, v_new_minute
    from answer a;
  if not found then return; end if;
  -- The alert's insert trigger entered her (021) when she was not in the scope yet.
  if v_opened then
    update customer_store_scope s set profile_seq = c.seq
      from customers c
     where s.store_id = p_store and s.customer_id = p_customer and s.seq is null and s.active
       and c.id = p_customer
    returning case when c.feed_json_seq = c.seq then c.feed_json end into v_profile;
    v_entering := found;
  end if;
  return query select v_opened, v_visit, v_alert, v_new_minute, v_entering, v_profile;
end
$f$;

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
     where customer_id = new.id and active and seq is null and profile_seq is null;
    update customer_scope_sizes z set active = z.active - s.n
      from (select store_id, count(*)::int as n from customer_store_scope
             where customer_id = new.id and not active and seq = new.seq group by store_id) s
     where z.store_id = s.store_id;
    -- A row still waiting after an arrival whose alert carried her profile (030): the store's
    -- terminals may have cached her, so the tombstone goes there too. After the sizes above: a
    -- waiting row was never counted.
    update customer_store_scope set seq = new.seq, active = false, profile_seq = null
     where customer_id = new.id and active and seq is null and profile_seq is not null;
  end if;
  return null;
end
$f$;

drop function settle_store_scopes(integer, integer);

${settleWithQuietStoresSql}`;
