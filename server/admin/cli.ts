import { parseArgs } from 'node:util';
import { createApiClient, type ApiResult } from '../../shared/api-client';
import { ensurePhoneHashKey } from '../customers/phone-key';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  auditQuery,
  endpoints,
  eraseRequest,
  newGuideRequest,
  newStore,
  newTerminalRequest,
  newPin as pinSchema,
  uuid,
  type AuditPage,
  type AuditQuery,
  type AuditSource,
  type AdminGuide,
  type EraseRequest,
  type EraseResponse,
} from '../../shared/protocol';
import { queryAudit } from '../audit/service';
import { loadConfig } from '../config';
import { eraseCustomer } from '../customers/erase';
import { openDatabase, type Db } from '../db/database';
import { migrate } from '../db/migrate';
import { HubError } from '../http/errors';
import { safeErrorMessage } from '../http/log-safety';
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

/**
 * `npm run hub:admin -- <command>`: IT administration. With `--url` it calls a running hub's
 * admin REST API (`X-Admin-Key`); without it, it opens the hub's database directly (same
 * DATABASE_URL / HUB_DATA_DIR configuration as the hub), which PGlite allows only while no hub
 * runs on that data dir.
 */
export const USAGE = `Usage: npm run hub:admin -- <command> [options]

Commands:
  list-stores
  add-store       --name <name> --timezone <IANA zone> --lat <deg> --lng <deg> [--radius <m>] [--id <uuid>]
  add-guide       --store <store id> --name <name> --pin <6-8 digits> [--role guide|manager] [--id <uuid>]
  list-guides     [--store <store id>]                              (with active / deactivated)
  deactivate-guide --guide <guide id>                               (a leaver: refused at sign-in and
                                                                    signed out on every terminal of the
                                                                    store once it has synced staff)
  reactivate-guide --guide <guide id>
  reset-pin       --guide <guide id> --pin <6-8 digits>             (the old PIN stops working once the
                                                                    terminal has synced staff; the guide
                                                                    must choose a new PIN at their next
                                                                    online sign-in)
  list-terminals  [--store <store id>]                              (last seen, app version, outbox, revoked)
  add-terminal    --store <store id> --name <name> [--id <uuid>]   (prints the new token once)
  revoke-terminal --terminal <terminal id>
  erase-customer  --customer <customer id> --reason <text>          (right to erasure; terminals drop
                                                                    the customer at their next sync)
  audit           --customer <customer id> | --guide <guide id> | --terminal <terminal id>
                  [--from <day|instant>] [--to <day|instant>] [--limit <1-1000, default 200>]
                                                                    (who looked at this member, what this
                                                                    guide did or what happened at this
                                                                    terminal: when, where, and by which
                                                                    door — terminal, hub, hub:admin direct,
                                                                    admin API; admin actions included;
                                                                    newest first; a day is the store's
                                                                    local day)
  rotate-integration-key                                            (prints the new key once)
  rotate-admin-key                                                  (direct mode only)

Modes:
  --url http://127.0.0.1:4600   call a running hub's admin API; needs --admin-key or HUB_ADMIN_KEY
  (no --url)                    open the database directly (DATABASE_URL, or HUB_DATA_DIR for the
                                embedded database); refused while a hub runs on that data dir

Options:
  --json      print machine-readable JSON
  --help      show this help

Exit codes: 0 done, 1 the operation failed, 2 bad command or arguments.`;

/** "app 0.1.0  outbox 3 pending, 1 rejected (at …)", or that the terminal never reported. */
function terminalStatusText(t: TerminalRow): string {
  if (t.status_at === null) return 'no status reported';
  const rejected = t.rejected_outbox ? `, ${t.rejected_outbox} rejected` : '';
  return `app ${t.app_version ?? '?'}  outbox ${t.pending_outbox ?? 0} pending${rejected} (at ${t.status_at})`;
}

/** A usage problem (exit 2) as opposed to an operation that failed (exit 1). */
class UsageError extends Error {}

type StoreRow = { id: string; name: string; timezone: string; lat: number; lng: number };
type GuideState = { id: string; storeId: string; active: boolean };
type CreatedTerminal = { id: string; storeId: string; name: string; token: string };

/** The operations, implemented once over REST and once over the database. */
type AdminOps = {
  listStores(): Promise<StoreRow[]>;
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
function restOps(baseUrl: string, adminKey: string): AdminOps {
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
    close: async () => undefined,
  };
}

