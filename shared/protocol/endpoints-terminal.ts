import { z } from 'zod';
import { auditRequest } from './audit';
import { bindingTransferRequest, bindingTransferResponse } from './bindings';
import { otherStoresStock, otherStoresStockRequest } from './catalog';
import { batchResponse, feedQuery, uuid } from './common';
import { customerRegistration, registrationResponse } from './customers';
import { customerSearchRequest, customerSearchResponse } from './customer-search';
import { feedRejectsRequest, feedRejectsResponse } from './feed-rejects';
import { profileEditsRequest } from './profile-edits';
import { followUpOutcomesRequest, visitOutcomesRequest } from './follow-ups';
import { consentChangesRequest } from './outreach';
import { ordersRequest, storeOrder, storeOrdersPage, storeOrdersQuery } from './orders';
import { alertsQuery, alertsResponse } from './presence';
import { returnsRequest } from './returns';
import { pinChangeRequest, pinChangeResponse, signInRequest, signInResponse } from './staff';
import { dayStats, rangeStats, storeStatsQuery } from './stats';
import { terminalInfo, terminalStatusReport } from './terminal';
import {
  customerFeedRows,
  endpoint,
  idParam,
  list,
  feedRows,
  type EndpointDef,
} from './endpoint-def';

/** Routes a terminal calls (bearer token, scoped to the terminal's store). */
export const terminalEndpoints = {
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
    response: customerFeedRows,
    packed: true,
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
  // The guide's own customers (issue #15 item 1; server/bindings/, docs/bindings.md).
  transferBinding: endpoint({
    method: 'POST',
    path: '/customers/:id/binding/transfer',
    auth: 'terminal',
    params: idParam,
    body: bindingTransferRequest,
    response: bindingTransferResponse,
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
} as const satisfies Record<string, EndpointDef>;
