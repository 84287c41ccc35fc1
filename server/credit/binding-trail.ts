import type { Queryable } from '../db/database';

/*
 * Who a customer was bound to at an instant, read from the append-only binding trail
 * (`customer_binding_events`, migration 010). A stand-in kept small on purpose: server/bindings/
 * (issue #15 item 1) owns bindings and offers `boundGuideAt(db, customerId, at)`; once it lands,
 * `loadBindingTrails` + `boundGuideAt` here can give way to it (one call site: evidence.ts).
 */

export type BindingEvent = {
  id: string;
  customerId: string;
  event: 'bound' | 'transferred' | 'released' | 'expired';
  guideId: string | null;
  /** the event's store, else the guide's */
  storeId: string | null;
  at: Date;
};

export type BoundGuide = { guideId: string; storeId: string; event: BindingEvent };

/**
 * The guide bound at `at`: the latest event at or before `at` decides — `bound` /
 * `transferred` to a guide → that guide, `released` / `expired` → nobody. The trail is in the
 * order the events were written (`at`, then `ordinal`, as server/bindings reads it), so of events
 * at one instant the one written last wins.
 */
export function boundGuideAt(trail: readonly BindingEvent[], at: Date): BoundGuide | null {
  let latest: BindingEvent | null = null;
  for (const event of trail) {
    if (event.at.getTime() > at.getTime()) continue;
    if (!latest || event.at.getTime() >= latest.at.getTime()) latest = event;
  }
  if (!latest || (latest.event !== 'bound' && latest.event !== 'transferred')) return null;
  if (!latest.guideId || !latest.storeId) return null;
  return { guideId: latest.guideId, storeId: latest.storeId, event: latest };
}

/** Every customer's binding events up to `until`, oldest first. */
export async function loadBindingTrails(
  db: Queryable,
  customerIds: readonly string[],
  until: Date,
): Promise<Map<string, BindingEvent[]>> {
  const rows = await db.query<{
    id: string;
    customer_id: string;
    event: BindingEvent['event'];
    guide_id: string | null;
    store_id: string | null;
    at: string | Date;
  }>(
    `select e.id, e.customer_id, e.event, e.guide_id, coalesce(e.store_id, g.store_id) as store_id, e.at
       from customer_binding_events e left join guides g on g.id = e.guide_id
      where e.customer_id = any($1::uuid[]) and e.at <= $2
      order by e.at, e.ordinal`,
    [customerIds, until.toISOString()],
  );
  const out = new Map<string, BindingEvent[]>();
  for (const r of rows) {
    const list = out.get(r.customer_id) ?? [];
    list.push({
      id: r.id,
      customerId: r.customer_id,
      event: r.event,
      guideId: r.guide_id,
      storeId: r.store_id,
      at: new Date(r.at),
    });
    out.set(r.customer_id, list);
  }
  return out;
}
