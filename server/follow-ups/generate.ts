import type { Db, Queryable } from '../db/database';
import { VISIT_WINDOW_MINUTES } from '../presence/windows';
import { localDate } from '../stats/store-day';
import {
  addDaysIso,
  birthdayIn,
  birthdayWeekOf,
  type BirthdayWeek,
  localDayAfter,
  nextLocalDay,
  weekStart,
} from './due';
import { insertTasks, lockFollowUps, type TaskCandidate } from './tasks';

/**
 * Follow-up generation (#15 item 3). Every rule turns what the hub already stores into task
 * candidates with a unique key (kind + customer + source); inserting them is idempotent, so the
 * sweep may run as often as it likes, on several hub nodes, and an event may run it early.
 * The clock is a parameter: tests give it, the sweep gives the hub's.
 */
export type GenerateOptions = {
  now: Date;
  /** the "N days after an in-store purchase" rule (HUB_FOLLOW_UP_AFTER_PURCHASE_DAYS) */
  afterPurchaseDays: number;
  /** only these visits (the event path: outcomes just recorded); all rules when absent */
  visitIds?: readonly string[];
};

/** How far back the sweep looks for visits and purchases it may have missed (hub down a while). */
const LOOKBACK_DAYS = 7;
const DAY_MS = 86_400_000;

type StoreZone = Map<string, string>;

async function storeZones(db: Queryable): Promise<StoreZone> {
  const rows = await db.query<{ id: string; timezone: string }>(
    'select id::text as id, timezone from stores',
  );
  return new Map(rows.map((r) => [r.id, r.timezone]));
}

const LIVE_CUSTOMER = 'not c.deleted and c.merged_into is null';

/**
 * A recognised visit that ended without a purchase: the guide recorded why, or claimed the alert
 * and the visit is over (no sighting for the visit window). Due at the start of the next
 * store-local day. Not when the customer bought at this store since.
 */
async function visitCandidates(
  db: Queryable,
  zones: StoreZone,
  now: Date,
  visitIds: readonly string[] | undefined,
): Promise<TaskCandidate[]> {
  const rows = await db.query<{
    visit_id: string;
    store_id: string;
    customer_id: string;
    started_at: Date | string;
    reason: string | null;
  }>(
    `select v.id::text as visit_id, v.store_id::text as store_id,
            v.customer_id::text as customer_id, v.started_at, vo.reason
       from visits v
       join customers c on c.id = v.customer_id and ${LIVE_CUSTOMER}
       left join visit_outcomes vo on vo.visit_id = v.id
       left join alerts a on a.id = v.alert_id
      where v.converted_at is null
        and v.started_at >= $1::timestamptz and v.started_at <= $2::timestamptz
        and ($4::jsonb is null or v.id in (select jsonb_array_elements_text($4::jsonb)::uuid))
        and (vo.id is not null
             or (a.claimed_by is not null and v.last_seen_at <= $3::timestamptz))
        and not exists (select 1 from orders o
                         where o.store_id = v.store_id and o.customer_id = v.customer_id
                           and o.created_at >= v.started_at and o.created_at <= $2::timestamptz)
        -- one open visit follow-up per customer and store: a second visit adds no second call
        and not exists (select 1 from follow_up_tasks t
                         where t.kind = 'visit_no_purchase' and t.status = 'open'
                           and t.store_id = v.store_id and t.customer_id = v.customer_id
                           and t.source <> v.id::text)
      order by v.started_at desc, v.id`,
    [
      new Date(now.getTime() - LOOKBACK_DAYS * DAY_MS).toISOString(),
      now.toISOString(),
      new Date(now.getTime() - VISIT_WINDOW_MINUTES * 60_000).toISOString(),
      visitIds ? JSON.stringify(visitIds) : null,
    ],
  );
  // Newest visit first: of several in one run, the latest one is followed up.
  const seen = new Set<string>();
  return rows.flatMap((r) => {
    const timezone = zones.get(r.store_id);
    const key = `${r.store_id}|${r.customer_id}`;
    if (!timezone || seen.has(key)) return [];
    seen.add(key);
    return [
      {
        storeId: r.store_id,
        customerId: r.customer_id,
        kind: 'visit_no_purchase' as const,
        source: r.visit_id,
        dueAt: nextLocalDay(new Date(r.started_at), timezone),
        detail: r.reason ? { reason: r.reason as TaskCandidate['detail']['reason'] } : {},
      },
    ];
  });
}

