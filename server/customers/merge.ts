import {
  EMPTY_IN_STORE,
  EMPTY_ONLINE,
  type MergeRequest,
  type MergeResponse,
  type OnlineSummary,
  type PurchaseSummary,
  type StoreSummary,
  type Tier,
} from '../../shared/protocol';
import {
  clampTo,
  MAX_COUNT,
  MAX_POINTS,
  MAX_SPEND_FEN,
  saturatingAdd,
} from '../../shared/domain/limits';
import { changeFeedTransaction, type Db, type Queryable } from '../db/database';
import { mergeBinding } from '../bindings/customer-changes';
import { moveFollowUps } from '../follow-ups/customer-changes';
import { badRequest, HubError, notFound } from '../http/errors';
import { moveConsents } from '../outreach/consents';
import { moveProfileEdits } from '../profile-edits/ingest';
import { mergeTrail } from './online-events';
import {
  CUSTOMER_COLUMNS,
  isTombstoneRow,
  rowToProfile,
  rowToTombstone,
  type CustomerRow,
} from './profile';

const TIER_RANK: readonly Tier[] = ['regular', 'silver', 'gold', 'platinum', 'diamond'];
const LAST_PURCHASES_KEPT = 10;
const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];
const later = (a: string | null, b: string | null) =>
  a === null ? b : b === null ? a : Date.parse(a) >= Date.parse(b) ? a : b;

/** Two stored figures added, each read as at most `max` (rows written before the limits). */
function sumCapped(a: number, b: number, max: number): number {
  return saturatingAdd(clampTo(a, max), clampTo(b, max), max);
}

function mergeOnline(t: OnlineSummary, s: OnlineSummary): OnlineSummary {
  const lastOnlineAt = later(t.lastOnlineAt, s.lastOnlineAt);
  return {
    viewed: mergeTrail(t.viewed, s.viewed),
    carted: mergeTrail(t.carted, s.carted),
    wishlisted: mergeTrail(t.wishlisted, s.wishlisted),
    onlineOrders: sumCapped(t.onlineOrders, s.onlineOrders, MAX_COUNT),
    onlineSpend: sumCapped(t.onlineSpend, s.onlineSpend, MAX_SPEND_FEN),
    lastOnlineAt,
    channel: lastOnlineAt === t.lastOnlineAt ? t.channel : s.channel,
  };
}

function mergeInStore(t: StoreSummary, s: StoreSummary): StoreSummary {
  const purchases = new Map<string, PurchaseSummary>();
  for (const p of [...t.lastPurchases, ...s.lastPurchases]) purchases.set(p.orderId, p);
  return {
    storeOrders: sumCapped(t.storeOrders, s.storeOrders, MAX_COUNT),
    storeSpend: sumCapped(t.storeSpend, s.storeSpend, MAX_SPEND_FEN),
    lastPurchases: [...purchases.values()]
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
      .slice(0, LAST_PURCHASES_KEPT),
  };
}