function directOps(db: Db): AdminOps {
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
    revokeTerminal: (id) => revokeTerminal(db, id, 'admin_cli'),
    // Without a running hub nobody tells the terminals now; they see the tombstone on their next
    // pull (every reconnect and every customers:changed runs one).
    eraseCustomer: async (input) => {
      const { cursor: _cursor, ...response } = await eraseCustomer(db, input, 'admin_cli');
      return response;
    },
    audit: (query) => queryAudit(db, query),
    rotateIntegrationKey: () => rotateIntegrationKey(db, 'admin_cli'),
    rotateAdminKey: () => rotateAdminKey(db, 'admin_cli'),
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
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(db);
  await ensurePhoneHashKey(db);
  return db;
}

function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues
      .map((i) => `  --${String(i.path[0] ?? '?')}: ${i.message}`)
      .join('\n');
    throw new UsageError(`invalid arguments:\n${issues}`);
  }
  return result.data;
}

const flagName: Record<string, string> = {
  storeId: 'store',
  customerId: 'customer',
  guideId: 'guide',
  terminalId: 'terminal',
  geofenceRadiusM: 'radius',
};

/** Maps option names back to the flags the user typed, for error messages. */
function renameIssuePaths<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    return `  --${flagName[key] ?? key}: ${(input as Record<string, unknown>)[key] === undefined && i.code !== 'custom' ? 'is required' : i.message}`;
  });
  throw new UsageError(`invalid arguments:\n${issues.join('\n')}`);
}

const toNumber = (value: string | undefined): number | undefined =>
  value === undefined || value.trim() === '' ? undefined : Number(value);

type Io = { out(line: string): void; err(line: string): void };

