/**
 * Issue #17 item 3: a presence sighting's write in one round trip (docs/benchmarks.md, "Presence
 * CPU per event").
 *
 * `presence_sighting` is the statement `writeSighting` (server/presence/presence.ts) ran, with the
 * store × customer advisory lock (`ADVISORY_LOCK_SPACES.visit`, 4601) taken first inside it. On
 * PostgreSQL the sighting used to be BEGIN, the lock, the statement and COMMIT: four round trips
 * and a pooled connection held across them. Called as one autocommit statement, the function's
 * lock is held until that statement's implicit transaction commits, so concurrent sightings of one
 * member in one store still extend one visit and alert once. This holds only because PL/pgSQL
 * takes a new snapshot for each statement of a volatile function (read committed): the write below
 * sees a visit committed by the sighting it waited for. Its plan is cached per connection.
 *
 * It extends the member's visit seen within `p_window_min` minutes of `p_at` (and tells whether
 * its last sighting moved into a later minute) or, when there is none and a card is given, opens a
 * visit with its arrival alert (`opened`). No row: no visit to extend and no card.
 */
export const presenceSightingSchema = /* sql */ `
create function presence_sighting(
  p_store uuid, p_customer uuid, p_at timestamptz, p_window_min integer, p_visit uuid,
  p_source text, p_alert uuid, p_expires timestamptz, p_card jsonb)
returns table(opened boolean, visit_id uuid, alert_id uuid, new_minute boolean)
language plpgsql volatile as $f$
#variable_conflict use_column
declare
  win interval := make_interval(mins => p_window_min);
begin
  perform pg_advisory_xact_lock(4601, hashtext(p_store::text || ':' || p_customer::text));
  return query
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
      returning id)
    select false, e.id, e.alert_id, e.new_minute from extended e
    union all
    select true, visit.id, alert.id, false from visit, alert;
end
$f$;
`;
