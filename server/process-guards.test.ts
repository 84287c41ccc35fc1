import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from './db/database';
import { lastResort } from './process-guards';
import { safeError } from './http/log-safety';

function harness() {
  const lines: { level: 'error' | 'fatal'; msg: string }[] = [];
  const objects: object[] = [];
  const exits: number[] = [];
  const log = {
    error: (obj: object, msg: string) => (objects.push(obj), lines.push({ level: 'error', msg })),
    fatal: (obj: object, msg: string) => (objects.push(obj), lines.push({ level: 'fatal', msg })),
  };
  return {
    lines,
    objects,
    exits,
    handle: lastResort(log, (code) => exits.push(code), 'unhandled rejection'),
  };
}

describe('last-resort handler for uncaught errors', () => {
  it.each([
    ['PostgreSQL dropped', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['classified outage', new DatabaseUnavailableError(new Error('Query read timeout'))],
    ['Redis link down', Object.assign(new Error('retries'), { name: 'MaxRetriesPerRequestError' })],
  ])('a transient fault (%s) is logged at error and the hub keeps serving', (_name, error) => {
    const h = harness();
    h.handle(error);
    expect(h.exits).toEqual([]);
    expect(h.lines).toEqual([
      { level: 'error', msg: 'unhandled rejection from a transient fault; the hub keeps serving' },
    ]);
  });

  it('a bug is logged as fatal and the process exits 1 (never hidden)', () => {
    const h = harness();
    h.handle(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(h.exits).toEqual([1]);
    expect(h.lines).toEqual([{ level: 'fatal', msg: 'unhandled rejection; the hub stops' }]);
  });

  it('hands the log the error itself, so its serializer keeps the code and the scrubbed message', () => {
    const h = harness();
    const listening = Object.assign(
      new Error('listen EADDRINUSE: address already in use 127.0.0.1:4720'),
      { code: 'EADDRINUSE', syscall: 'listen', port: 4720 },
    );
    h.handle(listening);
    expect(h.exits).toEqual([1]);
    const logged = (h.objects[0] as { err: unknown }).err;
    expect(logged).toBe(listening);
    expect(safeError(logged)).toMatchObject({ type: 'Error', code: 'EADDRINUSE' });
    expect(safeError(logged).message).toContain('EADDRINUSE');
  });
});