/** Runs one admin command; returns the process exit code. */
export async function runAdminCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: Io = { out: (l) => console.log(l), err: (l) => console.error(l) },
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        'admin-key': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        name: { type: 'string' },
        timezone: { type: 'string' },
        lat: { type: 'string' },
        lng: { type: 'string' },
        radius: { type: 'string' },
        id: { type: 'string' },
        store: { type: 'string' },
        pin: { type: 'string' },
        role: { type: 'string' },
        terminal: { type: 'string' },
        guide: { type: 'string' },
        customer: { type: 'string' },
        reason: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        limit: { type: 'string' },
      },
    });
  } catch (error) {
    io.err(`hub:admin: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (!command) {
    io.err(`hub:admin: missing command\n\n${USAGE}`);
    return 2;
  }

  let ops: AdminOps | null = null;
  try {
    // Validate before connecting, so a typo never opens (or locks) the database.
    const run = prepare(command, rest, values);
    if (values.url) {
      const url = validateUrl(values.url);
      const adminKey = values['admin-key'] ?? env.HUB_ADMIN_KEY;
      if (!adminKey) throw new UsageError('--url needs --admin-key <key> (or HUB_ADMIN_KEY)');
      ops = restOps(url, adminKey);
    } else {
      ops = directOps(await openHubDatabaseDirectly(env));
    }
    await run(ops, io, values.json);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`hub:admin: ${error.message}\n\nRun with --help for usage.`);
      return 2;
    }
    if (error instanceof DataDirLockedError) {
      io.err(
        `hub:admin: ${error.message}.\nUse the running hub instead: npm run hub:admin -- ${command} --url ${
          error.holder.url ?? 'http://127.0.0.1:4600'
        } --admin-key <key> …`,
      );
      return 1;
    }
    if (error instanceof HubError) {
      const details = error.details === undefined ? '' : `\n${JSON.stringify(error.details)}`;
      io.err(`hub:admin: ${error.code}: ${error.message}${details}`);
      return error.code === 'invalid_input' ? 2 : 1;
    }
    // Scrubbed: a database error's message may quote a value (a name, a phone).
    io.err(`hub:admin: ${safeErrorMessage(error)}`);
    return 1;
  } finally {
    await ops?.close();
  }
}

function validateUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url ${value} is not a URL (e.g. http://127.0.0.1:4600)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError('--url must be http:// or https://');
  return url.origin;
}

type Values = Record<string, string | boolean | undefined>;
type Run = (ops: AdminOps, io: Io, json: boolean) => Promise<void>;

function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

/** Validates a command's arguments with the shared schemas and returns what will run. */
function prepare(command: string, rest: string[], values: Values): Run {
  const print = (io: Io, json: boolean, data: unknown, human: string) =>
    io.out(json ? JSON.stringify(data, null, 2) : human);
  switch (command) {
    case 'list-stores':
      return async (ops, io, json) => {
        const stores = await ops.listStores();
        if (json) return print(io, json, stores, '');
        if (stores.length === 0) return io.out('no stores yet');
        for (const s of stores)
          io.out(`${s.id}  ${s.name}  ${s.timezone}  (${Number(s.lat)}, ${Number(s.lng)})`);
      };
    case 'add-store': {
      const input = renameIssuePaths(newStore, {
        id: str(values, 'id'),
        name: str(values, 'name'),
        timezone: str(values, 'timezone'),
        lat: toNumber(str(values, 'lat')),
        lng: toNumber(str(values, 'lng')),
        geofenceRadiusM: toNumber(str(values, 'radius')),
      });
      return async (ops, io, json) => {
        const { id } = await ops.addStore(input);
        print(io, json, { id }, `store ${input.name} saved: ${id}`);
      };
    }
    case 'add-guide': {
      const input = renameIssuePaths(newGuideRequest, {
        id: str(values, 'id'),
        storeId: str(values, 'store'),
        name: str(values, 'name'),
        role: str(values, 'role'),
        pin: str(values, 'pin'),
      });
      return async (ops, io, json) => {
        const { id } = await ops.addGuide(input);
        print(io, json, { id }, `${input.role} ${input.name} saved: ${id}`);
      };
    }
    case 'list-guides': {
      const { store } = validate(z.object({ store: uuid.optional() }), {
        store: str(values, 'store'),
      });
      return async (ops, io, json) => {
        const guides = await ops.listGuides(store);
        if (json) return print(io, json, guides, '');
        if (guides.length === 0) return io.out('no guides');
        for (const g of guides)
          io.out(
            `${g.id}  ${g.store_id}  ${g.name}  ${g.role}  ${g.active ? 'active' : 'deactivated'}`,
          );
      };
    }
    case 'deactivate-guide':
    case 'reactivate-guide': {
      const active = command === 'reactivate-guide';
      const { guide } = validate(z.object({ guide: uuid }), {
        guide: str(values, 'guide') ?? rest[0],
      });
      return async (ops, io, json) => {
        const state = await ops.setGuideActive(guide, active);
        print(
          io,
          json,
          state,
          `guide ${guide} ${active ? 'reactivated' : 'deactivated'}; the store's terminals apply it at their next staff sync`,
        );
      };
    }
    case 'reset-pin': {
      const input = validate(z.object({ guide: uuid, pin: pinSchema }), {
        guide: str(values, 'guide') ?? rest[0],
        pin: str(values, 'pin'),
      });
      return async (ops, io, json) => {
        const reset = await ops.resetPin(input.guide, input.pin);
        print(
          io,
          json,
          { id: reset.id, storeId: reset.storeId, ok: true },
          `PIN of guide ${input.guide} reset; the old PIN stops working at the terminals' next staff sync, and the guide must choose a new PIN at their next online sign-in`,
        );
      };
    }
    case 'list-terminals': {
      const { store } = validate(z.object({ store: uuid.optional() }), {
        store: str(values, 'store'),
      });
      return async (ops, io, json) => {
        const terminals = await ops.listTerminals(store);
        if (json) return print(io, json, terminals, '');
        if (terminals.length === 0) return io.out('no terminals');
        for (const t of terminals)
          io.out(
            `${t.id}  ${t.store_id}  ${t.name}  last seen ${t.last_seen_at ?? 'never'}  ${terminalStatusText(t)}${t.revoked_at ? `  revoked ${t.revoked_at}` : ''}`,
          );
      };
    }
    case 'add-terminal': {
      const input = renameIssuePaths(newTerminalRequest, {
        id: str(values, 'id'),
        storeId: str(values, 'store'),
        name: str(values, 'name'),
      });
      return async (ops, io, json) => {
        const t = await ops.addTerminal(input);
        print(
          io,
          json,
          t,
          `terminal ${t.name} created: ${t.id}\ntoken (shown once, store it now): ${t.token}`,
        );
      };
    }
    case 'revoke-terminal': {
      const { terminal } = validate(z.object({ terminal: uuid }), {
        terminal: str(values, 'terminal') ?? rest[0],
      });
      return async (ops, io, json) => {
        await ops.revokeTerminal(terminal);
        print(io, json, { id: terminal, revoked: true }, `terminal ${terminal} revoked`);
      };
    }
    case 'erase-customer': {
      const input = renameIssuePaths(eraseRequest, {
        customerId: str(values, 'customer') ?? rest[0],
        reason: str(values, 'reason'),
      });
      return async (ops, io, json) => {
        const result = await ops.eraseCustomer(input);
        print(
          io,
          json,
          result,
          result.status === 'erased'
            ? `customer ${input.customerId} erased; terminals drop it at their next sync`
            : `customer ${input.customerId} was already erased`,
        );
      };
    }
    case 'audit': {
      const query = renameIssuePaths(auditQuery, {
        customerId: str(values, 'customer'),
        guideId: str(values, 'guide'),
        terminalId: str(values, 'terminal'),
        from: str(values, 'from'),
        to: str(values, 'to'),
        limit: str(values, 'limit'),
      });
      return async (ops, io, json) => {
        const page = await ops.audit(query);
        if (json) return print(io, json, page, '');
        const whom = query.customerId
          ? `customer ${query.customerId}`
          : query.guideId
            ? `guide ${query.guideId}`
            : `terminal ${query.terminalId}`;
        if (page.items.length === 0) return io.out(`no audit entries for ${whom} in that range`);
        io.out(auditTable(page, query.customerId === undefined));
        io.out(
          `${page.items.length} entr${page.items.length === 1 ? 'y' : 'ies'} for ${whom}, newest first` +
            (page.hasMore ? `; older ones left out (narrow --from / --to, or raise --limit)` : ''),
        );
      };
    }
    case 'rotate-integration-key':
      return async (ops, io, json) => {
        const key = await ops.rotateIntegrationKey();
        print(
          io,
          json,
          { integrationKey: key },
          `new integration key (shown once; the previous one stops working): ${key}`,
        );
      };
    case 'rotate-admin-key':
      return async (ops, io, json) => {
        const key = await ops.rotateAdminKey();
        print(io, json, { adminKey: key }, `new admin key (shown once): ${key}`);
      };
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Columns wide enough for CJK names (two terminal cells a character). */
const cells = (value: string) =>
  [...value].reduce(
    (n, ch) =>
      n +
      (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        ch,
      )
        ? 2
        : 1),
    0,
  );