/** N days after an in-store purchase: due at the start of that store-local day. */
async function purchaseCandidates(
  db: Queryable,
  zones: StoreZone,
  now: Date,
  days: number,
): Promise<TaskCandidate[]> {
  const rows = await db.query<{
    id: string;
    store_id: string;
    customer_id: string;
    created_at: Date | string;
  }>(
    `select o.id::text as id, o.store_id::text as store_id, o.customer_id::text as customer_id,
            o.created_at
       from orders o join customers c on c.id = o.customer_id and ${LIVE_CUSTOMER}
      where o.created_at >= $1::timestamptz and o.created_at <= $2::timestamptz`,
    [
      new Date(now.getTime() - (days + LOOKBACK_DAYS + 1) * DAY_MS).toISOString(),
      new Date(now.getTime() - (days - 1) * DAY_MS).toISOString(),
    ],
  );
  return rows.flatMap((r) => {
    const timezone = zones.get(r.store_id);
    if (!timezone) return [];
    const dueAt = localDayAfter(new Date(r.created_at), timezone, days);
    if (dueAt.getTime() > now.getTime()) return [];
    return [
      {
        storeId: r.store_id,
        customerId: r.customer_id,
        kind: 'after_purchase' as const,
        source: r.id,
        dueAt,
        detail: { days },
      },
    ];
  });
}

/** The customer's store for tasks not born of a visit: the bound guide's, else the home store. */
const CUSTOMER_STORE = 'coalesce(b.store_id, c.home_store_id)';

/**
 * Birthdays in this week (Monday–Sunday, store-local): one task a year, due at the week's start.
 */
async function birthdayCandidates(
  db: Queryable,
  zones: StoreZone,
  now: Date,
): Promise<TaskCandidate[]> {
  const out: TaskCandidate[] = [];
  for (const [storeId, timezone] of zones) {
    const monday = weekStart(localDate(now, timezone));
    const monthDays = new Set<string>();
    for (let i = 0; i < 7; i++) {
      const day = addDaysIso(monday, i);
      monthDays.add(day.slice(5));
      // 29 February birthdays fall on the 28th in other years.
      if (day.slice(5) === '02-28' && birthdayIn(Number(day.slice(0, 4)), '02-29') === day)
        monthDays.add('02-29');
    }
    const rows = await db.query<{ id: string; md: string }>(
      `select c.id::text as id, to_char(c.birthday, 'MM-DD') as md
         from customers c left join customer_bindings b on b.customer_id = c.id
        where ${LIVE_CUSTOMER} and c.birthday is not null and ${CUSTOMER_STORE} = $1
          and to_char(c.birthday, 'MM-DD') in (select jsonb_array_elements_text($2::jsonb))`,
      [storeId, JSON.stringify([...monthDays])],
    );
    // One store's members share a handful of month-days this week: each is worked out once
    // (time-zone arithmetic per member took ≈ 1.5 s of the hub's CPU per sweep at 200,000).
    const weeks = new Map<string, BirthdayWeek | null>();
    for (const r of rows) {
      let week = weeks.get(r.md);
      if (week === undefined) {
        week = birthdayWeekOf(now, timezone, r.md);
        weeks.set(r.md, week);
      }
      if (!week) continue;
      out.push({
        storeId,
        customerId: r.id,
        kind: 'birthday',
        source: week.birthday.slice(0, 4),
        dueAt: week.dueAt,
        detail: {},
      });
    }
  }
  return out;
}

/**
 * A wish-listed item back in stock at the customer's store, or cheaper while in stock there: due
 * now. Changes are against the marks the previous sweep left (the first sweep only sets marks);
 * the marks move in the same transaction as the tasks, so each change makes its tasks once.
 */
