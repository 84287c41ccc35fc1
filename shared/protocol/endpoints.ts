import { z } from 'zod';
import {
  adminGuide,
  adminStore,
  adminTerminal,
  adminGuideState,
  adminStoreQuery,
  newGuideRequest,
  newStore,
  newTerminalRequest,
  newTerminalResponse,
  resetPinRequest,
  rotatedKeyResponse,
} from './admin';
import { auditPage, auditQuery, auditRequest } from './audit';
import { bindingRules, bindingTransferRequest, bindingTransferResponse } from './bindings';
import { otherStoresStock, otherStoresStockRequest, productUpsertRequest } from './catalog';
import {
  creditExplainQuery,
  creditExplanation,
  creditRules,
  creditRulesResponse,
  creditStatement,
  onlineOrdersRequest,
  onlineOrdersResponse,
  statementQuery,
} from './credit';
import { chainStats, chainStatsQuery } from './chain';
import { batchResponse, feedPage, feedQuery, uuid } from './common';
import {
  crmCustomersRequest,
  customerRegistration,
  eraseRequest,
  eraseResponse,
  mergeRequest,
  mergeResponse,
  onlineEventsRequest,
  registrationResponse,
} from './customers';
import { customerSearchRequest, customerSearchResponse } from './customer-search';
import { feedRejectsRequest, feedRejectsResponse } from './feed-rejects';
import { profileEditsRequest } from './profile-edits';
import { followUpOutcomesRequest, visitOutcomesRequest } from './follow-ups';
import { consentChangesRequest, outreachSettings } from './outreach';
import { ordersRequest, storeOrder, storeOrdersPage, storeOrdersQuery } from './orders';
import {
  alertsQuery,
  alertsResponse,
  footfallEvent,
  presenceEvent,
  presenceResponse,
} from './presence';
import { returnSettings, returnsRequest } from './returns';
import { pinChangeRequest, pinChangeResponse, signInRequest, signInResponse } from './staff';
import { dayStats, rangeStats, storeStatsQuery } from './stats';
import { terminalInfo, terminalStatusReport } from './terminal';

/**
 * The hub's REST contract, one entry per route: method, path (`:name` for path parameters), who
 * may call it, and the zod schemas of its path parameters, query, body and answer. The hub
 * registers its routes from this table (`server/http/endpoint.ts`) and every client — the
 * terminal's sync engine, the admin CLI's `--url` mode, the benchmarks and the tests — calls
 * through `shared/api-client.ts`, which builds the URL from it and validates each answer. A
 * route's path is written here and nowhere else.
 */

/** Who may call a route: a terminal (bearer token), head office (integration key), IT (admin key). */
export type EndpointAuth = 'terminal' | 'integration' | 'admin';

export type EndpointDef = {
  method: 'GET' | 'POST';
  path: `/${string}`;
  auth: EndpointAuth;
  /** the path parameters, one per `:name` in `path` */
  params?: z.ZodType<Record<string, string>>;
  query?: z.ZodType;
  body?: z.ZodType;
  /** the answer's schema for 2xx; `z.undefined()` for 204 */
  response: z.ZodType;
  /** batches (orders, audit, imports) may send up to 1 MiB; everything else 64 KiB */
  batch?: true;
  /** the 2xx answer is CSV text (`text/csv`), handed to the caller as a string, not JSON */
  answer?: 'csv';
};

const endpoint = <const E extends EndpointDef>(definition: E): E => definition;

const idParam = z.object({ id: uuid });
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
const okResponse = z.object({ ok: z.literal(true) });

/**
 * Feed answers: the envelope (cursor, hasMore, total) is checked as a whole, the rows one by one
 * by the terminal (`customerFeedItem`, `productItem`, `staffMember`), so a row that fails is set
 * aside and the rest of the page still applies (renderer/sync/feed-items.ts, issue #12).
 */
const feedRows = feedPage(z.unknown());

