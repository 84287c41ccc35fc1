import type { z } from 'zod';
import { createApiClient, type ApiResult } from '../../shared/api-client';
import {
  endpoints,
  type AdminGuide,
  type AdminStore,
  type AuditPage,
  type AuditQuery,
  type CreditExplanation,
  type CreditRules,
  type CreditRulesResponse,
  type CreditStatement,
  type StatementQuery,
  type BindingRules,
  type ReturnSettings,
  type OutreachSettings,
  type EraseRequest,
  type EraseResponse,
  type newGuideRequest,
  type newStore,
  type newTerminalRequest,
} from '../../shared/protocol';
import { queryAudit } from '../audit/service';
import { loadConfig } from '../config';
import { statementCsv } from '../credit/csv';
import { explainCredit } from '../credit/explain';
import { loadCreditRules, saveCreditRules } from '../credit/rules';
import { creditStatement } from '../credit/statement';
import { eraseCustomer } from '../customers/erase';
import { ensurePhoneHashKey } from '../customers/phone-key';
import { openDatabase, type Db } from '../db/database';
import { migrate } from '../db/migrate';
import { HubError } from '../http/errors';
import { DataDirLockedError, dataDirHolder } from './data-dir-lock';
import {
  createGuide,
  createStore,
  createTerminal,
  listGuides,
  listStores,
  listTerminals,
  resetGuidePin,
  revokeTerminal,
  rotateAdminKey,
  rotateIntegrationKey,
  setGuideActive,
  type TerminalRow,
} from './service';
import { loadBindingRules, saveBindingRules } from '../bindings/rules';
import { loadReturnSettings, saveReturnSettings } from '../returns/settings';
import { loadOutreachSettings, saveOutreachSettings } from '../outreach/settings';

/** The admin CLI's operations, implemented once over REST (`--url`) and once over the database. */
/** A usage problem (exit 2) as opposed to an operation that failed (exit 1). */
export class UsageError extends Error {}

type GuideState = { id: string; storeId: string; active: boolean };
type CreatedTerminal = { id: string; storeId: string; name: string; token: string };

/** The operations, implemented once over REST and once over the database. */
export type AdminOps = {
  listStores(): Promise<AdminStore[]>;
  addStore(input: z.infer<typeof newStore>): Promise<{ id: string }>;
  addGuide(input: z.infer<typeof newGuideRequest>): Promise<{ id: string }>;
  listGuides(storeId?: string): Promise<AdminGuide[]>;
  setGuideActive(id: string, active: boolean): Promise<GuideState>;
  resetPin(id: string, pin: string): Promise<{ id: string; storeId: string }>;
  listTerminals(storeId?: string): Promise<TerminalRow[]>;
  addTerminal(input: z.infer<typeof newTerminalRequest>): Promise<CreatedTerminal>;
  revokeTerminal(id: string): Promise<void>;
  eraseCustomer(input: EraseRequest): Promise<EraseResponse>;
  audit(query: AuditQuery): Promise<AuditPage>;
  rotateIntegrationKey(): Promise<string>;
  rotateAdminKey(): Promise<string>;
  creditRules(): Promise<CreditRulesResponse>;
  setCreditRules(rules: CreditRules): Promise<CreditRulesResponse>;
  explainCredit(orderId: string): Promise<CreditExplanation>;
  creditStatement(query: StatementQuery): Promise<CreditStatement>;
  creditStatementCsv(query: StatementQuery): Promise<string>;
  bindingRules(): Promise<BindingRules>;
  setBindingRules(rules: BindingRules): Promise<BindingRules>;
  returnSettings(): Promise<ReturnSettings>;
  setReturnSettings(settings: ReturnSettings): Promise<ReturnSettings>;
  outreachSettings(): Promise<OutreachSettings>;
  setOutreachSettings(settings: OutreachSettings): Promise<OutreachSettings>;
  close(): Promise<void>;
};

/** The REST answer's value, or its failure as the hub's own error (the CLI prints it). */
async function valueOf<T>(baseUrl: string, result: Promise<ApiResult<T>>): Promise<T> {
  const settled = await result;
  if (settled.ok) return settled.value;
  const { error } = settled;
  if (error.status === undefined || error.code === 'network')
    throw new Error(`cannot reach the hub at ${baseUrl}: ${error.message}`);
  throw new HubError(
    error.status,
    error.reason ?? (error.status === 401 ? 'unauthorized' : 'internal'),
    error.message,
    error.details,
  );
}

