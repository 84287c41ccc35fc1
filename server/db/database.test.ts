import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, isConnectionError } from './database';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isConnectionError: which database failures are an outage (503), not a bug (500)', () => {
  it.each([
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['admin shutdown (pg_terminate_backend)', withCode('terminating connection', '57P01')],
    ['cannot connect now', withCode('the database system is starting up', '57P03')],
    ['connection exception class 08', withCode('connection failure', '08006')],
    ['statement timeout', withCode('canceling statement due to statement timeout', '57014')],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['client read timeout', new Error('Query read timeout')],
    ['dropped mid-query', new Error('Connection terminated unexpectedly')],
    ['wrapped', new Error('insert failed', { cause: withCode('x', 'ECONNRESET') })],
    ['already classified', new DatabaseUnavailableError(new Error('x'))],
  ])('%s → unavailable', (_name, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    ['unique violation', withCode('duplicate key value', '23505')],
    ['syntax error (a bug)', withCode('syntax error at or near', '42601')],
    ['invalid text (bad input)', withCode('invalid input syntax for type uuid', '22P02')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'ECONNREFUSED'],
  ])('%s → not unavailable', (_name, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
