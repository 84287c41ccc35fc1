import type { BehaviourItem, ItemResult, OnlineEvent, OnlineSummary } from '../../shared/protocol';
import { normalisePhone } from '../../shared/domain/phone';
import { lockChangeFeed, type Db, type Queryable } from '../db/database';
import { liveCustomerByPhone, maxCursor, type BatchOutcome } from './identity';
import { EMPTY_ONLINE, resolveLiveCustomerId } from './profile';

/** How many products each trail keeps: the card shows a handful; the feed row stays small. */
export const TRAIL_LENGTH = 20;

type TrailKey = 'viewed' | 'carted' | 'wishlisted';
const time = (iso: string | null): number => (iso ? Date.parse(iso) : Number.NEGATIVE_INFINITY);

/** Newest first, one entry per SKU (its latest sighting), at most `TRAIL_LENGTH`. */
export function mergeTrail(...lists: readonly (readonly BehaviourItem[])[]): BehaviourItem[] {
  const bySku = new Map<string, BehaviourItem>();
  for (const item of lists.flat()) {
    const seen = bySku.get(item.sku);
    if (!seen || time(item.at) > time(seen.at)) bySku.set(item.sku, item);
  }
  return [...bySku.values()]
    .sort((a, b) => time(b.at) - time(a.at) || (a.sku < b.sku ? -1 : 1))
    .slice(0, TRAIL_LENGTH);
}

/** Applies one online event to a summary (pure; events may arrive out of order). */
export function applyOnlineEvent(
  summary: OnlineSummary,
  event: OnlineEvent,
  productName?: string,
): OnlineSummary {
  const at = new Date(event.at).toISOString();
  const next: OnlineSummary = { ...summary };
  if (event.type === 'ordered') {
    next.onlineOrders = summary.onlineOrders + 1;
    next.onlineSpend = summary.onlineSpend + (event.amount ?? 0);
    // Bought online: it is no longer an open cart — "carted but not bought" is what the guide acts on.
    if (event.sku)
      next.carted = summary.carted.filter((i) => i.sku !== event.sku || time(i.at) > time(at));
  } else if (event.sku) {
    const key: TrailKey = event.type;
    const item: BehaviourItem = { sku: event.sku, at, channel: event.channel };
    if (productName) item.name = productName;
    if (event.dwellSeconds !== undefined) item.dwellSeconds = event.dwellSeconds;
    next[key] = mergeTrail(summary[key], [item]);
  }
  if (time(at) >= time(summary.lastOnlineAt)) {
    next.lastOnlineAt = at;
    next.channel = event.channel;
  }
  return next;
}

/** Finds the live customer an event refers to (following merges); null when unknown. */
async function resolveEventCustomer(
  tx: Queryable,
  ref: OnlineEvent['customer'],
): Promise<string | null> {
  if ('customerId' in ref) return resolveLiveCustomerId(tx, ref.customerId);
  if ('phone' in ref) {
    const phone = normalisePhone(ref.phone);
    return phone ? liveCustomerByPhone(tx, phone.e164) : null;
  }
  const [column, value] = 'crmId' in ref ? ['crm_id', ref.crmId] : ['member_code', ref.memberCode];
  const rows = await tx.query<{ id: string }>(`select id from customers where ${column} = $1`, [
    value,
  ]);
  return rows[0] ? resolveLiveCustomerId(tx, rows[0].id) : null;
}

/**
 * Records online behaviour events, idempotent by event id, and folds them into each customer's
 * online summary. Each touched customer moves once to the head of the feed, so a terminal told
 * `customers:changed` pulls the new trail. One transaction under the change-feed lock.
 */
export async function recordOnlineEvents(
  db: Db,
  events: readonly OnlineEvent[],
): Promise<BatchOutcome> {
  return db.transaction(async (tx) => {
    await lockChangeFeed(tx);
    const skus = [...new Set(events.flatMap((e) => (e.sku ? [e.sku] : [])))];
    const names = new Map(
      (
        await tx.query<{ sku: string; name: string }>(
          'select sku, name from products where sku = any($1::text[])',
          [skus],
        )
      ).map((r) => [r.sku, r.name]),
    );
    const resolved = new Map<string, string | null>();
    const summaries = new Map<string, OnlineSummary>();
    const results: ItemResult[] = [];

    for (const event of events) {
      const id = event.id;
      if (event.type !== 'ordered' && !event.sku) {
        results.push({ id, status: 'rejected', reason: `sku is required for ${event.type}` });
        continue;
      }
      const refKey = JSON.stringify(event.customer);
      if (!resolved.has(refKey))
        resolved.set(refKey, await resolveEventCustomer(tx, event.customer));
      const customerId = resolved.get(refKey) ?? null;
      if (!customerId) {
        results.push({ id, status: 'rejected', reason: 'unknown customer' });
        continue;
      }
      const inserted = await tx.query(
        `insert into online_events(id, customer_id, type, sku, channel, at, amount)
         values ($1, $2, $3, $4, $5, $6::timestamptz, $7)
         on conflict (id) do nothing returning id`,
        [
          id,
          customerId,
          event.type,
          event.sku ?? null,
          event.channel,
          event.at,
          event.amount ?? null,
        ],
      );
      if (inserted.length === 0) {
        results.push({ id, status: 'duplicate' });
        continue;
      }
      let summary = summaries.get(customerId);
      if (!summary) {
        const [row] = await tx.query<{ online: OnlineSummary }>(
          'select online from customers where id = $1',
          [customerId],
        );
        summary = { ...EMPTY_ONLINE, ...row?.online };
      }
      summaries.set(
        customerId,
        applyOnlineEvent(summary, event, event.sku ? names.get(event.sku) : undefined),
      );
      results.push({ id, status: 'accepted' });
    }

    let cursor: string | null = null;
    for (const [customerId, summary] of summaries) {
      const [row] = await tx.query<{ seq: string }>(
        `update customers set online = $2::jsonb, seq = nextval('change_seq'), updated_at = now()
         where id = $1 returning seq::text as seq`,
        [customerId, JSON.stringify(summary)],
      );
      cursor = maxCursor(cursor, row?.seq ?? null);
    }
    return { results, cursor };
  });
}
