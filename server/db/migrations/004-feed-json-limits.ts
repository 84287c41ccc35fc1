import {
  MAX_COUNT,
  MAX_ORDER_TOTAL_FEN,
  MAX_POINTS,
  MAX_SPEND_FEN,
} from '../../../shared/domain/limits';

/**
 * The feed now clamps derived numbers to the protocol's limits (shared/domain/limits.ts) when it
 * maps a row. Stored feed JSON made before that may hold a number terminals refuse (issue #12: a
 * lifetime spend over the limit stopped every store's customer sync): mark exactly those rows out
 * of date, and the hub rewrites their JSON, clamped, in the background. Rows within the limits
 * keep their JSON (a full rewrite of a large chain would cost minutes of the hub's CPU).
 */
export const feedJsonLimitsSchema = /* sql */ `
update customers set feed_json_seq = null
 where feed_json_seq is not null and (
       coalesce((online->>'onlineSpend')::numeric, 0) + coalesce((in_store->>'storeSpend')::numeric, 0) > ${MAX_SPEND_FEN}
    or coalesce((online->>'onlineOrders')::numeric, 0) > ${MAX_COUNT}
    or coalesce((in_store->>'storeOrders')::numeric, 0) > ${MAX_COUNT}
    or points > ${MAX_POINTS}
    or exists (select 1 from jsonb_array_elements(
                 case when jsonb_typeof(in_store->'lastPurchases') = 'array'
                      then in_store->'lastPurchases' else '[]'::jsonb end) p
                where (p->>'total')::numeric > ${MAX_ORDER_TOTAL_FEN}));
`;
