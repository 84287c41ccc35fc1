import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { safeError, safeLoggerOptions, scrubMessage } from './log-safety';

const PHONE = '13812345678';
const NAME = '王秀英';

/** A logger configured like the hub's, writing into a string. */
function capturingLogger() {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const log = pino({ level: 'trace', ...safeLoggerOptions }, sink);
  return { log, text: () => text };
}

describe('log safety', () => {
  // PGlite boots a WebAssembly PostgreSQL: seconds on a busy machine.
  it(
    'logs a PGlite error without the statement parameters it carries',
    { timeout: 120_000 },
    async () => {
      const db = await PGlite.create();
      try {
        await db.query('create table people (id int primary key, phone text, name text)');
        const error = await db
          .query('insert into people values ($1::int, $2, $3)', ['not-a-number', PHONE, NAME])
          .then(() => null)
          .catch((e: unknown) => e);
        // The raw error does carry them: this is what pino's default serializer used to print.
        expect(JSON.stringify(error)).toContain(PHONE);
        const { log, text } = capturingLogger();
        log.error({ err: error }, 'unhandled error');
        expect(text()).not.toContain(PHONE);
        expect(text()).not.toContain(NAME);
        expect(text()).not.toContain('not-a-number');
        // What is kept still says what went wrong.
        expect(JSON.parse(text()).err).toMatchObject({ code: '22P02' });
      } finally {
        await db.close();
      }
    },
  );

  it("drops a pg DatabaseError's detail, where and internal query", () => {
    const error = new pg.DatabaseError(
      'duplicate key value violates unique constraint "customers_phone_key"',
      120,
      'error',
    );
    Object.assign(error, {
      code: '23505',
      severity: 'ERROR',
      detail: `Key (phone_e164)=(+86${PHONE}) already exists.`,
      where: `SQL function "x" statement 1 with ${NAME}`,
      internalQuery: `select '${NAME}'`,
      constraint: 'customers_phone_key',
      table: 'customers',
    });
    const safe = safeError(error);
    const text = JSON.stringify(safe);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(NAME);
    expect(safe).toMatchObject({
      code: '23505',
      constraint: 'customers_phone_key',
      table: 'customers',
      message: 'duplicate key value violates unique constraint "customers_phone_key"',
    });
  });

  it('scrubs values that messages quote, and phone-like numbers in any format', () => {
    for (const phone of [PHONE, `+86${PHONE}`, '138****5678', '+86 138 1234 5678'])
      expect(scrubMessage(`invalid input syntax for type uuid: "${phone}" (${phone})`)).not.toMatch(
        /\d{4}/,
      );
    expect(
      scrubMessage(`Unexpected token 'x', "{"name":"${NAME}"}" is not valid JSON`),
    ).not.toContain(NAME);
    expect(scrubMessage('null value in column "phone_e164" violates not-null constraint')).toBe(
      'null value in column "phone_e164" violates not-null constraint',
    );
  });

  it('follows causes, ignores extra fields on anything thrown, and never logs non-errors', () => {
    const inner = Object.assign(new Error(`bad phone ${PHONE}`), { params: [PHONE, NAME] });
    const outer = new Error('import failed', { cause: inner });
    const text = JSON.stringify(safeError(outer));
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(NAME);
    expect(text).toContain('import failed');
    expect(JSON.stringify(safeError({ phone: PHONE }))).not.toContain(PHONE);
  });

  it('redacts credentials and personal fields passed as plain log fields', () => {
    const { log, text } = capturingLogger();
    log.info(
      {
        req: { headers: { authorization: 'Bearer tok_secret', 'x-admin-key': 'admin-secret' } },
        phone: PHONE,
        customer: { phone: PHONE, pin: '1234' },
        body: { name: NAME },
      },
      'fields',
    );
    for (const secret of ['tok_secret', 'admin-secret', PHONE, NAME, '1234'])
      expect(text()).not.toContain(secret);
  });
});
