/**
 * `npm run hub:admin -- <command>`: IT administration. With `--url` it calls a running hub's
 * admin REST API (`X-Admin-Key`); without it, it opens the hub's database directly (same
 * DATABASE_URL / HUB_DATA_DIR configuration as the hub), which PGlite allows only while no hub
 * runs on that data dir.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  auditQuery,
  creditExplainQuery,
  creditRules,
  bindingRules,
  outreachSettings,
  eraseRequest,
  newGuideRequest,
  newStore,
  newTerminalRequest,
  newPin as pinSchema,
  statementQuery,
  uuid,
} from '../../shared/protocol';
import { readFileSync } from 'node:fs';
import { HubError } from '../http/errors';
import { safeErrorMessage } from '../http/log-safety';
import { directOps, openHubDatabaseDirectly, restOps, UsageError, type AdminOps } from './cli-ops';
import { creditExplanationText, creditRulesText, creditStatementText } from './cli-credit-text';
import {
  auditTable,
  bindingRulesText,
  outreachSettingsText,
  terminalStatusText,
  USAGE,
} from './cli-text';
import { parseYuanToFen } from '../../shared/domain/money';
import { returnSettingsText } from './cli-return-text';
import { DataDirLockedError } from './data-dir-lock';

/** Arguments checked with a schema; issues name the flag. */
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
  orderId: 'order',
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
        region: { type: 'string' },
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
        order: { type: 'string' },
        rules: { type: 'string' },
        file: { type: 'string' },
        csv: { type: 'boolean', default: false },
        'registered-by': { type: 'string' },
        'served-and-bought': { type: 'string' },
        'expiry-days': { type: 'string' },
        'manager-above': { type: 'string' },
        'mini-store-url': { type: 'string' },
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
          io.out(
            `${s.id}  ${s.name}  ${s.timezone}  (${Number(s.lat)}, ${Number(s.lng)})${s.region ? `  ${s.region}` : ''}`,
          );
      };
    case 'add-store': {
      const input = renameIssuePaths(newStore, {
        id: str(values, 'id'),
        name: str(values, 'name'),
        timezone: str(values, 'timezone'),
        lat: toNumber(str(values, 'lat')),
        lng: toNumber(str(values, 'lng')),
        geofenceRadiusM: toNumber(str(values, 'radius')),
        // `--region ''` takes the store out of its region; left out, the region stays.
        region:
          str(values, 'region') === undefined ? undefined : str(values, 'region')!.trim() || null,
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
    case 'credit-rules':
      return async (ops, io, json) => {
        const current = await ops.creditRules();
        print(io, json, current, creditRulesText(current));
      };
    case 'set-credit-rules': {
      const source = str(values, 'rules') ?? readRulesFile(str(values, 'file'));
      let parsed: unknown;
      try {
        parsed = JSON.parse(source);
      } catch (error) {
        throw new UsageError(`the rules are not JSON: ${(error as Error).message}`);
      }
      const result = creditRules.safeParse(parsed);
      if (!result.success)
        throw new UsageError(
          `invalid rules:\n${result.error.issues.map((i) => `  ${i.path.join('.') || '(rules)'}: ${i.message}`).join('\n')}`,
        );
      return async (ops, io, json) => {
        const saved = await ops.setCreditRules(result.data);
        print(
          io,
          json,
          saved,
          `credit rules saved; they apply to online orders from now on\n${creditRulesText(saved)}`,
        );
      };
    }
    case 'credit-explain': {
      const { orderId } = renameIssuePaths(creditExplainQuery, {
        orderId: str(values, 'order') ?? rest[0],
      });
      return async (ops, io, json) => {
        const explanation = await ops.explainCredit(orderId);
        print(io, json, explanation, creditExplanationText(explanation));
      };
    }
    case 'credit-statement': {
      const query = renameIssuePaths(statementQuery, {
        from: str(values, 'from'),
        to: str(values, 'to'),
      });
      const csv = values.csv === true;
      return async (ops, io, json) => {
        // CSV goes to stdout as it is (with its BOM): `… --csv > statement.csv`.
        if (csv) return io.out((await ops.creditStatementCsv(query)).replace(/\r\n$/, ''));
        const statement = await ops.creditStatement(query);
        print(io, json, statement, creditStatementText(statement));
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
    case 'binding-rules':
      return async (ops, io, json) => {
        const rules = await ops.bindingRules();
        print(io, json, rules, bindingRulesText(rules));
      };
    case 'set-binding-rules': {
      // Only the options given change; the others keep the hub's current value.
      const given = validate(
        z.object({
          'registered-by': z.enum(['yes', 'no']).optional(),
          'served-and-bought': bindingRules.shape.servedAndBought.optional(),
          'expiry-days': z.union([z.literal('never'), z.string().regex(/^\d{1,4}$/)]).optional(),
        }),
        {
          'registered-by': str(values, 'registered-by'),
          'served-and-bought': str(values, 'served-and-bought'),
          'expiry-days': str(values, 'expiry-days'),
        },
      );
      if (Object.values(given).every((v) => v === undefined))
        throw new UsageError(
          'set-binding-rules needs --registered-by, --served-and-bought or --expiry-days',
        );
      return async (ops, io, json) => {
        const current = await ops.bindingRules();
        const days = given['expiry-days'];
        const next = validate(bindingRules, {
          registeredBy:
            given['registered-by'] === undefined
              ? current.registeredBy
              : given['registered-by'] === 'yes',
          servedAndBought: given['served-and-bought'] ?? current.servedAndBought,
          expiryDays:
            days === undefined ? current.expiryDays : days === 'never' ? null : Number(days),
        });
        const saved = await ops.setBindingRules(next);
        print(io, json, saved, `binding rules saved:\n${bindingRulesText(saved)}`);
      };
    }
    case 'return-settings':
      return async (ops, io, json) => {
        const settings = await ops.returnSettings();
        print(io, json, settings, returnSettingsText(settings));
      };
    case 'set-return-settings': {
      const above = str(values, 'manager-above');
      const fen =
        above === 'never' ? null : above === undefined ? undefined : parseYuanToFen(above);
      if (fen === undefined || (fen === null && above !== 'never'))
        throw new UsageError('set-return-settings needs --manager-above <yuan, e.g. 500>|never');
      return async (ops, io, json) => {
        const saved = await ops.setReturnSettings({ managerApprovalAboveFen: fen });
        print(io, json, saved, `return settings saved:\n${returnSettingsText(saved)}`);
      };
    }
    case 'outreach-settings':
      return async (ops, io, json) => {
        const settings = await ops.outreachSettings();
        print(io, json, settings, outreachSettingsText(settings));
      };
    case 'set-outreach-settings': {
      const url = str(values, 'mini-store-url');
      if (url === undefined)
        throw new UsageError('set-outreach-settings needs --mini-store-url <pattern>|off');
      // Checked here (https only, known placeholders) as the hub checks it.
      const next = validate(
        z.object({ 'mini-store-url': outreachSettings.shape.miniStoreUrlPattern }),
        { 'mini-store-url': url === 'off' ? null : url },
      );
      return async (ops, io, json) => {
        const saved = await ops.setOutreachSettings({
          miniStoreUrlPattern: next['mini-store-url'],
        });
        print(io, json, saved, `outreach settings saved:\n${outreachSettingsText(saved)}`);
      };
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function readRulesFile(path: string | undefined): string {
  if (!path) throw new UsageError('set-credit-rules needs --rules <json> or --file <path>');
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runAdminCli(process.argv.slice(2));
}
