/**
 * Issue #17: a CRM import of members with a place no longer asks SQL `nearest_store` per row.
 *
 * Migration 021's trigger on `customers` puts a member whose place is new or moved into the
 * catchment scope (reason 32) of `nearest_store(lat, lng)`, which reads and sorts every store: a
 * 20,000-member import into a 6,000-store chain ran it 20,000 times inside the change-feed lock
 * (docs/benchmarks.md, "CRM import of members with a place").
 *
 * `locate_customers` stores the places of a batch and enters each moved, live member into the
 * scope of the store its caller found (the CRM import, with the in-process k-d index of
 * server/stores/nearest-store.ts: the same distance, ties to the lowest id). While it runs, the
 * transaction-local setting `shopguide.catchment` is `entered` and the trigger leaves the
 * catchment to it; home and registering stores are entered by the trigger as before. Every other
 * writer of `lat`/`lng` (none sets the setting) keeps the trigger's SQL path. The setting is back
 * to empty when the function returns, and gone at the end of the transaction in any case.
 */
export const catchmentByCallerSchema = /* sql */ `
create or replace function scope_customer_facts() returns trigger language plpgsql as $f$
begin
  if new.merged_into is not null or new.deleted then return null; end if;
  perform scope_enter(new.home_store_id, new.id, 1);
  perform scope_enter(new.registered_store_id, new.id, 1);
  if new.lat is not null and new.lng is not null
     and (tg_op = 'INSERT' or old.lat is distinct from new.lat or old.lng is distinct from new.lng)
     and coalesce(current_setting('shopguide.catchment', true), '') <> 'entered'
  then
    perform scope_enter(nearest_store(new.lat, new.lng), new.id, 32);
  end if;
  return null;
end
$f$;

-- Places for members (p_ids, p_lat, p_lng alike in length), each with the store nearest to it as
-- the caller found it (p_store; null: no store). A member whose place did not change is not
-- written; one merged away or erased gets the place but enters no scope (as in the trigger).
create function locate_customers(
  p_ids uuid[], p_lat double precision[], p_lng double precision[], p_store uuid[])
returns void language plpgsql as $f$
declare
  moved record;
begin
  perform set_config('shopguide.catchment', 'entered', true);
  for moved in
    update customers c set lat = x.lat, lng = x.lng
      from unnest(p_ids, p_lat, p_lng, p_store) as x(id, lat, lng, store_id)
     where c.id = x.id and (c.lat is distinct from x.lat or c.lng is distinct from x.lng)
    returning c.id, x.store_id, c.merged_into is null and not c.deleted as live
  loop
    if moved.live then perform scope_enter(moved.store_id, moved.id, 32); end if;
  end loop;
  perform set_config('shopguide.catchment', '', true);
end
$f$;
`;