export const endpoints = {
  // ---- terminals (bearer token, scoped to the terminal's store) ----
  terminalInfo: endpoint({
    method: 'GET',
    path: '/terminal',
    auth: 'terminal',
    response: terminalInfo,
  }),
  terminalStatus: endpoint({
    method: 'POST',
    path: '/terminal/status',
    auth: 'terminal',
    body: terminalStatusReport,
    response: z.undefined(),
  }),
  syncCustomers: endpoint({
    method: 'GET',
    path: '/sync/customers',
    auth: 'terminal',
    query: feedQuery,
    response: feedRows,
  }),
  syncCatalog: endpoint({
    method: 'GET',
    path: '/sync/catalog',
    auth: 'terminal',
    query: feedQuery,
    response: feedRows,
  }),
  syncStaff: endpoint({
    method: 'GET',
    path: '/sync/staff',
    auth: 'terminal',
    response: list(z.unknown()),
  }),
  syncRejects: endpoint({
    method: 'POST',
    path: '/sync/rejects',
    auth: 'terminal',
    body: feedRejectsRequest,
    response: feedRejectsResponse,
  }),
  /** this store's follow-up tasks (跟进) changed after the cursor, done ones included (#15) */
  syncFollowUps: endpoint({
    method: 'GET',
    path: '/sync/follow-ups',
    auth: 'terminal',
    query: feedQuery,
    response: feedRows,
  }),
  /** why claimed customers left without buying (idempotent by the terminal's id) */
  postVisitOutcomes: endpoint({
    method: 'POST',
    path: '/visits/outcomes',
    auth: 'terminal',
    body: visitOutcomesRequest,
    response: batchResponse,
    batch: true,
  }),
  /** how follow-up tasks ended (idempotent by the terminal's id) */
  postFollowUpOutcomes: endpoint({
    method: 'POST',
    path: '/follow-ups/outcomes',
    auth: 'terminal',
    body: followUpOutcomesRequest,
    response: batchResponse,
    batch: true,
  }),
  registerCustomer: endpoint({
    method: 'POST',
    path: '/customers',
    auth: 'terminal',
    body: customerRegistration,
    response: registrationResponse,
  }),
  /**
   * A member outside this store's cache, found online (exact phone, member code, 尾号 + name);
   * rate-limited per terminal, audited, and the member enters the store's scope (issue #17).
   */
  searchCustomers: endpoint({
    method: 'POST',
    path: '/customers/search',
    auth: 'terminal',
    body: customerSearchRequest,
    response: customerSearchResponse,
  }),
  postOrders: endpoint({
    method: 'POST',
    path: '/orders',
    auth: 'terminal',
    body: ordersRequest,
    response: batchResponse,
    batch: true,
  }),
  storeOrders: endpoint({
    method: 'GET',
    path: '/orders',
    auth: 'terminal',
    query: storeOrdersQuery,
    response: storeOrdersPage,
  }),
  /** after-sale: voids, returns and exchanges of this store's orders (issue #16; server/returns) */
  postReturns: endpoint({
    method: 'POST',
    path: '/returns',
    auth: 'terminal',
    body: returnsRequest,
    response: batchResponse,
    batch: true,
  }),
  storeOrder: endpoint({
    method: 'GET',
    path: '/orders/:orderId',
    auth: 'terminal',
    params: z.object({ orderId: uuid }),
    response: storeOrder,
  }),
  postAudit: endpoint({
    method: 'POST',
    path: '/audit',
    auth: 'terminal',
    body: auditRequest,
    response: batchResponse,
    batch: true,
  }),
  signIn: endpoint({
    method: 'POST',
    path: '/staff/sign-in',
    auth: 'terminal',
    body: signInRequest,
    response: signInResponse,
  }),
  changePin: endpoint({
    method: 'POST',
    path: '/staff/pin',
    auth: 'terminal',
    body: pinChangeRequest,
    response: pinChangeResponse,
  }),
  alerts: endpoint({
    method: 'GET',
    path: '/alerts',
    auth: 'terminal',
    query: alertsQuery,
    response: alertsResponse,
  }),
  otherStoresStock: endpoint({
    method: 'POST',
    path: '/stock/other-stores',
    auth: 'terminal',
    body: otherStoresStockRequest,
    response: otherStoresStock,
  }),
  storeStats: endpoint({
    method: 'GET',
    path: '/stores/:storeId/stats',
    auth: 'terminal',
    params: z.object({ storeId: uuid }),
    query: storeStatsQuery,
    response: z.union([dayStats, rangeStats]),
  }),

  // ---- head office (X-Integration-Key) ----
  presence: endpoint({
    method: 'POST',
    path: '/presence',
    auth: 'integration',
    body: presenceEvent,
    response: presenceResponse,
  }),
  footfall: endpoint({
    method: 'POST',
    path: '/footfall',
    auth: 'integration',
    body: footfallEvent,
    response: okResponse,
  }),
  importCustomers: endpoint({
    method: 'POST',
    path: '/integration/customers',
    auth: 'integration',
    body: crmCustomersRequest,
    response: batchResponse,
    batch: true,
  }),
  onlineEvents: endpoint({
    method: 'POST',
    path: '/integration/events',
    auth: 'integration',
    body: onlineEventsRequest,
    response: batchResponse,
    batch: true,
  }),
  mergeCustomers: endpoint({
    method: 'POST',
    path: '/integration/customers/merge',
    auth: 'integration',
    body: mergeRequest,
    response: mergeResponse,
  }),
  eraseCustomer: endpoint({
    method: 'POST',
    path: '/integration/customers/erase',
    auth: 'integration',
    body: eraseRequest,
    response: eraseResponse,
  }),
  importProducts: endpoint({
    method: 'POST',
    path: '/integration/products',
    auth: 'integration',
    body: productUpsertRequest,
    response: batchResponse,
    batch: true,
  }),
  /** online orders and refunds, credited to a store and guide (issue #15; server/credit) */
  postOnlineOrders: endpoint({
    method: 'POST',
    path: '/integration/online-orders',
    auth: 'integration',
    body: onlineOrdersRequest,
    response: onlineOrdersResponse,
    batch: true,
  }),

  // ---- IT (X-Admin-Key) ----
  adminListStores: endpoint({
    method: 'GET',
    path: '/admin/stores',
    auth: 'admin',
    response: list(adminStore),
  }),
  adminCreateStore: endpoint({
    method: 'POST',
    path: '/admin/stores',
    auth: 'admin',
    body: newStore,
    response: z.object({ id: uuid }),
  }),
  adminListGuides: endpoint({
    method: 'GET',
    path: '/admin/guides',
    auth: 'admin',
    query: adminStoreQuery,
    response: list(adminGuide),
  }),
  adminCreateGuide: endpoint({
    method: 'POST',
    path: '/admin/guides',
    auth: 'admin',
    body: newGuideRequest,
    response: z.object({ id: uuid }),
  }),
  adminDeactivateGuide: endpoint({
    method: 'POST',
    path: '/admin/guides/:id/deactivate',
    auth: 'admin',
    params: idParam,
    response: adminGuideState,
  }),
  adminReactivateGuide: endpoint({
    method: 'POST',
    path: '/admin/guides/:id/reactivate',
    auth: 'admin',
    params: idParam,
    response: adminGuideState,
  }),
  adminResetPin: endpoint({
    method: 'POST',
    path: '/admin/guides/:id/reset-pin',
    auth: 'admin',
    params: idParam,
    body: resetPinRequest,
    response: z.object({ id: uuid, storeId: uuid, ok: z.literal(true) }),
  }),
  adminListTerminals: endpoint({
    method: 'GET',
    path: '/admin/terminals',
    auth: 'admin',
    query: adminStoreQuery,
    response: list(adminTerminal),
  }),
  adminCreateTerminal: endpoint({
    method: 'POST',
    path: '/admin/terminals',
    auth: 'admin',
    body: newTerminalRequest,
    response: newTerminalResponse,
  }),
  adminRevokeTerminal: endpoint({
    method: 'POST',
    path: '/admin/terminals/:id/revoke',
    auth: 'admin',
    params: idParam,
    response: okResponse,
  }),
  adminEraseCustomer: endpoint({
    method: 'POST',
    path: '/admin/customers/:id/erase',
    auth: 'admin',
    params: idParam,
    body: eraseRequest.pick({ reason: true }),
    response: eraseResponse,
  }),
  adminAudit: endpoint({
    method: 'GET',
    path: '/admin/audit',
    auth: 'admin',
    query: auditQuery,
    response: auditPage,
  }),
  adminCreditRules: endpoint({
    method: 'GET',
    path: '/admin/credit/rules',
    auth: 'admin',
    response: creditRulesResponse,
  }),
  adminSetCreditRules: endpoint({
    method: 'POST',
    path: '/admin/credit/rules',
    auth: 'admin',
    body: creditRules,
    response: creditRulesResponse,
  }),
  adminCreditExplain: endpoint({
    method: 'GET',
    path: '/admin/credit/orders',
    auth: 'admin',
    query: creditExplainQuery,
    response: creditExplanation,
  }),
  adminCreditStatement: endpoint({
    method: 'GET',
    path: '/admin/credit/statement',
    auth: 'admin',
    query: statementQuery,
    response: creditStatement,
  }),
  /** the same statement as Excel-safe CSV (UTF-8 with BOM, every cell quoted, formulas defused) */
  adminCreditStatementCsv: endpoint({
    method: 'GET',
    path: '/admin/credit/statement/csv',
    auth: 'admin',
    query: statementQuery,
    response: z.string(),
    answer: 'csv',
  }),
  /** the chain's KPIs per store and region over store-local days (head office's console) */
  adminChainStats: endpoint({
    method: 'GET',
    path: '/admin/chain/stats',
    auth: 'admin',
    query: chainStatsQuery,
    response: chainStats,
  }),
  adminRotateIntegrationKey: endpoint({
    method: 'POST',
    path: '/admin/integration-key/rotate',
    auth: 'admin',
    response: rotatedKeyResponse,
  }),
  // The guide's own customers (issue #15 item 1; server/bindings/, docs/bindings.md).
  transferBinding: endpoint({
    method: 'POST',
    path: '/customers/:id/binding/transfer',
    auth: 'terminal',
    params: idParam,
    body: bindingTransferRequest,
    response: bindingTransferResponse,
  }),
  adminGetBindingRules: endpoint({
    method: 'GET',
    path: '/admin/binding-rules',
    auth: 'admin',
    response: bindingRules,
  }),
  adminSetBindingRules: endpoint({
    method: 'POST',
    path: '/admin/binding-rules',
    auth: 'admin',
    body: bindingRules,
    response: bindingRules,
  }),
  adminGetReturnSettings: endpoint({
    method: 'GET',
    path: '/admin/return-settings',
    auth: 'admin',
    response: returnSettings,
  }),
  adminSetReturnSettings: endpoint({
    method: 'POST',
    path: '/admin/return-settings',
    auth: 'admin',
    body: returnSettings,
    response: returnSettings,
  }),
  // Outreach (issue #15 item 4; server/outreach/, docs/outreach.md).
  /** marketing consents given or withdrawn at the counter (idempotent by the terminal's id) */
  postConsents: endpoint({
    method: 'POST',
    path: '/customers/consents',
    auth: 'terminal',
    body: consentChangesRequest,
    response: batchResponse,
    batch: true,
  }),
  // Profile upkeep (issue #16 item 7; server/profile-edits/, docs/profile-edits.md).
  /** sizes, favourite categories, tags and notes edited at the counter (idempotent by edit id) */
  postProfileEdits: endpoint({
    method: 'POST',
    path: '/customers/profile-edits',
    auth: 'terminal',
    body: profileEditsRequest,
    response: batchResponse,
    batch: true,
  }),
  adminGetOutreachSettings: endpoint({
    method: 'GET',
    path: '/admin/outreach-settings',
    auth: 'admin',
    response: outreachSettings,
  }),
  adminSetOutreachSettings: endpoint({
    method: 'POST',
    path: '/admin/outreach-settings',
    auth: 'admin',
    body: outreachSettings,
    response: outreachSettings,
  }),
} as const satisfies Record<string, EndpointDef>;

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;

type Input<S> = S extends z.ZodType ? z.input<S> : undefined;
/** What a caller passes: path parameters, query and body, each only when the route has one. */
export type EndpointInput<E extends EndpointDef> = (E['params'] extends z.ZodType
  ? { params: Input<E['params']> }
  : { params?: undefined }) &
  // A query travels as strings: the caller gives the values the route reads, each sent as
  // `String(value)`, which the route's schema reads back (`withTotal=false` → false).
  (E['query'] extends z.ZodType ? { query: z.output<E['query']> } : { query?: undefined }) &
  (E['body'] extends z.ZodType ? { body: Input<E['body']> } : { body?: undefined });
/** What a route answers (after validation). */
export type EndpointResponse<E extends EndpointDef> = z.infer<E['response']>;

/** The path with its parameters filled in (each URI-encoded). */
export function endpointPath(definition: EndpointDef, params?: Record<string, string>): string {
  return definition.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`${definition.path}: missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** `?a=1&b=2` for a query object (undefined values left out), or ''. */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
