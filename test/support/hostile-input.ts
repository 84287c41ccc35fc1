import type { z } from 'zod';
import { newId } from '../../shared/domain/ids';

/**
 * Hostile inputs generated from the shared zod schemas: each field a route's schema declares
 * (found by walking the schema's internals alongside a valid request) gets the mutations a
 * clumsy integrator or an attacker would send. The test sends every case to a real hub.
 */

/** What a field holds, as far as the mutations care. */
export type FieldKind =
  | 'string'
  | 'uuid'
  | 'datetime'
  | 'date'
  | 'number'
  | 'boolean'
  | 'enum'
  | 'array'
  | 'object'
  | 'record'
  | 'union';

export type Field = {
  path: (string | number)[];
  kind: FieldKind;
  /** the value the valid request holds there (undefined: an optional field it leaves out) */
  value: unknown;
  optional: boolean;
};

/** The parts of zod v4's schema definitions the walk reads. */
type Def = {
  type: string;
  format?: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
};
const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch']);

/** Unwraps optional/default/nullable and pipes (z.stringbool) down to the schema that checks. */
function unwrap(schema: z.ZodType): { schema: z.ZodType; optional: boolean } {
  let current = schema;
  let optional = false;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    if (WRAPPERS.has(def.type) && def.innerType) {
      if (def.type !== 'nullable' && def.type !== 'readonly') optional = true;
      current = def.innerType;
    } else if (def.type === 'pipe' && def.in) current = def.in;
    else break;
  }
  return { schema: current, optional };
}

function kindOf(schema: z.ZodType): FieldKind | null {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      if (def.format === 'uuid') return 'uuid';
      if (def.format === 'datetime') return 'datetime';
      if (def.format === 'date') return 'date';
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'enum':
    case 'literal':
      return 'enum';
    case 'array':
      return 'array';
    case 'object':
      return 'object';
    case 'record':
      return 'record';
    case 'union':
      return 'union';
    default:
      return null;
  }
}

/** Every field of `schema`, walked alongside `value` (a valid request), nested ones included. */
export function fieldsOf(
  schema: z.ZodType,
  value: unknown,
  path: (string | number)[] = [],
  optional = false,
): Field[] {
  const inner = unwrap(schema);
  const kind = kindOf(inner.schema);
  if (kind === null) return [];
  const field: Field = { path, kind, value, optional: optional || inner.optional };
  const out = path.length === 0 ? [] : [field];
  const def = defOf(inner.schema);
  if (kind === 'object' && def.shape) {
    const object = isRecord(value) ? value : {};
    for (const [key, child] of Object.entries(def.shape))
      out.push(...fieldsOf(child, object[key], [...path, key]));
  } else if (kind === 'array' && def.element && Array.isArray(value) && value.length > 0) {
    out.push(...fieldsOf(def.element, value[0], [...path, 0]));
  } else if (kind === 'union' && def.options) {
    // Walk the member the valid request uses (a customer given by id, by phone…).
    const member = def.options.find((o) => o.safeParse(value).success);
    if (member) out.push(...fieldsOf(member, value, path).filter((f) => f.path !== path));
  }
  return out;
}

/** A change to one field: a new JSON value, the field removed, or raw JSON text in its place. */
export type Mutation =
  { name: string; value: unknown } | { name: string; remove: true } | { name: string; raw: string };

export const HUGE_STRING = 'x'.repeat(100_000);
/** 10,000 levels of `{"a":…}`: parsers that recurse per level overflow their stack on it. */
export const DEEP_OBJECT = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
export const DEEP_ARRAY = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const PROTO_RAW = '{"__proto__":{"polluted":true}}';
const CONSTRUCTOR_RAW = '{"constructor":{"prototype":{"polluted":true}}}';

function sample(kind: FieldKind): unknown {
  switch (kind) {
    case 'uuid':
      return newId();
    case 'datetime':
      return new Date().toISOString();
    case 'date':
      return '2026-06-01';
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return 'x';
  }
}

