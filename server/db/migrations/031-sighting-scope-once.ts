/**
 * Issue #17 item 3 (bench:chain on PostgreSQL): an arrival writes the member's scope row once.
 *
 * An arrival inserts her visit and her alert; migration 021's triggers on both entered her into
 * the store's scope (`scope_enter`, reasons 8 and 4), and migration 030's `presence_sighting` then
 * updated the row again to record the profile version her alert carries: three versions of one
 * row, each with its index entries, per arrival — the largest share of the database's work in an
 * arrival (pg_stat_statements over the burst: 61,791 `scope_enter` calls for 29,896 sightings).
 *
 * Now `presence_sighting` sets the transaction-local `shopguide.scope` to `sighting` around its
 * two inserts, the triggers (their `when`) leave the entry to it, and it enters her in one
 * statement with what both triggers and the update did: reasons `visit | alert` (12), the same
 * refresh rules as `scope_enter` (a row in scope keeps its number; one that left or never entered
 * waits for the settle), and — when the row waits — the version of her profile the alert carries
 * with that version's stored feed JSON, read in the same statement (one snapshot). Every other
 * writer of visits and alerts (the demo history, tests) sets nothing and keeps the triggers'
 * path. The setting is back to empty before the function returns, and gone at the end of the
 * transaction in any case (as `shopguide.catchment`, migration 025).
 */
export const sightingScopeOnceSchema = /* sql */ `
drop trigger alerts_scope on alerts;
create trigger alerts_scope after insert on alerts
  for each row when (coalesce(current_setting('shopguide.scope', true), '') <> 'sighting')
  execute function scope_store_fact('4');
drop trigger visits_scope on visits;
create trigger visits_scope after insert on visits
  for each row when (new.customer_id is not null
                     and coalesce(current_setting('shopguide.scope', true), '') <> 'sighting')
  execute function scope_store_fact('8');

create or replace function presence_sighting(
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
  perform set_config('shopguide.scope', 'sighting', true);
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
  if not found then
    perform set_config('shopguide.scope', '', true);
    return;
  end if;
  perform set_config('shopguide.scope', '', true);
  if v_opened then
    -- What the visit's and the alert's triggers did (scope_enter with 8, then 4), and then the
    -- profile version when her row waits for its number (migration 030), in one write.
    with c as (
      select seq, feed_json_seq, feed_json from customers where id = p_customer),
    entered as (
      insert into customer_store_scope as s
             (store_id, customer_id, reasons, score, seq, profile_seq)
      select p_store, p_customer, 12, scope_score(12), null, c.seq from c
      on conflict (store_id, customer_id) do update
         set reasons = s.reasons | 12,
             score = scope_score(s.reasons | 12),
             last_at = case when not s.active or s.reasons & 12 <> 12
                                 or s.last_at < now() - interval '1 hour'
                            then now() else s.last_at end,
             active = true,
             seq = case when s.active then s.seq else null end,
             entered_at = case when s.active then s.entered_at else now() end,
             profile_seq = case when not s.active or s.seq is null
                                then excluded.profile_seq else s.profile_seq end
       where not s.active or s.reasons & 12 <> 12 or s.last_at < now() - interval '1 hour'
          or s.seq is null
      returning s.seq is null as waiting)
    select e.waiting, case when e.waiting and c.feed_json_seq = c.seq then c.feed_json end
      into v_entering, v_profile
      from entered e, c;
    v_entering := coalesce(v_entering, false);
  end if;
  return query select v_opened, v_visit, v_alert, v_new_minute, v_entering, v_profile;
end
$f$;
`;
