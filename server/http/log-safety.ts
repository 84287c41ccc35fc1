/**
 * Keeps personal data out of the hub's logs, at every level. Two layers:
 *
 * - an `err` serializer that copies only an allow-list of fields from errors. PGlite attaches the
 *   statement's `query` and `params` to its errors and pg's `DatabaseError` carries `detail`
 *   (`Key (phone_e164)=(+86…) already exists`), `where` and `internalQuery`; pino's default
 *   serializer copied all of them, so one bad field in a 200-customer import logged 200 phones and
 *   names. Messages and stacks are scrubbed too: PostgreSQL quotes offending values
 *   (`invalid input syntax for type uuid: "…"`) and `JSON.parse` quotes its input.
 * - redact paths for the places a credential or a body could be logged as a plain field.
 */

/** Fields of an error worth logging; everything else (query, params, detail, where…) is dropped. */
const ERROR_FIELDS = [
  'code',
  'statusCode',
  'severity',
  'routine',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'errno',
  'syscall',
] as const;

/** How deep `cause` chains and aggregated errors are followed. */
const MAX_DEPTH = 3;

export type SafeError = {
  type: string;
  message: string;
  stack: string;
  cause?: SafeError;
  errors?: SafeError[];
} & { [K in (typeof ERROR_FIELDS)[number]]?: string | number };

/** A quoted span that is a plain SQL identifier (column, constraint, encoding) is kept. */
const IDENTIFIER = /^[a-z_][a-z0-9_$]{0,62}$|^UTF8$/;
/** Anything phone-like: 6+ digits, also with separators or a masked middle (138****8000). */
const PHONE_LIKE = /\+?\d[\d\s().*-]{4,}\d/g;

/**
 * An error message with the values it may quote removed: quoted spans that are not plain
 * identifiers and anything phone-like become `…`.
 */
export function scrubMessage(message: string): string {
  return scrubQuoted(scrubQuoted(message, '"'), "'").replace(PHONE_LIKE, '…');
}

/**
 * Keeps quoted identifiers; from the first quoted span that is not one, everything up to the
 * last quote goes (values may nest quotes, as in `"{"name":"…"}" is not valid JSON`).
 */
function scrubQuoted(message: string, quote: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const start = message.indexOf(quote, at);
    if (start < 0) return out + message.slice(at);
    const end = message.indexOf(quote, start + 1);
    if (end < 0) return `${out}${message.slice(at, start)}${quote}…`;
    if (IDENTIFIER.test(message.slice(start + 1, end))) {
      out += message.slice(at, end + 1);
      at = end + 1;
      continue;
    }
    out += `${message.slice(at, start)}${quote}…${quote}`;
    at = message.lastIndexOf(quote) + 1;
  }
}

function scrubStack(stack: string, header: string): string {
  // The first lines repeat the message (which may span lines); keep only the frames.
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return [header, ...frames].join('\n');
}

/** The loggable part of anything thrown; used as pino's `err` serializer. */
export function safeError(value: unknown, depth = 0): SafeError {
  if (!(value instanceof Error)) {
    // A thrown non-error (string, object) may be anything: log only what kind it was.
    return { type: typeof value, message: '(non-error value thrown; not logged)', stack: '' };
  }
  const source = value as Error & Record<string, unknown>;
  const type = source.constructor?.name || source.name || 'Error';
  const message = scrubMessage(String(source.message ?? ''));
  const header = `${type}: ${message}`;
  const stack = typeof source.stack === 'string' ? scrubStack(source.stack, header) : header;
  const safe: SafeError = { type, message, stack };
  for (const field of ERROR_FIELDS) {
    const v = source[field];
    if (typeof v === 'string' || typeof v === 'number') safe[field] = v;
  }
  if (depth < MAX_DEPTH) {
    if (source.cause !== undefined) safe.cause = safeError(source.cause, depth + 1);
    if (Array.isArray(source.errors))
      safe.errors = source.errors.slice(0, 5).map((e: unknown) => safeError(e, depth + 1));
  }
  return safe;
}

/** A one-line description of an error for CLI output, with the same scrubbing. */
export function safeErrorMessage(value: unknown): string {
  return value instanceof Error ? scrubMessage(value.message) : 'unexpected failure';
}

/**
 * Fields that must never reach a log line even if some future call passes them: credentials in
 * request headers (if a request is ever serialised), request bodies, and personal fields.
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-integration-key"]',
  'req.headers["x-admin-key"]',
  'req.headers.cookie',
  'req.body',
  'req.query',
  'headers.authorization',
  'headers["x-integration-key"]',
  'headers["x-admin-key"]',
  'body',
  'params',
  'token',
  'phone',
  'pin',
  'pinHash',
  'integrationKey',
  'adminKey',
  '*.token',
  '*.phone',
  '*.pin',
  '*.pinHash',
];

/** The hub logger's options that keep personal data out (merged into Fastify's `logger`). */
export const safeLoggerOptions = {
  serializers: { err: (value: unknown) => safeError(value) },
  redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
};
