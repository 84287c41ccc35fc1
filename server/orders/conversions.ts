import type { AlertUpdate } from '../../shared/protocol';
import type { Queryable } from '../db/database';
import { storeDay, localDate } from '../stats/store-day';

/** An accepted order that may turn a visit of its customer into a sale. */
export type ConversionInput = {
  orderId: string;
  customerId: string;
  storeId: string;
  /** the store's time zone: its visits convert on the store-local day of the order */
  timezone: string;
  createdAt: Date;
  /** the visit of the alert the order was taken from, if it names one */
  alertVisitId: string | null;
};

/** What a batch's orders converted: order id → visit id, and the alerts to broadcast. */
export type Conversions = { visitByOrder: Map<string, string>; alertUpdates: AlertUpdate[] };

type VisitCandidate = {
  order_id: string;
  visit_id: string;
  alert_id: string | null;
  started_at: Date | string;
};

const ms = (value: Date | string) => new Date(value).getTime();
export const iso = (value: Date | string) => new Date(value).toISOString();

/**
 * Marks visits (and their alerts) converted by the batch's accepted orders (of one store or
 * several). A visit converts when its customer orders in the same store on the same store-local
 * day (the store's time zone); the alert the order names wins, then the latest visit that began
 * before the order, then the earliest later one. The first order converts a visit: later orders
 * never move the credit (`converted_at is null` guards the update, also against another batch
 * converting the same visit concurrently).
 *
 * Runs inside the orders transaction, before the change-feed lock (visits and alerts carry no
 * `seq`), before the orders are inserted: returns each converting order's visit, for the order's
 * `visit_id`, and the alert updates to broadcast after commit.
 */
export async function convertVisits(
  tx: Queryable,
  inputs: ConversionInput[],
): Promise<Conversions> {
  const none: Conversions = { visitByOrder: new Map(), alertUpdates: [] };
  if (inputs.length === 0) return none;
  const days = new Map<string, { from: string; to: string }>();
  const dayOf = (at: Date, timezone: string) => {
    const date = localDate(at, timezone);
    const key = `${timezone}|${date}`;
    let day = days.get(key);
    if (!day) {
      const d = storeDay(date, timezone);
      day = { from: d.from.toISOString(), to: d.to.toISOString() };
      days.set(key, day);
    }
    return day;
  };
  const candidates = await tx.query<VisitCandidate>(
    `select x.order_id::text as order_id, v.id::text as visit_id, v.alert_id::text as alert_id,
            v.started_at
       from jsonb_to_recordset($1::jsonb)
              as x(order_id uuid, customer_id uuid, store_id uuid,
                   day_from timestamptz, day_to timestamptz)
       join visits v on v.store_id = x.store_id and v.customer_id = x.customer_id
                    and v.started_at >= x.day_from and v.started_at < x.day_to
                    and v.converted_at is null`,
    [
      JSON.stringify(
        inputs.map((i) => {
          const day = dayOf(i.createdAt, i.timezone);
          return {
            order_id: i.orderId,
            customer_id: i.customerId,
            store_id: i.storeId,
            day_from: day.from,
            day_to: day.to,
          };
        }),
      ),
    ],
  );
  if (candidates.length === 0) return none;
  const byOrder = new Map<string, VisitCandidate[]>();
  for (const c of candidates) {
    const list = byOrder.get(c.order_id) ?? [];
    list.push(c);
    byOrder.set(c.order_id, list);
  }

  // Earliest order first, so within a batch the first sale of the day gets the visit.
  const ordered = [...inputs].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.orderId.localeCompare(b.orderId),
  );
  const taken = new Set<string>();
  const picks: { visit_id: string; order_id: string; at: string }[] = [];
  for (const input of ordered) {
    const options = (byOrder.get(input.orderId) ?? []).filter((c) => !taken.has(c.visit_id));
    if (options.length === 0) continue;
    const at = input.createdAt.getTime();
    const before = options
      .filter((c) => ms(c.started_at) <= at)
      .sort((a, b) => ms(b.started_at) - ms(a.started_at));
    const after = options
      .filter((c) => ms(c.started_at) > at)
      .sort((a, b) => ms(a.started_at) - ms(b.started_at));
    const pick =
      options.find((c) => c.visit_id === input.alertVisitId) ?? before[0] ?? after[0] ?? null;
    if (!pick) continue;
    taken.add(pick.visit_id);
    picks.push({
      visit_id: pick.visit_id,
      order_id: input.orderId,
      at: input.createdAt.toISOString(),
    });
  }

  const converted = await tx.query<{ visit_id: string; alert_id: string | null; order_id: string }>(
    `update visits v set converted_at = x.at, converted_order_id = x.order_id
       from jsonb_to_recordset($1::jsonb) as x(visit_id uuid, order_id uuid, at timestamptz)
      where v.id = x.visit_id and v.converted_at is null
      returning v.id::text as visit_id, v.alert_id::text as alert_id, x.order_id::text as order_id`,
    [JSON.stringify(picks)],
  );
  if (converted.length === 0) return none;
  const visitByOrder = new Map(converted.map((c) => [c.order_id, c.visit_id]));

  const atByOrder = new Map(picks.map((p) => [p.order_id, p.at]));
  const alertRows = converted
    .filter((c) => c.alert_id !== null)
    .map((c) => ({ alert_id: c.alert_id, order_id: c.order_id, at: atByOrder.get(c.order_id) }));
  if (alertRows.length === 0) return { visitByOrder, alertUpdates: [] };
  // The guide who claimed the alert keeps the credit: claimed_by is left as it is.
  const alerts = await tx.query<{
    id: string;
    store_id: string;
    claimed_by: string | null;
    claimed_name: string | null;
    claimed_at: Date | string | null;
    converted_at: Date | string;
    converted_order_id: string;
  }>(
    `update alerts a set status = 'converted', converted_at = x.at, converted_order_id = x.order_id
       from jsonb_to_recordset($1::jsonb) as x(alert_id uuid, order_id uuid, at timestamptz)
      where a.id = x.alert_id and a.converted_order_id is null
      returning a.id::text as id, a.store_id::text as store_id, a.claimed_by::text as claimed_by,
                (select g.name from guides g where g.id = a.claimed_by) as claimed_name,
                a.claimed_at, a.converted_at, a.converted_order_id::text as converted_order_id`,
    [JSON.stringify(alertRows)],
  );
  const alertUpdates = alerts.map((a): AlertUpdate => ({
    alertId: a.id,
    storeId: a.store_id,
    status: 'converted',
    claimedBy: a.claimed_by ? { guideId: a.claimed_by, name: a.claimed_name ?? '' } : null,
    claimedAt: a.claimed_at === null ? null : iso(a.claimed_at),
    convertedAt: iso(a.converted_at),
    orderId: a.converted_order_id,
  }));
  return { visitByOrder, alertUpdates };
}