async function wishlistCandidates(
  tx: Queryable,
  zones: StoreZone,
  now: Date,
): Promise<TaskCandidate[]> {
  const wished = `select distinct ${CUSTOMER_STORE} as store_id, c.id as customer_id,
                         w.item->>'sku' as sku
                    from customers c left join customer_bindings b on b.customer_id = c.id
                    cross join lateral jsonb_array_elements(c.online->'wishlisted') as w(item)
                   where ${LIVE_CUSTOMER} and ${CUSTOMER_STORE} is not null`;
  const state = await tx.query<{
    store_id: string;
    product_id: string;
    sku: string;
    stock: number;
    price: string;
    old_stock: number | null;
    old_price: string | null;
  }>(
    `with wished as (${wished})
     select sp.store_id::text as store_id, p.id::text as product_id, p.sku, sp.stock,
            p.price::text as price, m.stock as old_stock, m.price::text as old_price
       from store_products sp join products p on p.id = sp.product_id and p.active
       left join follow_up_stock_marks m on m.store_id = sp.store_id and m.product_id = sp.product_id
      where exists (select 1 from wished w where w.store_id = sp.store_id and w.sku = p.sku)
        and (m.store_id is null or m.stock <> sp.stock or m.price <> p.price)`,
  );
  if (state.length === 0) return [];
  type Change = { change: 'restocked' | 'cheaper'; oldPrice: number; newPrice: number };
  const changes = new Map<string, Change>();
  for (const s of state) {
    if (s.old_stock === null || s.old_price === null || s.stock <= 0) continue;
    const [price, oldPrice] = [Number(s.price), Number(s.old_price)];
    if (s.old_stock <= 0)
      changes.set(`${s.store_id}|${s.sku}`, { change: 'restocked', oldPrice, newPrice: price });
    else if (price < oldPrice)
      changes.set(`${s.store_id}|${s.sku}`, { change: 'cheaper', oldPrice, newPrice: price });
  }
  await tx.query(
    `insert into follow_up_stock_marks (store_id, product_id, stock, price)
     select x.store_id, x.product_id, x.stock, x.price
       from jsonb_to_recordset($1::jsonb) as x(store_id uuid, product_id uuid, stock int, price bigint)
     on conflict (store_id, product_id) do update set stock = excluded.stock, price = excluded.price`,
    [
      JSON.stringify(
        state.map((s) => ({
          store_id: s.store_id,
          product_id: s.product_id,
          stock: s.stock,
          price: Number(s.price),
        })),
      ),
    ],
  );
  if (changes.size === 0) return [];
  const pairs = [...changes.keys()].map((key) => {
    const [store_id, sku] = key.split('|') as [string, string];
    return { store_id, sku };
  });
  const customers = await tx.query<{ store_id: string; customer_id: string; sku: string }>(
    `with wished as (${wished})
     select w.store_id::text as store_id, w.customer_id::text as customer_id, w.sku
       from wished w join jsonb_to_recordset($1::jsonb) as x(store_id uuid, sku text)
         on x.store_id = w.store_id and x.sku = w.sku`,
    [JSON.stringify(pairs)],
  );
  return customers.flatMap((c) => {
    const change = changes.get(`${c.store_id}|${c.sku}`)!;
    const timezone = zones.get(c.store_id);
    if (!timezone) return [];
    return [
      {
        storeId: c.store_id,
        customerId: c.customer_id,
        kind: 'wishlist' as const,
        // One task per item, change and store-local day: a second restock next month is new.
        source: `${c.store_id}:${c.sku}:${change.change}:${localDate(now, timezone)}`,
        dueAt: now,
        detail: {
          sku: c.sku,
          change: change.change,
          ...(change.change === 'cheaper'
            ? { oldPrice: change.oldPrice, newPrice: change.newPrice }
            : {}),
        },
      },
    ];
  });
}

/**
 * Runs the rules and inserts the tasks that do not exist yet, in one transaction under the
 * follow-up lock. Returns the stores that got new tasks (to tell their terminals).
 */
export async function generateFollowUps(db: Db, options: GenerateOptions): Promise<Set<string>> {
  return db.transaction(async (tx) => generateIn(tx, options));
}

/** The same inside a transaction the caller holds (the outcome path). */
export async function generateIn(tx: Queryable, options: GenerateOptions): Promise<Set<string>> {
  await lockFollowUps(tx);
  const zones = await storeZones(tx);
  const { now } = options;
  const candidates = [...(await visitCandidates(tx, zones, now, options.visitIds))];
  if (!options.visitIds) {
    candidates.push(...(await purchaseCandidates(tx, zones, now, options.afterPurchaseDays)));
    candidates.push(...(await birthdayCandidates(tx, zones, now)));
    candidates.push(...(await wishlistCandidates(tx, zones, now)));
  }
  return insertTasks(tx, candidates, now);
}