const pad = (value: string, width: number) => value + ' '.repeat(Math.max(0, width - cells(value)));

/** The store's local wall time of an instant, with its offset: "2026-12-04 09:15:02 +08:00". */
export function storeTime(at: string, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  const offset = String(parts.timeZoneName ?? '').replace('GMT', '') || '+00:00';
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`;
}

/** How each door reads in the table. */
const SOURCE_TEXT: Record<AuditSource, string> = {
  terminal: 'terminal',
  hub: 'hub',
  admin_cli: 'hub:admin direct',
  admin_rest: 'admin API',
  integration: 'integration API',
};

/**
 * A readable table of audit rows; the customer column unless the query was by customer. Entries
 * of no store (an erasure, a key rotation) show UTC.
 */
function auditTable(page: AuditPage, withCustomer: boolean): string {
  const header = ['WHEN (store time)', 'ACTION', 'BY', 'GUIDE', 'STORE', 'TERMINAL'];
  if (withCustomer) header.push('CUSTOMER');
  const viaTerminal = (r: AuditPage['items'][number]) =>
    r.source === 'terminal' || r.source === 'hub';
  const rows = page.items.map((r) => {
    const row = [
      storeTime(r.at, r.store?.timezone ?? 'UTC'),
      r.action,
      SOURCE_TEXT[r.source],
      r.guide
        ? `${r.guide.name} (${r.guide.id.slice(0, 8)})`
        : viaTerminal(r)
          ? '(no guide signed in)'
          : '—',
      r.store?.name ?? '—',
      r.terminal?.name ?? '—',
    ];
    if (withCustomer) row.push(r.customerId ?? '—');
    return row;
  });
  const widths = header.map((h, i) => Math.max(cells(h), ...rows.map((r) => cells(r[i]!))));
  const line = (r: string[]) =>
    r
      .map((v, i) => pad(v, widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runAdminCli(process.argv.slice(2));
}
