import type { BehaviourItem, ItemResult, OnlineEvent, OnlineSummary } from '../../shared/protocol';
import { clampTo, MAX_COUNT, MAX_SPEND_FEN, saturatingAdd } from '../../shared/domain/limits';
import { normalisePhone } from '../../shared/domain/phone';
import { changeFeedTransaction, type Db, type Queryable } from '../db/database';
import type { BatchOutcome } from './identity';
import { EMPTY_ONLINE } from '../../shared/protocol';
import { resolveLiveCustomerId } from './merge-chain';
import { nearestStoreIndex, type NearestStoreIndex } from '../stores/nearest-store';

/** How many products each trail keeps: the card shows a handful; the feed row stays small. */
export const TRAIL_LENGTH = 20;

/** Events older than this are junk from a broken source, not behaviour. */
const EARLIEST_EVENT = Date.UTC(2000, 0, 1);
/** Clocks of online channels drift a little; more than this ahead is refused. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

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
    // Saturating at the feed schema's ceilings: valid events can never push the row out of range.
    next.onlineOrders = saturatingAdd(clampTo(summary.onlineOrders, MAX_COUNT), 1, MAX_COUNT);
    next.onlineSpend = saturatingAdd(
      clampTo(summary.onlineSpend, MAX_SPEND_FEN),
      event.amount ?? 0,
      MAX_SPEND_FEN,
    );
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

type Ref = OnlineEvent['customer'];
/** The key `resolveCustomerRefs` answers a reference under. */
export const refKey = (ref: Ref): string =>
  'customerId' in ref
    ? `id:${ref.customerId.toLowerCase()}`
    : 'crmId' in ref
      ? `crm:${ref.crmId}`
      : 'memberCode' in ref
        ? `code:${ref.memberCode}`
        : `phone:${normalisePhone(ref.phone)?.e164 ?? ''}`;

/**
 * Resolves every distinct customer reference of a batch to a live customer id (following merges),
 * with one query per kind of reference rather than one per event.
 */
export async function resolveCustomerRefs(
  tx: Queryable,
  refs: readonly Ref[],
): Promise<Map<string, string>> {
  const want = { id: new Set<string>(), crm: new Set<string>(), code: new Set<string>() };
  const phones = new Set<string>();
  for (const ref of refs) {
    // uuids compare as text here; the database spells them in lower case
    if ('customerId' in ref) want.id.add(ref.customerId.toLowerCase());
    else if ('crmId' in ref) want.crm.add(ref.crmId);
    else if ('memberCode' in ref) want.code.add(ref.memberCode);
    else {
      const e164 = normalisePhone(ref.phone)?.e164;
      if (e164) phones.add(e164);
    }
  }
  const rows = await tx.query<{
    id: string;
    crm_id: string | null;
    member_code: string;
    phone_e164: string | null;
    merged_into: string | null;
    deleted: boolean;
  }>(
    `select id, crm_id, member_code, phone_e164, merged_into, deleted from customers
     where id = any($1::uuid[]) or crm_id = any($2::text[]) or member_code = any($3::text[])
        or (phone_e164 = any($4::text[]) and merged_into is null and not deleted)`,
    [[...want.id], [...want.crm], [...want.code], [...phones]],
  );
  const out = new Map<string, string>();
  for (const row of rows) {
    // Merged rows are rare: follow them one by one to the survivor.
    const live = row.merged_into || row.deleted ? await resolveLiveCustomerId(tx, row.id) : row.id;
    if (!live) continue;
    if (want.id.has(row.id)) out.set(`id:${row.id}`, live);
    if (row.crm_id && want.crm.has(row.crm_id)) out.set(`crm:${row.crm_id}`, live);
    if (want.code.has(row.member_code)) out.set(`code:${row.member_code}`, live);
    if (row.phone_e164 && phones.has(row.phone_e164) && !row.merged_into && !row.deleted)
      out.set(`phone:${row.phone_e164}`, live);
  }
  return out;
}

const DAY_MS = 86_400_000;

/**
 * Records online behaviour events, idempotent by event id, and folds them into each customer's
 * online summary. Each touched customer moves once to the head of the feed, so a terminal told
 * `customers:changed` pulls the new trail. One transaction under the change-feed lock, and a
 * fixed handful of statements however many events (a 618 burst arrives as big batches).
 *
 * An event with a `location` brings the member into the scope of the nearest store ("online
 * nearby", issue #17) until `nearbyDays` after the event (migration 022); the place itself is not
 * stored. The nearest store is found in memory, before the lock (server/stores/nearest-store.ts,
 * SQL `nearest_store`'s definition). The caller settles scopes after commit.
 */