/** `--url`: the same operations through the hub's admin API, every answer validated. */
export function restOps(baseUrl: string, adminKey: string): AdminOps {
  const api = createApiClient({ baseUrl, credentials: { admin: () => adminKey } });
  const value = <T>(result: Promise<ApiResult<T>>) => valueOf(baseUrl, result);
  return {
    listStores: async () => (await value(api.call(endpoints.adminListStores))).items,
    addStore: (input) => value(api.call(endpoints.adminCreateStore, { body: input })),
    addGuide: (input) => value(api.call(endpoints.adminCreateGuide, { body: input })),
    listGuides: async (store) =>
      (await value(api.call(endpoints.adminListGuides, { query: { store } }))).items,
    setGuideActive: (id, active) =>
      value(
        api.call(active ? endpoints.adminReactivateGuide : endpoints.adminDeactivateGuide, {
          params: { id },
        }),
      ),
    resetPin: (id, pin) =>
      value(api.call(endpoints.adminResetPin, { params: { id }, body: { pin } })),
    listTerminals: async (store) =>
      (await value(api.call(endpoints.adminListTerminals, { query: { store } }))).items,
    addTerminal: (input) => value(api.call(endpoints.adminCreateTerminal, { body: input })),
    revokeTerminal: async (id) => {
      await value(api.call(endpoints.adminRevokeTerminal, { params: { id } }));
    },
    eraseCustomer: (input) =>
      value(
        api.call(endpoints.adminEraseCustomer, {
          params: { id: input.customerId },
          body: { reason: input.reason },
        }),
      ),
    audit: (query) => value(api.call(endpoints.adminAudit, { query })),
    rotateIntegrationKey: async () =>
      (await value(api.call(endpoints.adminRotateIntegrationKey))).integrationKey,
    rotateAdminKey: () => {
      // Rotating the key you authenticate with over the wire would lock you out mid-call.
      throw new UsageError('rotate-admin-key works in direct mode only (without --url)');
    },
    creditRules: () => value(api.call(endpoints.adminCreditRules)),
    setCreditRules: (rules) => value(api.call(endpoints.adminSetCreditRules, { body: rules })),
    explainCredit: (orderId) =>
      value(api.call(endpoints.adminCreditExplain, { query: { orderId } })),
    creditStatement: (query) => value(api.call(endpoints.adminCreditStatement, { query })),
    creditStatementCsv: (query) => value(api.call(endpoints.adminCreditStatementCsv, { query })),
    bindingRules: () => value(api.call(endpoints.adminGetBindingRules)),
    setBindingRules: (rules) => value(api.call(endpoints.adminSetBindingRules, { body: rules })),
    returnSettings: () => value(api.call(endpoints.adminGetReturnSettings)),
    setReturnSettings: (settings) =>
      value(api.call(endpoints.adminSetReturnSettings, { body: settings })),
    outreachSettings: () => value(api.call(endpoints.adminGetOutreachSettings)),
    setOutreachSettings: (settings) =>
      value(api.call(endpoints.adminSetOutreachSettings, { body: settings })),
    close: async () => undefined,
  };
}

export function directOps(db: Db): AdminOps {
  return {
    listStores: () => listStores(db),
    addStore: (input) => createStore(db, input, 'admin_cli'),
    addGuide: (input) => createGuide(db, input, 'admin_cli'),
    listGuides: (storeId) => listGuides(db, storeId),
    // Without a running hub nobody pushes staff:changed; terminals see the change at their next
    // staff pull (every reconnect and every sync run does one).
    setGuideActive: (id, active) => setGuideActive(db, id, active, 'admin_cli'),
    resetPin: (id, pin) => resetGuidePin(db, id, pin, 'admin_cli'),
    listTerminals: (storeId) => listTerminals(db, storeId),
    addTerminal: (input) => createTerminal(db, input, 'admin_cli'),
    revokeTerminal: async (id) => {
      await revokeTerminal(db, id, 'admin_cli');
    },
    // Without a running hub nobody tells the terminals now; they see the tombstone on their next
    // pull (every reconnect and every customers:changed runs one).
    eraseCustomer: async (input) => {
      const {
        cursor: _cursor,
        followUpStores: _stores,
        ...response
      } = await eraseCustomer(db, input, 'admin_cli');
      return response;
    },
    audit: (query) => queryAudit(db, query),
    rotateIntegrationKey: () => rotateIntegrationKey(db, 'admin_cli'),
    rotateAdminKey: () => rotateAdminKey(db, 'admin_cli'),
    creditRules: () => loadCreditRules(db),
    setCreditRules: (rules) => saveCreditRules(db, rules, 'admin_cli'),
    explainCredit: (orderId) => explainCredit(db, orderId),
    creditStatement: (query) => creditStatement(db, query),
    creditStatementCsv: async (query) => statementCsv(await creditStatement(db, query)),
    bindingRules: () => loadBindingRules(db),
    setBindingRules: (rules) => saveBindingRules(db, rules, 'admin_cli'),
    returnSettings: () => loadReturnSettings(db),
    setReturnSettings: (settings) => saveReturnSettings(db, settings, 'admin_cli'),
    outreachSettings: () => loadOutreachSettings(db),
    setOutreachSettings: (settings) => saveOutreachSettings(db, settings, 'admin_cli'),
    close: () => db.close(),
  };
}

/** Opens the hub's database the way the hub does, refusing a PGlite dir a running hub holds. */
export async function openHubDatabaseDirectly(env: NodeJS.ProcessEnv): Promise<Db> {
  const config = loadConfig(env);
  if (!config.databaseUrl) {
    const holder = dataDirHolder(config.dataDir);
    if (holder) throw new DataDirLockedError(config.dataDir, holder);
  }
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgliteThread: config.pgliteThread,
  });
  await migrate(db);
  await ensurePhoneHashKey(db);
  return db;
}