/** The mutations for one field, by kind. */
export function mutationsFor(field: Field): Mutation[] {
  const base = field.value ?? sample(field.kind);
  const str = typeof base === 'string' ? base : 'x';
  const out: Mutation[] = [];
  if (field.value !== undefined && typeof field.path.at(-1) === 'string')
    out.push({ name: 'missing', remove: true });
  out.push({ name: 'null', value: null });
  // 10,000 levels in place of a container (leaves get wrong types instead: same parser path).
  if (['array', 'object', 'union', 'record'].includes(field.kind))
    out.push({ name: 'deep nesting', raw: DEEP_OBJECT });
  const textual = ['string', 'uuid', 'datetime', 'date', 'enum'].includes(field.kind);
  if (textual) {
    out.push(
      { name: 'wrong type (number)', value: 12345 },
      { name: 'empty', value: '' },
      { name: 'huge (100k chars)', value: HUGE_STRING },
      { name: 'NUL', value: `${str}\u0000` },
      { name: 'lone surrogate', value: `${str}\ud800` },
      { name: 'escape control', value: `${str}\u001b[2J` },
    );
  }
  switch (field.kind) {
    case 'string':
      out.push({ name: 'blank', value: '   ' }, { name: 'emoji', value: `${str}👗` });
      break;
    case 'uuid':
      out.push(
        { name: 'upper case', value: str.toUpperCase() },
        { name: 'not a uuid', value: 'not-a-uuid' },
      );
      break;
    case 'datetime':
      out.push(
        { name: 'year 0000', value: '0000-01-01T00:00:00Z' },
        { name: 'offset +23:59', value: '2026-06-01T10:00:00+23:59' },
        { name: 'Feb 30', value: '2026-02-30T10:00:00Z' },
        { name: 'before 2000', value: '1999-12-31T23:59:59Z' },
        { name: 'year 9999', value: '9999-12-31T23:59:59Z' },
        { name: 'no zone', value: '2026-06-01T10:00:00' },
      );
      break;
    case 'date':
      out.push(
        { name: 'year 0000', value: '0000-01-01' },
        { name: 'Feb 30', value: '2026-02-30' },
        { name: 'month 13', value: '2026-13-01' },
        { name: 'year 275760', value: '+275760-09-13' },
      );
      break;
    case 'number':
      out.push(
        { name: 'negative', value: -1 },
        { name: 'float', value: 1.5 },
        { name: 'NaN as string', value: 'NaN' },
        { name: 'numeric string', value: '1' },
        { name: '1e308', value: 1e308 },
        { name: 'beyond safe integer', value: 2 ** 53 + 2 },
        { name: 'exponent literal', raw: '1e999' },
      );
      break;
    case 'boolean':
      out.push({ name: 'string "true"', value: 'true' }, { name: 'number 1', value: 1 });
      break;
    case 'enum':
      out.push(
        { name: 'unknown member', value: 'bogus' },
        { name: 'upper case', value: str.toUpperCase() },
      );
      break;
    case 'array':
      out.push(
        { name: 'empty array', value: [] },
        { name: 'wrong type (object)', value: {} },
        { name: 'deep array', raw: DEEP_ARRAY },
        { name: '6000 nulls', value: Array.from({ length: 6000 }, () => null) },
      );
      break;
    case 'object':
    case 'union':
      out.push(
        { name: 'wrong type (string)', value: 'x' },
        { name: 'wrong type (array)', value: [] },
        { name: '__proto__ key', raw: mergeRaw(base, '"__proto__":{"polluted":true}') },
        {
          name: 'constructor.prototype key',
          raw: mergeRaw(base, '"constructor":{"prototype":{"polluted":true}}'),
        },
      );
      break;
    case 'record': {
      const first = isRecord(base) ? Object.values(base)[0] : 1;
      const entry = JSON.stringify(first ?? 1);
      out.push(
        { name: 'wrong type (array)', value: [] },
        { name: 'key with NUL', raw: mergeRaw(base, `"k\\u0000":${entry}`) },
        { name: 'key with lone surrogate', raw: mergeRaw(base, `"\\ud800":${entry}`) },
        { name: '__proto__ key', raw: mergeRaw(base, `"__proto__":${entry}`) },
        { name: 'upper-case uuid key', value: upperKeys(base) },
      );
      break;
    }
  }
  return out;
}

