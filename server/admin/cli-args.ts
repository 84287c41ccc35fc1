/**
 * What every `hub:admin` command shares: the parsed flags, schema checks whose messages name the
 * flag the user typed, and how a result is printed (`--json` or a human line).
 */
import type { z } from 'zod';
import { UsageError, type AdminOps } from './cli-ops';

export type Io = { out(line: string): void; err(line: string): void };
export type Values = Record<string, string | boolean | undefined>;
/** A command whose arguments were checked, ready to run against the hub. */
export type Run = (ops: AdminOps, io: Io, json: boolean) => Promise<void>;
/**
 * Checks one command's arguments (throwing `UsageError`) before anything connects, and returns
 * what will run. `command` is the name typed (one preparer may serve two commands).
 */
export type Prepare = (args: { command: string; rest: string[]; values: Values }) => Run;

/** Arguments checked with a schema; issues name the flag. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
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
export function renameIssuePaths<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    return `  --${flagName[key] ?? key}: ${(input as Record<string, unknown>)[key] === undefined && i.code !== 'custom' ? 'is required' : i.message}`;
  });
  throw new UsageError(`invalid arguments:\n${issues.join('\n')}`);
}

export const toNumber = (value: string | undefined): number | undefined =>
  value === undefined || value.trim() === '' ? undefined : Number(value);

export function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

/** `--json`: the data as JSON; otherwise the human line. */
export const print = (io: Io, json: boolean, data: unknown, human: string) =>
  io.out(json ? JSON.stringify(data, null, 2) : human);
