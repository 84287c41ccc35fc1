/**
 * `apply_order_bindings` (issue #17, order uploads under load): the binding rules applied to a
 * batch of newly stored in-store orders in ONE statement, inside the orders transaction
 * (server/bindings/apply.ts). Applied one order at a time from the hub, each order cost 3–6 round
 * trips (a contact for the seller and the claimer, the lapse check, the customer's latest event,
 * the bind and its event), all inside the transaction that holds one of the node's order slots.
 *
 * It runs exactly the statements the hub ran, in the same order, in the same transaction:
 * - `recordContact` (server/bindings/service.ts) for the seller, then the claimer: a contact keeps
 *   the customer's binding to that guide alive when it has not lapsed by the order's time;
 * - the served-and-bought rule names the guide to bind: off, the seller, the claimer, or the
 *   claimer else the seller;
 * - `lapseIfDue`: a binding with no contact for `expiry_days` × 24 h is released with an `expired`
 *   event at the instant it lapsed (never before the customer's latest event), note `guide <id>`;
 * - `bindIfUnbound`: an unbound customer is bound to that guide (active, of the order's store) at
 *   the order's time (never before the customer's latest event), with its `bound` event.
 * Orders go earliest first (the first guide to sell to an unbound customer binds), ties in the
 * order given. The event ids come from the hub (UUID v7, as every id it makes). Nothing here draws
 * a change-feed number: the caller moves the customers it answers (`changed`: a binding made or
 * released) on the feed under the lock.
 * The TypeScript functions named above stay the one implementation for every other path (claims,
 * registrations, transfers); test/integration/bindings.test.ts holds both to the same rules.
 */
export const orderBindingsSchema = /* sql */ `
create or replace function apply_order_bindings(
  p_orders jsonb, p_served text, p_expiry_days integer)
returns table(changed uuid)
language plpgsql volatile as $f$
#variable_conflict use_column
declare
  o record;
  v_guide uuid;
  v_serving uuid;
  v_cutoff timestamptz;
  v_gone record;
  v_latest timestamptz;
  v_at timestamptz;
  v_changed uuid[] := '{}';
begin
  for o in
    select (e.doc ->> 'customer_id')::uuid as customer_id, (e.doc ->> 'store_id')::uuid as store_id,
           (e.doc ->> 'guide_id')::uuid as guide_id, (e.doc ->> 'claimer_id')::uuid as claimer_id,
           (e.doc ->> 'at')::timestamptz as at, (e.doc ->> 'expired_id')::uuid as expired_id,
           (e.doc ->> 'bound_id')::uuid as bound_id
      from jsonb_array_elements(p_orders) with ordinality as e(doc, n)
     order by (e.doc ->> 'at')::timestamptz, e.n
  loop
    v_cutoff := case when p_expiry_days is null then null
                     else o.at - p_expiry_days * interval '24 hours' end;
    -- the seller, then the claimer when another guide
    foreach v_guide in array array[o.guide_id,
                                   case when o.claimer_id is distinct from o.guide_id
                                        then o.claimer_id end] loop
      continue when v_guide is null;
      update customer_bindings b set last_contact_at = greatest(b.last_contact_at, o.at)
       where b.customer_id = o.customer_id and b.guide_id = v_guide
         and (v_cutoff is null or b.last_contact_at > v_cutoff);
    end loop;
    v_serving := case p_served
                   when 'seller' then o.guide_id
                   when 'claimer' then o.claimer_id
                   when 'claimer_else_seller' then coalesce(o.claimer_id, o.guide_id)
                   else null end;
    continue when v_serving is null;
    if v_cutoff is not null then
      delete from customer_bindings b
       where b.customer_id = o.customer_id and b.last_contact_at <= v_cutoff
       returning b.guide_id, b.store_id, b.last_contact_at into v_gone;
      if found then
        select max(e.at) into v_latest from customer_binding_events e
         where e.customer_id = o.customer_id;
        insert into customer_binding_events(id, customer_id, guide_id, store_id, event, rule, at,
                                            actor_guide_id, source, note)
        values (o.expired_id, o.customer_id, null, v_gone.store_id, 'expired', null,
                greatest(v_gone.last_contact_at + p_expiry_days * interval '24 hours', v_latest),
                null, 'hub', 'guide ' || v_gone.guide_id::text);
        v_changed := v_changed || o.customer_id;
      end if;
    end if;
    select max(e.at) into v_latest from customer_binding_events e
     where e.customer_id = o.customer_id;
    v_at := greatest(o.at, v_latest);
    insert into customer_bindings(customer_id, guide_id, store_id, rule, bound_at, last_contact_at)
    select o.customer_id, g.id, g.store_id, 'served_and_bought', v_at, v_at from guides g
     where g.id = v_serving and g.store_id = o.store_id and g.active
    on conflict (customer_id) do nothing;
    if found then
      insert into customer_binding_events(id, customer_id, guide_id, store_id, event, rule, at,
                                          actor_guide_id, source, note)
      values (o.bound_id, o.customer_id, v_serving, o.store_id, 'bound', 'served_and_bought',
              v_at, null, 'hub', null);
      v_changed := v_changed || o.customer_id;
    end if;
  end loop;
  return query select distinct u.c from unnest(v_changed) as u(c);
end
$f$;
`;