/** Top-level mutations every JSON route gets, whatever its schema. */
export function envelopeMutations(valid: unknown): Mutation[] {
  return [
    { name: 'body null', raw: 'null' },
    { name: 'body array', raw: '[]' },
    { name: 'body string', raw: '"x"' },
    { name: 'body number', raw: '1e308' },
    { name: 'body not JSON', raw: '{"a":' },
    { name: 'body empty object', raw: '{}' },
    { name: 'body __proto__', raw: mergeRaw(valid, '"__proto__":{"polluted":true}') },
    { name: 'body constructor.prototype', raw: mergeRaw(valid, CONSTRUCTOR_RAW.slice(1, -1)) },
    { name: 'body only __proto__', raw: PROTO_RAW },
    { name: 'body deep object', raw: DEEP_OBJECT },
    { name: 'body deep array', raw: DEEP_ARRAY },
    { name: 'body over 1 MiB', raw: mergeRaw(valid, `"pad":"${'x'.repeat(1_100_000)}"`) },
    { name: 'unknown key with NUL', raw: mergeRaw(valid, '"extra\\u0000":"\\u0000"') },
  ];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` (an object) as JSON with one more member given as raw text. */
function mergeRaw(value: unknown, member: string): string {
  const json = JSON.stringify(isRecord(value) ? value : {});
  return json === '{}' ? `{${member}}` : `{${member},${json.slice(1)}`;
}

function upperKeys(value: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(isRecord(value) ? value : {}).map(([k, v]) => [k.toUpperCase(), v]),
  );
}

const MARK = '@@hostile-raw@@';

/**
 * The request body with one mutation applied at `path`, as JSON text (raw mutations are spliced
 * in as text, so `__proto__` keys and 10,000-level nesting reach the hub as such).
 */
export function applyMutation(
  valid: unknown,
  path: (string | number)[],
  mutation: Mutation,
): string {
  if ('raw' in mutation && path.length === 0) return mutation.raw;
  const copy: unknown = structuredClone(valid);
  if (path.length === 0) return JSON.stringify('value' in mutation ? mutation.value : copy);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    // Absent optional objects (sizes, …) are created on the way.
    if (typeof parent[key] !== 'object' || parent[key] === null) parent[key] = {};
    parent = parent[key] as Record<string | number, unknown>;
  }
  const last = path.at(-1)!;
  if ('remove' in mutation) Reflect.deleteProperty(parent, last);
  else parent[last] = 'raw' in mutation ? MARK : mutation.value;
  const json = JSON.stringify(copy);
  return 'raw' in mutation ? json.replace(`"${MARK}"`, () => mutation.raw) : json;
}

/** Whether `body` (JSON text) carries a key that would pollute a prototype if merged naively. */
export function hasPoisonKey(body: string): boolean {
  return /"__proto__"\s*:|"constructor"\s*:\s*\{\s*"prototype"/.test(body);
}

/** Query-string mutations for one field: values already percent-encoded as a client sends them. */
export function queryMutations(
  kind: FieldKind,
  base: string,
): { name: string; value: string | null; repeat?: boolean }[] {
  const enc = encodeURIComponent(base);
  const out: { name: string; value: string | null; repeat?: boolean }[] = [
    { name: 'missing', value: null },
    { name: 'empty', value: '' },
    { name: 'huge (10k chars)', value: 'x'.repeat(10_000) },
    { name: 'NUL', value: `${enc}%00` },
    { name: 'lone surrogate (CESU bytes)', value: `${enc}%ED%A0%80` },
    { name: 'control', value: `${enc}%1B` },
    { name: 'bad percent-encoding', value: `${enc}%ZZ` },
    { name: 'repeated key', value: enc, repeat: true },
  ];
  if (kind === 'number' || kind === 'string')
    out.push(
      { name: 'negative', value: '-1' },
      { name: 'float', value: '1.5' },
      { name: 'NaN', value: 'NaN' },
      { name: '1e308', value: '1e308' },
      { name: '20 digits', value: '99999999999999999999' },
    );
  if (kind === 'datetime')
    out.push(
      { name: 'year 0000', value: '0000-01-01T00%3A00%3A00Z' },
      { name: 'offset +23:59', value: '2026-06-01T10%3A00%3A00%2B23%3A59' },
      { name: 'Feb 30', value: '2026-02-30T10%3A00%3A00Z' },
      { name: 'plus decoded as space', value: '2026-06-01T10:00:00+08:00' },
    );
  if (kind === 'date')
    out.push(
      { name: 'year 0000', value: '0000-01-01' },
      { name: 'Feb 30', value: '2026-02-30' },
      { name: 'year 9999', value: '9999-12-31' },
    );
  return out;
}

/** Path-parameter mutations (an id in the URL), percent-encoded. */
export function pathParamMutations(base: string): { name: string; value: string }[] {
  return [
    { name: 'upper case', value: base.toUpperCase() },
    { name: 'not a uuid', value: 'not-a-uuid' },
    { name: 'NUL', value: `${base}%00` },
    { name: 'lone surrogate', value: `${base}%ED%A0%80` },
    { name: 'control', value: `${base}%1B` },
    { name: 'bad percent-encoding', value: `${base}%ZZ` },
    { name: 'huge (10k chars)', value: 'a'.repeat(10_000) },
    { name: 'dot segments', value: '..%2F..%2Fadmin' },
    { name: '__proto__', value: '__proto__' },
  ];
}
