import { z } from 'zod';
import { customerBinding } from './bindings';
import { marketingConsent } from './outreach';
import { isoDate, isoInstant, nonEmpty, sku, text, uuid } from './common';
import { aggregateCount, dwellSeconds, orderTotalFen, points, spendFen } from './numbers';

export const tier = z.enum(['regular', 'silver', 'gold', 'platinum', 'diamond']);
export type Tier = z.infer<typeof tier>;
export const gender = z.enum(['female', 'male', 'other', 'unknown']);
export type Gender = z.infer<typeof gender>;
export const channel = z.enum(['app', 'wechat', 'web', 'store']);
export type Channel = z.infer<typeof channel>;

/**
 * A plausible birthday: from 1900 up to tomorrow (UTC, so a baby registered on its first day in
 * Asia/Shanghai still passes). Also keeps dates the database cannot store (year 0) out.
 */
export const birthday = isoDate.refine(
  (d) => d >= '1900-01-01' && d <= new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
  'birthday must be between 1900-01-01 and today',
);

export const sizes = z.object({
  top: text.max(16).optional(),
  bottom: text.max(16).optional(),
  dress: text.max(16).optional(),
  shoe: text.max(16).optional(),
});
export type Sizes = z.infer<typeof sizes>;

/** One product in the customer's online trail (viewed / carted / wish-listed). */
export const behaviourItem = z.object({
  sku,
  name: z.string().optional(),
  at: isoInstant,
  channel: channel.optional(),
  /** seconds spent viewing, when the channel reports it */
  dwellSeconds: dwellSeconds.optional(),
});
export type BehaviourItem = z.infer<typeof behaviourItem>;

/** The online behaviour summary head office keeps current (integration events update it). */
export const onlineSummary = z.object({
  viewed: z.array(behaviourItem),
  carted: z.array(behaviourItem),
  wishlisted: z.array(behaviourItem),
  onlineOrders: aggregateCount,
  onlineSpend: spendFen,
  lastOnlineAt: isoInstant.nullable(),
  channel: channel.nullable(),
});
export type OnlineSummary = z.infer<typeof onlineSummary>;

export const purchaseSummary = z.object({
  orderId: z.string(),
  storeId: uuid.nullable(),
  channel,
  at: isoInstant,
  total: orderTotalFen,
  items: z.array(
    z.object({ sku, name: z.string().optional(), quantity: z.number().int().positive() }),
  ),
});
export type PurchaseSummary = z.infer<typeof purchaseSummary>;

/** In-store purchase summary the hub maintains from orders. */
export const storeSummary = z.object({
  storeOrders: aggregateCount,
  storeSpend: spendFen,
  lastPurchases: z.array(purchaseSummary),
});
export type StoreSummary = z.infer<typeof storeSummary>;

/** The summaries of a customer with no online trail and no in-store purchases yet. */
export const EMPTY_ONLINE: OnlineSummary = {
  viewed: [],
  carted: [],
  wishlisted: [],
  onlineOrders: 0,
  onlineSpend: 0,
  lastOnlineAt: null,
  channel: null,
};
export const EMPTY_IN_STORE: StoreSummary = { storeOrders: 0, storeSpend: 0, lastPurchases: [] };

/** An item of the online trail as terminals get it: the channel it came through is not shown. */
export const trailItem = behaviourItem.omit({ channel: true });
export type TrailItem = z.infer<typeof trailItem>;

/**
 * The online summary as terminals get it: the trail and the totals the 360 shows; not when or
 * through which channel the member was last online (nothing at the counter reads them).
 */
export const terminalOnline = z.object({
  viewed: z.array(trailItem),
  carted: z.array(trailItem),
  wishlisted: z.array(trailItem),
  onlineOrders: aggregateCount,
  onlineSpend: spendFen,
});
export type TerminalOnline = z.infer<typeof terminalOnline>;
export const EMPTY_TERMINAL_ONLINE: TerminalOnline = {
  viewed: [],
  carted: [],
  wishlisted: [],
  onlineOrders: 0,
  onlineSpend: 0,
};