export async function recordOnlineEvents(
  db: Db,
  events: readonly OnlineEvent[],
  { nearbyDays }: { nearbyDays: number },
): Promise<BatchOutcome> {
  // Before the lock, and in memory: the nearest store of each event's place (not a scan of every
  // store per event in SQL, as `nearest_store` is).
  const stores = events.some((e) => e.location) ? await nearestStoreIndex(db) : null;
  return changeFeedTransaction(db, async (tx) => {
    const skus = [...new Set(events.flatMap((e) => (e.sku ? [e.sku] : [])))];
    const names = new Map(
      (
        await tx.query<{ sku: string; name: string }>(
          'select sku, name from products where sku = any($1::text[])',
          [skus],
        )
      ).map((r) => [r.sku, r.name]),
    );
    const customers = await resolveCustomerRefs(
      tx,
      events.map((e) => e.customer),
    );

    // Decide each event's fate in order; only the first of repeated ids in a batch counts.
    const results: ItemResult[] = [];
    const candidates = new Map<string, { event: OnlineEvent; customerId: string; slot: number }>();
    for (const event of events) {
      const id = event.id;
      if (event.type !== 'ordered' && !event.sku) {
        results.push({ id, status: 'rejected', reason: `sku is required for ${event.type}` });
        continue;
      }
      const when = Date.parse(event.at);
      if (when < EARLIEST_EVENT || when > Date.now() + MAX_CLOCK_SKEW_MS) {
        // A far-future time would pin `lastOnlineAt`; year 0 is not even storable.
        results.push({ id, status: 'rejected', reason: '`at` is out of range' });
        continue;
      }
      const customerId = customers.get(refKey(event.customer));
      if (!customerId) {
        results.push({ id, status: 'rejected', reason: 'unknown customer' });
        continue;
      }
      if (candidates.has(id)) {
        results.push({ id, status: 'duplicate' });
        continue;
      }
      candidates.set(id, { event, customerId, slot: results.length });
      results.push({ id, status: 'accepted' });
    }
    if (candidates.size === 0) return { results, cursor: null };

    const inserted = await tx.query<{ id: string }>(
      `insert into online_events(id, customer_id, type, sku, channel, at, amount)
       select x.id, x.customer_id, x.type, x.sku, x.channel, x.at, x.amount
       from jsonb_to_recordset($1::jsonb) as x(id text, customer_id uuid, type text, sku text,
         channel text, at timestamptz, amount bigint)
       on conflict (id) do nothing
       returning id`,
      [
        JSON.stringify(
          [...candidates.values()].map(({ event, customerId }) => ({
            id: event.id,
            customer_id: customerId,
            type: event.type,
            sku: event.sku ?? null,
            channel: event.channel,
            at: event.at,
            amount: event.amount ?? null,
          })),
        ),
      ],
    );
    const fresh = new Set(inserted.map((r) => r.id));
    const accepted: { event: OnlineEvent; customerId: string }[] = [];
    for (const [id, candidate] of candidates) {
      if (fresh.has(id)) accepted.push(candidate);
      else results[candidate.slot] = { id, status: 'duplicate' };
    }
    if (accepted.length === 0) return { results, cursor: null };

    const summaries = new Map<string, OnlineSummary>(
      (
        await tx.query<{ id: string; online: OnlineSummary }>(
          'select id, online from customers where id = any($1::uuid[])',
          [[...new Set(accepted.map((a) => a.customerId))]],
        )
      ).map((r) => [r.id, { ...EMPTY_ONLINE, ...r.online }]),
    );
    for (const { event, customerId } of accepted) {
      const summary = summaries.get(customerId) ?? EMPTY_ONLINE;
      summaries.set(
        customerId,
        applyOnlineEvent(summary, event, event.sku ? names.get(event.sku) : undefined),
      );
    }
    const [row] = await tx.query<{ seq: string | null }>(
      `with updated as (
         update customers c set online = x.online, seq = nextval('change_seq'), updated_at = now()
         from jsonb_to_recordset($1::jsonb) as x(id uuid, online jsonb)
         where c.id = x.id
         returning c.seq)
       select max(seq)::text as seq from updated`,
      [JSON.stringify([...summaries].map(([id, online]) => ({ id, online })))],
    );
    if (stores) await enterNearbyScopes(tx, accepted, nearbyDays, stores);
    return { results, cursor: row?.seq ?? null };
  });
}

/**
 * Accepted events with a place: each member enters the scope of the store nearest to it until
 * `days` after the event (no later than `days` from now: a clock ahead cannot stretch it). One
 * entry per member and place (its latest event), in one statement; events too old to count any
 * more enter nothing.
 */
async function enterNearbyScopes(
  tx: Queryable,
  accepted: readonly { event: OnlineEvent; customerId: string }[],
  days: number,
  stores: NearestStoreIndex,
): Promise<void> {
  const now = Date.now();
  const latest = new Map<
    string,
    { customer_id: string; lat: number; lng: number; until: number }
  >();
  for (const { event, customerId } of accepted) {
    if (!event.location) continue;
    const { lat, lng } = event.location;
    const until = Math.min(Date.parse(event.at), now) + days * DAY_MS;
    if (until <= now) continue;
    const key = `${customerId} ${lat} ${lng}`;
    const seen = latest.get(key);
    if (!seen || seen.until < until) latest.set(key, { customer_id: customerId, lat, lng, until });
  }
  const entries = [...latest.values()].flatMap(({ customer_id, lat, lng, until }) => {
    const storeId = stores.nearest({ lat, lng });
    return storeId
      ? [{ store_id: storeId, customer_id, until: new Date(until).toISOString() }]
      : [];
  });
  if (entries.length === 0) return;
  await tx.query(
    `select scope_enter_online(x.store_id, x.customer_id, x.until)
       from jsonb_to_recordset($1::jsonb) as x(store_id uuid, customer_id uuid, until timestamptz)`,
    [JSON.stringify(entries)],
  );
}
