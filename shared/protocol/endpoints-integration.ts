import { productUpsertRequest } from './catalog';
import { onlineOrdersRequest, onlineOrdersResponse } from './credit';
import { batchResponse } from './common';
import {
  crmCustomersRequest,
  eraseRequest,
  eraseResponse,
  mergeRequest,
  mergeResponse,
  onlineEventsRequest,
} from './customers';
import {
  footfallEvent,
  presenceBatchRequest,
  presenceBatchResponse,
  presenceEvent,
  presenceResponse,
} from './presence';
import { endpoint, okResponse, type EndpointDef } from './endpoint-def';

/** Routes head office's systems call (X-Integration-Key). */
export const integrationEndpoints = {
  presence: endpoint({
    method: 'POST',
    path: '/presence',
    auth: 'integration',
    body: presenceEvent,
    response: presenceResponse,
  }),
  /** up to PRESENCE_BATCH_MAX sightings a call, each answered as `presence` would (in order) */
  presenceBatch: endpoint({
    method: 'POST',
    path: '/presence/batch',
    auth: 'integration',
    body: presenceBatchRequest,
    response: presenceBatchResponse,
    batch: true,
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
} as const satisfies Record<string, EndpointDef>;