/** Days in each month of a leap year: a month-day (birthday) may be 02-29. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A month and day without the year, "MM-DD" (a birthday as terminals get it). */
export const monthDay = z
  .string()
  .regex(/^\d{2}-\d{2}$/, 'must be MM-DD')
  .refine((v) => {
    const month = Number(v.slice(0, 2));
    const day = Number(v.slice(3));
    return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1]!;
  }, 'must be a real month and day');

/** Largest phone tag (11 bits; shared/domain/phone-tag.ts). */
const MAX_TAG = 2047;

/**
 * A customer as terminals cache it: only what the counter shows or searches (each field and why:
 * docs/privacy.md, "What the customer feed carries"). Never the phone number, its masked form or
 * its full keyed hash: `phoneLast4` (the 尾号 guides search and show) and `phoneTag`, the first 11
 * bits of HMAC-SHA-256 of the E.164 number under the chain key from `GET /api/v1/terminal`
 * (`phoneTag` in shared/domain/phone-tag.ts), enough to match a typed number and far too little
 * to give the number back. The birthday is month and day only.
 */
export const customerProfile = z.object({
  id: uuid,
  seq: z.string(),
  name: z.string(),
  phoneLast4: z
    .string()
    .regex(/^\d{4}$/)
    .nullable(),
  phoneTag: z.number().int().min(0).max(MAX_TAG).nullable(),
  memberCode: z.string(),
  tier,
  points,
  gender,
  birthday: monthDay.nullable(),
  sizes,
  favouriteCategories: z.array(z.string()),
  homeStoreId: uuid.nullable(),
  tags: z.array(z.string()),
  notes: z.string(),
  online: terminalOnline,
  inStore: storeSummary,
  /** lifetime spend across channels, fen */
  lifetimeSpend: spendFen,
  /**
   * The guide this customer is bound to (专属导购), null in the store pool. Optional: profiles
   * cached before bindings existed, and customers registered here and not yet confirmed, have none.
   */
  binding: customerBinding.nullable().optional(),
  /**
   * Whether the member agreed to marketing (#15 item 4): outreach is offered only when granted.
   * Optional: profiles cached before it existed and unconfirmed registrations have none (no
   * outreach until the feed brings it).
   */
  marketingConsent: marketingConsent.optional(),
});
export type CustomerProfile = z.infer<typeof customerProfile>;

/** Deletion or merge marker in the customer feed. */
export const customerTombstone = z.object({
  id: uuid,
  seq: z.string(),
  deleted: z.literal(true),
  mergedInto: uuid.nullable(),
  /**
   * The member left this store's scope (issue #17; docs/scaling.md): the terminal drops the
   * cached profile and keeps what it showed (alerts, orders, the trail). Absent: erased or merged.
   */
  outOfScope: z.literal(true).optional(),
});
export type CustomerTombstone = z.infer<typeof customerTombstone>;

export const customerFeedItem = z.union([customerTombstone, customerProfile]);

const FEED_ID = /^(chain|store:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/**
 * Which customer feed a page belongs to (issue #17; docs/scaling.md, "Store-scoped caches"):
 * `chain` (every member of the chain) or `store:<store id>` (the members in that store's scope).
 * A cursor only means something in its own feed: a terminal that gets a page of another feed than
 * the one it cached (the hub switched `HUB_CUSTOMER_FEED_SCOPE`, or an upgrade moved it from the
 * chain feed to its store's) drops its cached profiles and starts the new feed from cursor 0.
 */
export const customerFeedId = z.string().regex(FEED_ID, 'must be `chain` or `store:<store id>`');
export type CustomerFeedId = z.infer<typeof customerFeedId>;
/** The feed a terminal of `storeId` reads: its store's scope, or the chain when `storeId` is null. */
export const customerFeedIdOf = (storeId: string | null): CustomerFeedId =>
  storeId === null ? 'chain' : `store:${storeId.toLowerCase()}`;
export type CustomerFeedItem = z.infer<typeof customerFeedItem>;
export const isTombstone = (item: CustomerFeedItem): item is CustomerTombstone => 'deleted' in item;

/** In-store registration from a terminal: the id is generated on the terminal. */
export const customerRegistration = z.object({
  id: uuid,
  name: nonEmpty(64),
  phone: text.trim().min(3).max(32),
  gender: gender.default('unknown'),
  birthday: birthday.optional(),
  sizes: sizes.default({}),
  consentMarketing: z.boolean().default(false),
  guideId: uuid.optional(),
  notes: text.max(2000).optional(),
  createdAt: isoInstant.optional(),
});
export type CustomerRegistration = z.infer<typeof customerRegistration>;

export const registrationResponse = z.object({
  status: z.enum(['created', 'existing']),
  customer: customerProfile,
});
export type RegistrationResponse = z.infer<typeof registrationResponse>;

/** A place on Earth, as head office geocodes it (WGS-84 degrees). */
export const geoPoint = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});
export type GeoPoint = z.infer<typeof geoPoint>;

