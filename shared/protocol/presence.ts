import { z } from 'zod';
import { fen, isoInstant, sku, text, uuid } from './common';
import { footfallCount, spendFen } from './numbers';
import { behaviourItem, customerProfile, purchaseSummary, sizes, tier } from './customers';
import { errorCode } from './errors';

export const presenceSource = z.enum(['wifi', 'geofence', 'qr', 'beacon', 'app']);
export type PresenceSource = z.infer<typeof presenceSource>;

export const customerRef = z.union([
  z.object({ memberCode: text.trim().min(1).max(64) }),
  z.object({ phone: text.trim().min(3).max(32) }),
  z.object({ customerId: uuid }),
]);
export type CustomerRef = z.infer<typeof customerRef>;

const lat = z.number().min(-90).max(90);
const lng = z.number().min(-180).max(180);

/** A presence sighting from Wi-Fi, geofence, QR, beacon or app check-in. */
export const presenceEvent = z
  .object({
    customer: customerRef,
    storeId: uuid.optional(),
    lat: lat.optional(),
    lng: lng.optional(),
    source: presenceSource,
    at: isoInstant.optional(),
  })
  .refine((e) => e.storeId !== undefined || (e.lat !== undefined && e.lng !== undefined), {
    message: 'either storeId or lat and lng is required',
    path: ['storeId'],
  });
export type PresenceEvent = z.infer<typeof presenceEvent>;
export const presenceResponse = z.object({ visitId: uuid, alertId: uuid.nullable() });
export type PresenceResponse = z.infer<typeof presenceResponse>;

/**
 * Most sightings one `POST /presence/batch` may carry. A gateway that forwards a chain's doors
 * every 50–100 ms sends tens at a time at an 11.11 peak (1,000 arrivals/s).
 */
export const PRESENCE_BATCH_MAX = 500;
/** Several sightings in one call (a presence gateway's batch), answered one by one in order. */
export const presenceBatchRequest = z.object({
  events: z.array(presenceEvent).min(1).max(PRESENCE_BATCH_MAX),
});
export type PresenceBatchRequest = z.infer<typeof presenceBatchRequest>;
/** One sighting's answer: what `POST /presence` answers, or the error it would have answered. */
export const presenceItemResult = z.union([
  presenceResponse,
  z.object({
    error: z.object({ status: z.number().int(), code: errorCode, message: z.string() }),
  }),
]);
export type PresenceItemResult = z.infer<typeof presenceItemResult>;
export const presenceBatchResponse = z.object({ results: z.array(presenceItemResult) });
export type PresenceBatchResponse = z.infer<typeof presenceBatchResponse>;

export const footfallEvent = z.object({
  storeId: uuid,
  at: isoInstant,
  count: footfallCount,
});
export type FootfallEvent = z.infer<typeof footfallEvent>;

export const stockedItem = behaviourItem.extend({
  stockHere: z.number().int().nullable(),
  price: fen.nullable(),
});
export type StockedItem = z.infer<typeof stockedItem>;

/** The short card a guide sees when a recognized customer walks in. */
export const customerCard = z.object({
  customerId: uuid,
  name: z.string(),
  tier,
  /** the 尾号 (last 4 digits), never the number or a masked form */
  phoneLast4: z.string().nullable(),
  sizes,
  favouriteCategories: z.array(z.string()),
  viewed: z.array(stockedItem),
  carted: z.array(stockedItem),
  wishlisted: z.array(stockedItem),
  lastPurchases: z.array(purchaseSummary),
  lifetimeSpend: spendFen,
});
export type CustomerCard = z.infer<typeof customerCard>;

export const alertStatus = z.enum(['open', 'claimed', 'expired', 'converted']);
export type AlertStatus = z.infer<typeof alertStatus>;

export const claimedBy = z.object({ guideId: uuid, name: z.string() });

/** An arrival alert (what `alert:new` carries and the catch-up endpoint lists). */
export const arrivalAlert = z.object({
  alertId: uuid,
  visitId: uuid,
  storeId: uuid,
  at: isoInstant,
  source: presenceSource,
  status: alertStatus,
  claimedBy: claimedBy.nullable(),
  claimedAt: isoInstant.nullable(),
  expiresAt: isoInstant,
  convertedAt: isoInstant.nullable(),
  card: customerCard,
  /** the visit's latest presence sighting (#16 item 6; absent from older hubs: read as `at`) */
  lastSeenAt: isoInstant.optional(),
});
export type ArrivalAlert = z.infer<typeof arrivalAlert>;

/**
 * `alert:new` as the hub sends it live. With store-scoped caches (issue #17; docs/scaling.md,
 * "An arrival carries her profile") it also carries the member's profile exactly as the store's
 * customer feed would send it: the terminals cache it from the alert, and the hub does not tell
 * them to pull for a member who entered the store's scope only by walking in. Never stored with
 * the alert and never in the catch-up list (a terminal catching up pulls its feeds anyway).
 * Optional: a hub on the chain-wide feed, or an older hub, sends none.
 */
export const liveArrivalAlert = arrivalAlert.extend({ profile: customerProfile.optional() });
export type LiveArrivalAlert = z.infer<typeof liveArrivalAlert>;

export const alertUpdate = z.object({
  alertId: uuid,
  storeId: uuid,
  status: alertStatus,
  claimedBy: claimedBy.nullable(),
  claimedAt: isoInstant.nullable(),
  convertedAt: isoInstant.nullable(),
  orderId: uuid.nullable(),
  /** the visit's latest sighting: sent again when she is seen in a later minute (#16 item 6) */
  lastSeenAt: isoInstant.optional(),
});
export type AlertUpdate = z.infer<typeof alertUpdate>;

/** `GET /api/v1/alerts?since=` — the store's alerts raised since an instant (catch-up). */
export const alertsQuery = z.object({ since: isoInstant.optional() });
export const alertsResponse = z.object({ items: z.array(arrivalAlert) });
export type AlertsResponse = z.infer<typeof alertsResponse>;

export const skuList = z.array(sku);
