/**
 * Issue #17 (bench:chain): a store-scope settle holds the change-feed lock for one statement.
 *
 * `settleStoreScopes` (server/customers/scope.ts) ran BEGIN, the chain-wide change-feed lock
 * (`pg_advisory_xact_lock(4600)`, CHANGE_FEED_LOCK), then six or more statements and COMMIT — each
 * a round trip to the hub while every other writer of the feed (orders, edits, the other nodes'
 * settles) waited for the lock. Under bench:chain's burst a busy hub answered each round trip late:
 * pg_stat_activity showed the settle "idle in transaction" for up to 0.8 s with five backends
 * queued on the lock. `settle_store_scopes` is the same work as one PL/pgSQL function called as an
 * autocommit statement: it takes the lock first and holds it only while PostgreSQL runs it (the
 * implicit transaction commits when the statement ends), never across a round trip.
 *
 * Same steps and numbering order as the JavaScript it replaces: "online nearby" whose time passed
 * comes off (oldest first, up to `p_batch`); rows waiting whose member was erased or merged away
 * meanwhile go inactive; up to `p_batch` waiting rows get their numbers (store, entered_at,
 * customer order); store sizes follow; then every store over `p_cap` evicts its lowest-ranked
 * members with new numbers (the feed's tombstones). Returns the highest number drawn (null: none),
 * the stores touched in the order the JavaScript reported them (entered, then left, then evicted;
 * each once) and whether a batch was full (`more`).
 */
export const settleInOneStatementSchema = /* sql */ `
create function settle_store_scopes(p_cap integer, p_batch integer)
returns table(cursor bigint, stores uuid[], more boolean)
language plpgsql volatile as $f$
declare
  v_expired integer;
  v_left_stores uuid[];
  v_left_max bigint;
  v_entered integer;
  v_entered_stores uuid[];
  v_entered_max bigint;
  v_cursor bigint;
  v_stores uuid[] := '{}';
  v_over record;
  v_evicted integer;
  v_evicted_max bigint;
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

  -- A member erased or merged away while waiting never enters.
  update customer_store_scope s set active = false
    from customers c
   where s.seq is null and s.active and c.id = s.customer_id
     and (c.deleted or c.merged_into is not null);

  with next as (
    select store_id, customer_id, entered_at from customer_store_scope
     where seq is null and active order by store_id, entered_at, customer_id
     limit p_batch for update),
  numbered as (
    update customer_store_scope s set seq = nextval('change_seq')
      from next where s.store_id = next.store_id and s.customer_id = next.customer_id
    returning s.store_id, s.seq)
  select count(*)::int, array_agg(store_id order by seq), max(seq)
    into v_entered, v_entered_stores, v_entered_max
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

  -- Stores in first-seen order: entered (by their first number), then left.
  select coalesce(array_agg(store_id order by first_seq), '{}') into v_stores from (
    select store_id, min(k) as first_seq from (
      select store_id, k from unnest(coalesce(v_entered_stores, '{}')) with ordinality as e(store_id, k)
      union all
      select store_id, k + 1000000000 from unnest(coalesce(v_left_stores, '{}'))
        with ordinality as l(store_id, k)) both_lists
     group by store_id) firsts;
  v_cursor := greatest(v_entered_max, v_left_max);

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
    if not v_over.store_id = any(v_stores) then
      v_stores := v_stores || v_over.store_id;
    end if;
  end loop;

  return query select v_cursor, v_stores, (v_entered = p_batch or v_expired = p_batch);
end
$f$;
`;
