/**
 * `npm run hub:admin -- <command>`: IT administration. With `--url` it calls a running hub's
 * admin REST API (`X-Admin-Key`); without it, it opens the hub's database directly (same
 * DATABASE_URL / HUB_DATA_DIR configuration as the hub), which PGlite allows only while no hub
 * runs on that data dir.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { HubError } from '../http/errors';
import { safeErrorMessage } from '../http/log-safety';
import type { Io, Prepare, Run, Values } from './cli-args';
import { creditCommands } from './cli-credit-commands';
import { customerCommands } from './cli-customer-commands';
import { directOps, openHubDatabaseDirectly, restOps, UsageError, type AdminOps } from './cli-ops';
import { settingsCommands } from './cli-settings-commands';
import { storeCommands } from './cli-store-commands';
import { USAGE } from './cli-text';
import { DataDirLockedError } from './data-dir-lock';

/** Every command, by the name typed; each module checks its arguments and returns what runs. */
const COMMANDS: Record<string, Prepare> = {
  ...storeCommands,
  ...customerCommands,
  ...creditCommands,
  ...settingsCommands,
};

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

/** Validates a command's arguments with the shared schemas and returns what will run. */
function prepare(command: string, rest: string[], values: Values): Run {
  const prepareCommand = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!prepareCommand) throw new UsageError(`unknown command "${command}"`);
  return prepareCommand({ command, rest, values });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runAdminCli(process.argv.slice(2));
}