/** A CRM customer pushed by head office (idempotent by `crmId`). */
export const crmCustomer = z.object({
  crmId: nonEmpty(64),
  name: nonEmpty(64),
  phone: text.trim().min(3).max(32).optional(),
  memberCode: text.trim().min(4).max(64).optional(),
  tier: tier.default('regular'),
  /** stored as a 32-bit integer */
  points: points.default(0),
  gender: gender.default('unknown'),
  birthday: birthday.optional(),
  sizes: sizes.default({}),
  favouriteCategories: z.array(text.max(32)).max(20).default([]),
  homeStoreId: uuid.optional(),
  /**
   * Where the member lives or shops (head office's geocode, issue #17): never sent to terminals;
   * the member enters the scope of the nearest store (its catchment, docs/scaling.md).
   */
  location: geoPoint.optional(),
  tags: z.array(text.max(32)).max(50).default([]),
  notes: text.max(2000).default(''),
  consentMarketing: z.boolean().default(false),
});
export type CrmCustomer = z.infer<typeof crmCustomer>;
export const crmCustomersRequest = z.object({ customers: z.array(crmCustomer).min(1).max(1000) });

/** An online behaviour event (viewed, carted, wish-listed, ordered online). */
export const onlineEvent = z.object({
  id: nonEmpty(64),
  customer: z.union([
    z.object({ customerId: uuid }),
    z.object({ crmId: nonEmpty(64) }),
    z.object({ memberCode: nonEmpty(64) }),
    z.object({ phone: text.min(3).max(32) }),
  ]),
  type: z.enum(['viewed', 'carted', 'wishlisted', 'ordered']),
  sku: sku.optional(),
  channel,
  at: isoInstant,
  dwellSeconds: dwellSeconds.optional(),
  /** for `ordered`: the online order's total in fen */
  amount: orderTotalFen.optional(),
  /**
   * Where the member was (head office's app: the phone's position, or the delivery address's
   * geocode; issue #17). Never stored: the member enters the nearest store's scope for a while
   * ("online nearby", `HUB_ONLINE_NEARBY_DAYS`), so that store's terminals cache them.
   */
  location: geoPoint.optional(),
});
export type OnlineEvent = z.infer<typeof onlineEvent>;
export const onlineEventsRequest = z.object({ events: z.array(onlineEvent).min(1).max(5000) });

/** Head office merges a duplicate into the surviving customer. */
export const mergeRequest = z.object({ sourceId: uuid, targetId: uuid });
export type MergeRequest = z.infer<typeof mergeRequest>;
/** The surviving customer and the tombstone the source became (`already_merged` on a resend). */
export const mergeResponse = z.object({
  status: z.enum(['merged', 'already_merged']),
  customer: customerProfile,
  tombstone: customerTombstone,
});
export type MergeResponse = z.infer<typeof mergeResponse>;

/**
 * Head office erases a customer on request (PIPL/GDPR right to erasure): personal data is wiped
 * on the hub and the customer leaves every terminal's cache through a deletion tombstone. Orders,
 * visits and conversions stay, anonymous, so store figures do not change. `reason` is kept.
 */
export const eraseRequest = z.object({ customerId: uuid, reason: nonEmpty(200) });
export type EraseRequest = z.infer<typeof eraseRequest>;
export const eraseResponse = z.object({
  status: z.enum(['erased', 'already_erased']),
  tombstone: customerTombstone,
});
export type EraseResponse = z.infer<typeof eraseResponse>;
