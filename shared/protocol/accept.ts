import type { z } from 'zod';

/**
 * A zod schema's happy path, built once into closures: it answers the value the schema would
 * give for an input it accepts, or `NOT_ACCEPTED` — and then the caller asks the schema itself
 * (`safeParse`), so every refusal and every message is zod's own.
 *
 * Why: zod compiles its object checks with `new Function`, which the terminal's CSP forbids
 * (shared/web/no-eval.ts); interpreted, zod spends ≈ 15 µs on a customer feed row (Node, about
 * 20 in Chromium), and an initial sync checks 200,000 of them. Here only the structure is walked
 * (the type tests of object, array, string, number, boolean, enum, literal, optional, nullable,
 * union, unknown), and every check on a node — formats, bounds, `refine` / `superRefine`, `trim`
 * and `toLowerCase` — is the schema's own zod check, run as zod runs it. A node of any other kind
 * (transforms, pipes, defaults, coercion, strict or catch-all objects, async checks) makes the
 * whole schema fall back to zod: `acceptorOf` then answers `null`.
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
/** Whether zod would give back exactly this input (no issue, nothing stripped or rewritten). */
type Step = (value: unknown) => boolean;

/**
 * Runs a node's checks as zod's `runChecks` does on an input without issues so far. A check that
 * rewrites the value (`trim`, `toLowerCase`) and changed it is zod's to answer.
 */
function withChecks(node: Node, step: Step): Step {
  const own = node._zod.traits.has('$ZodCheck') ? [node as unknown as Check] : [];
  const checks = [...own, ...(node._zod.def.checks ?? [])];
  if (checks.length === 0) return step;
  return (value) => {
    if (!step(value)) return false;
    const payload: Payload = { value, issues: [] };
    for (const check of checks) {
      const when = check._zod.def.when;
      if (when && !when(payload)) continue;
      // A promise means an async check: zod's safeParse throws on it, so leave it to zod.
      if (check._zod.check(payload) instanceof Promise || payload.issues.length > 0) return false;
    }
    return payload.value === value;
  };
}

const PLAIN: unknown = Object.prototype;

/** Whether someone put an enumerable key on Object.prototype (every object would then show it). */
function prototypeTouched(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
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
    // zod keeps an absent key absent only for a plain `optional`; other rungs (defaults) are its.
    if (optin !== undefined && optin !== 'optional') return null;
    fields.push({ key, step, optional: optin === 'optional' && optout === 'optional' });
  }
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const required = fields.filter((field) => !field.optional).length;
  return (input) => {
    // Plain objects only (JSON's): another prototype could lend the object keys zod would read.
    if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== PLAIN)
      return false;
    const record = input as Record<string, unknown>;
    let requiredSeen = 0;
    // Over the input's own keys (for…in reads their values fast); one outside the shape — zod
    // strips it — or an absent required one leaves the input to zod.
    for (const key in record) {
      const field = byKey.get(key);
      if (field === undefined || !field.step(record[key])) return false;
      if (!field.optional) requiredSeen += 1;
    }
    return requiredSeen === required;
  };
}

function stepOf(node: Node): Step | null {
  const def = node._zod.def;
  if (def.coerce) return null;
  let step: Step | null;
  switch (def.type) {
    case 'string':
      step = (v) => typeof v === 'string';
      break;
    case 'number':
      step = (v) => typeof v === 'number' && Number.isFinite(v);
      break;
    case 'boolean':
      step = (v) => typeof v === 'boolean';
      break;
    case 'unknown':
      step = () => true;
      break;
    case 'enum':
    case 'literal': {
      const values = node._zod.values;
      if (!values) return null;
      step = (v) => values.has(v);
      break;
    }
    case 'optional':
    case 'nullable': {
      if (node._zod.traits.has('$ZodExactOptional') || !def.innerType) return null;
      // An optional whose inner schema substitutes a value for absence (a default) is zod's.
      if (def.type === 'optional' && def.innerType._zod.optin === 'defaulted') return null;
      const inner = stepOf(def.innerType);
      if (!inner) return null;
      step =
        def.type === 'optional'
          ? (v) => v === undefined || inner(v)
          : (v) => v === null || inner(v);
      break;
    }
    case 'array': {
      if (!def.element) return null;
      const element = stepOf(def.element);
      if (!element) return null;
      step = (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
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
      step = (v) => steps.some((option) => option(v));
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
  const step = stepOf(schema as unknown as Node);
  if (!step) return null;
  return (input) => (!prototypeTouched() && step(input) ? (input as T) : NOT_ACCEPTED);
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
