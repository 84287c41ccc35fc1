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
import { auditPage, auditQuery } from './audit';
import { bindingRules } from './bindings';
import {
  creditExplainQuery,
  creditExplanation,
  creditRules,
  creditRulesResponse,
  creditStatement,
  statementQuery,
} from './credit';
import { chainStats, chainStatsQuery } from './chain';
import { uuid } from './common';
import { eraseRequest, eraseResponse } from './customers';
import { outreachSettings } from './outreach';
import { returnSettings } from './returns';
import { endpoint, idParam, list, okResponse, type EndpointDef } from './endpoint-def';

/** IT's routes (X-Admin-Key). */
export const adminEndpoints = {
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