async function lockedRow(tx: Queryable, id: string): Promise<CustomerRow | null> {
  const rows = await tx.query<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from customers c where c.id = $1 for update`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * Head office merges a duplicate into the surviving customer. The source becomes a tombstone
 * (`mergedInto` = target) so every terminal drops it; its orders, visits, alerts and online events
 * move to the target, whose profile absorbs what only the source knew (phone, CRM id, sizes,
 * trails, totals). Its visit outcomes and follow-ups move too, and its binding to a guide when the
 * target has none. A resend of a merge already done answers `already_merged`.
 */
export async function mergeCustomers(
  db: Db,
  request: MergeRequest,
): Promise<MergeResponse & { cursor: string | null; followUpStores: Set<string> }> {
  // Compared as text below; the database spells uuids in lower case.
  const sourceId = request.sourceId.toLowerCase();
  const targetId = request.targetId.toLowerCase();
  if (sourceId === targetId)
    throw badRequest('cannot merge a customer into itself', [
      { path: 'targetId', message: 'must differ from sourceId' },
    ]);
  return changeFeedTransaction(db, async (tx) => {
    const source = await lockedRow(tx, sourceId);
    const target = await lockedRow(tx, targetId);
    if (!source) throw notFound(`customer ${sourceId} not found`);
    if (!target) throw notFound(`customer ${targetId} not found`);
    if (source.merged_into === targetId && !isTombstoneRow(target))
      return {
        status: 'already_merged',
        customer: rowToProfile(target),
        tombstone: rowToTombstone(source),
        cursor: null,
        followUpStores: new Set(),
      };
    if (isTombstoneRow(source))
      throw new HubError(409, 'conflict', `customer ${sourceId} is already merged or deleted`);
    if (isTombstoneRow(target))
      throw new HubError(409, 'conflict', `customer ${targetId} is merged or deleted`);

    // The source leaves the live set first: the phone and CRM id it gives up are then free for
    // the target under the unique indexes.
    const takesPhone = !target.phone_e164 && !!source.phone_e164;
    const takesCrm = !target.crm_id && !!source.crm_id;
    await tx.query(
      `update customers set merged_into = $2, deleted = true, seq = nextval('change_seq'),
         updated_at = now(), crm_id = case when $3 then null else crm_id end
       where id = $1`,
      [sourceId, targetId, takesCrm],
    );
    // Keep chains one hop long: earlier merges into the source now point at the target. Their
    // seq stays (terminals resolve the chain), so their stored feed JSON is marked out of date.
    await tx.query(
      'update customers set merged_into = $2, feed_json_seq = null where merged_into = $1',
      [sourceId, targetId],
    );
    for (const table of ['orders', 'visits', 'alerts', 'online_events', 'online_orders'] as const)
      await tx.query(`update ${table} set customer_id = $2 where customer_id = $1`, [
        sourceId,
        targetId,
      ]);
    // The follow-up lock before any binding row: the order every follow-up writer keeps.
    const followUpStores = await moveFollowUps(tx, sourceId, targetId);
    await mergeBinding(tx, sourceId, targetId, new Date());

    const tier =
      TIER_RANK.indexOf(source.tier as Tier) > TIER_RANK.indexOf(target.tier as Tier)
        ? source.tier
        : target.tier;
    const notes = [target.notes, source.notes].filter((n) => n.trim() !== '');
    await tx.query(
      `update customers set seq = nextval('change_seq'), updated_at = now(),
         phone_e164 = $2, phone_hash = $3, crm_id = $4, tier = $5, points = $6,
         gender = $7, birthday = $8::date, sizes = $9::jsonb, favourite_categories = $10::jsonb,
         home_store_id = $11, tags = $12::jsonb, notes = $13, consent_marketing = $14,
         online = $15::jsonb, in_store = $16::jsonb
       where id = $1`,
      [
        targetId,
        takesPhone ? source.phone_e164 : target.phone_e164,
        takesPhone ? source.phone_hash : target.phone_hash,
        takesCrm ? source.crm_id : target.crm_id,
        tier,
        // saturates at the feed's ceiling (which also fits the 32-bit column)
        saturatingAdd(
          clampTo(target.points, MAX_POINTS),
          clampTo(source.points, MAX_POINTS),
          MAX_POINTS,
        ),
        target.gender === 'unknown' ? source.gender : target.gender,
        target.birthday ?? source.birthday,
        JSON.stringify({ ...source.sizes, ...target.sizes }),
        JSON.stringify(union(target.favourite_categories, source.favourite_categories)),
        target.home_store_id ?? source.home_store_id,
        JSON.stringify(union(target.tags, source.tags)),
        [...new Set(notes)].join('\n'),
        target.consent_marketing || source.consent_marketing,
        JSON.stringify(
          mergeOnline({ ...EMPTY_ONLINE, ...target.online }, { ...EMPTY_ONLINE, ...source.online }),
        ),
        JSON.stringify(
          mergeInStore(
            { ...EMPTY_IN_STORE, ...target.in_store },
            { ...EMPTY_IN_STORE, ...source.in_store },
          ),
        ),
      ],
    );
    await moveConsents(tx, sourceId, targetId);
    await moveProfileEdits(tx, sourceId, targetId);
    const merged = await lockedRow(tx, targetId);
    const tombstone = await lockedRow(tx, sourceId);
    return {
      status: 'merged',
      customer: rowToProfile(merged!),
      tombstone: rowToTombstone(tombstone!),
      cursor: merged!.seq,
      followUpStores,
    };
  });
}
