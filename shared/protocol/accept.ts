import type { z } from 'zod';

/**
 * A zod schema's happy path, built once into closures: for an input the schema accepts it
 * answers the value zod would give — the same values, keys in the same order, unknown keys
 * stripped, `trim` / `toLowerCase` applied — and for anything else `NOT_ACCEPTED`; then the
 * caller asks the schema itself (`safeParse`), so every refusal and every message is zod's own.
 *
 * Why: zod compiles its object checks with `new Function`, which the terminal's CSP forbids
 * (shared/web/no-eval.ts); interpreted, zod spends ≈ 16 µs on a customer feed row (Node), and an
 * initial sync checks 200,000 of them. Here only the structure is walked (the type tests of
 * object, array, string, number, boolean, enum, literal, optional, nullable, union, unknown), the
 * way zod walks it, and every check on a node — formats, bounds, `refine` / `superRefine`, `trim`
 * and `toLowerCase` — is the schema's own zod check, run as zod's `runChecks` runs it. A node of
 * any other kind (transforms, pipes, defaults, coercion, strict or catch-all objects) makes
 * `acceptorOf` answer null: the schema is then zod's alone.
 */
export const NOT_ACCEPTED: unique symbol = Symbol('not accepted');
export type Acceptor<T> = (input: unknown) => T | typeof NOT_ACCEPTED;

type Payload = { value: unknown; issues: unknown[] };
type Check = {
  _zod: {
    def: { when?: (payload: Payload) => boolean };
    check: (payload: Payload) => unknown;
  };
};
type Node = {
  _zod: {
    def: {
      type: string;
      checks?: Check[];
      coerce?: boolean;
      shape?: Record<string, Node>;
      catchall?: unknown;
      element?: Node;
      innerType?: Node;
      options?: Node[];
    };
    traits: Set<string>;
    values?: Set<unknown>;
    optin?: string;
    optout?: string;
  };
};
const NO: typeof NOT_ACCEPTED = NOT_ACCEPTED;
/** zod's output for a value, or NO where zod would raise an issue. */
type Step = (value: unknown) => unknown;

/** Runs a node's checks as zod's `runChecks` does on a value without issues so far. */
function withChecks(node: Node, step: Step): Step {
  const own = node._zod.traits.has('$ZodCheck') ? [node as unknown as Check] : [];
  const checks = [...own, ...(node._zod.def.checks ?? [])];
  if (checks.length === 0) return step;
  return (input) => {
    const value = step(input);
    if (value === NO) return NO;
    const payload: Payload = { value, issues: [] };
    for (const check of checks) {
      const when = check._zod.def.when;
      if (when && !when(payload)) continue;
      // A promise means an async check: zod's safeParse throws on it, so leave it to zod.
      if (check._zod.check(payload) instanceof Promise || payload.issues.length > 0) return NO;
    }
    return payload.value;
  };
}

function objectStep(node: Node): Step | null {
  const { shape, catchall } = node._zod.def;
  if (!shape || catchall !== undefined) return null;
  const fields: { key: string; step: Step; optional: boolean }[] = [];
  for (const key of Object.keys(shape)) {
    if (key === '__proto__') return null;
    const field = shape[key]!;
    const step = stepOf(field);
    if (!step) return null;
    const { optin, optout } = field._zod;
    // zod keeps an absent key absent for a plain `optional`; other rungs (defaults) are its own.
    if (optin !== undefined && optin !== 'optional') return null;
    fields.push({ key, step, optional: optin === 'optional' && optout === 'optional' });
  }
  return (input) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return NO;
    const record = input as Record<string, unknown>;
    // As zod: the shape's keys in its order (others stripped), read with `in` and `[]`.
    const out: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const { key, step, optional } = fields[i]!;
      const value = record[key];
      if (value === undefined && !(key in record)) {
        if (optional) continue;
        return NO;
      }
      const checked = step(value);
      if (checked === NO) return NO;
      out[key] = checked;
    }
    return out;
  };
}

function stepOf(node: Node): Step | null {
  const def = node._zod.def;
  if (def.coerce) return null;
  let step: Step | null;
  switch (def.type) {
    case 'string':
      step = (v) => (typeof v === 'string' ? v : NO);
      break;
    case 'number':
      step = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : NO);
      break;
    case 'boolean':
      step = (v) => (typeof v === 'boolean' ? v : NO);
      break;
    case 'unknown':
      step = (v) => v;
      break;
    case 'enum':
    case 'literal': {
      const values = node._zod.values;
      if (!values) return null;
      step = (v) => (values.has(v) ? v : NO);
      break;
    }
    case 'optional':
    case 'nullable': {
      if (node._zod.traits.has('$ZodExactOptional') || !def.innerType) return null;
      // An optional whose inner schema substitutes a value for absence (a default) is zod's.
      if (def.type === 'optional' && def.innerType._zod.optin === 'defaulted') return null;
      const inner = stepOf(def.innerType);
      if (!inner) return null;
      const empty = def.type === 'optional' ? undefined : null;
      step = (v) => (v === empty ? v : inner(v));
      break;
    }
    case 'array': {
      if (!def.element) return null;
      const element = stepOf(def.element);
      if (!element) return null;
      step = (v) => {
        if (!Array.isArray(v)) return NO;
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const item = element(v[i]);
          if (item === NO) return NO;
          out[i] = item;
        }
        return out;
      };
      break;
    }
    case 'object':
      step = objectStep(node);
      break;
    case 'union': {
      const options = (def.options ?? []).map(stepOf);
      if (options.length === 0 || options.some((o) => o === null)) return null;
      const steps = options as Step[];
      // As zod: the first option that takes the value gives the answer.
      step = (v) => {
        for (const option of steps) {
          const value = option(v);
          if (value !== NO) return value;
        }
        return NO;
      };
      break;
    }
    default:
      return null;
  }
  return step && withChecks(node, step);
}

/**
 * The acceptor of a schema, or null when the schema uses something it does not know (then use
 * the schema alone).
 */
export function acceptorOf<T>(schema: z.ZodType<T>): Acceptor<T> | null {
  return stepOf(schema as unknown as Node) as Acceptor<T> | null;
}

/** `schema.safeParse`, with the acceptor's answer first when it has one. */
export function fastSafeParse<T>(
  schema: z.ZodType<T>,
): (input: unknown) => z.ZodSafeParseResult<T> {
  const accept = acceptorOf(schema);
  if (!accept) return (input) => schema.safeParse(input);
  return (input) => {
    const value = accept(input);
    return value === NOT_ACCEPTED ? schema.safeParse(input) : { success: true, data: value };
  };
}
