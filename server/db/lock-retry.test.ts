import { describe, expect, it } from 'vitest';
import { LOCK_NOT_AVAILABLE, retryOnLockConflict } from './lock-retry';

/** What node-postgres rejects with when PostgreSQL aborts a transaction. */
const pgError = (code: string) => Object.assign(new Error(`pg error ${code}`), { code });

describe('retryOnLockConflict', () => {
  it('runs the batch again after a deadlock or serialization failure and returns its answer', async () => {
    const thrown = [pgError('40P01'), pgError('40001')];
    let attempts = 0;
    const logged: number[] = [];
    const result = await retryOnLockConflict(
      async () => {
        attempts += 1;
        const error = thrown.shift();
        if (error) throw error;
        return 'stored';
      },
      (_error, attempt) => logged.push(attempt),
    );
    expect(result).toBe('stored');
    expect(attempts).toBe(3);
    // Each retried conflict is reported, so operators see them in the hub log.
    expect(logged).toEqual([1, 2]);
  });

  it('gives up after a bounded number of attempts and reports the conflict', async () => {
    let attempts = 0;
    await expect(
      retryOnLockConflict(() => {
        attempts += 1;
        return Promise.reject(pgError('40P01'));
      }),
    ).rejects.toThrow('pg error 40P01');
    expect(attempts).toBe(4);
  });

  it('does not repeat a batch that failed for any other reason', async () => {
    let attempts = 0;
    await expect(
      retryOnLockConflict(() => {
        attempts += 1;
        return Promise.reject(pgError('23505'));
      }),
    ).rejects.toThrow('pg error 23505');
    expect(attempts).toBe(1);
  });

  it('retries a lock timeout (55P03) only for a caller that names it', async () => {
    let attempts = 0;
    const timedOutOnce = () => {
      attempts += 1;
      return attempts === 1 ? Promise.reject(pgError('55P03')) : Promise.resolve('stored');
    };
    await expect(retryOnLockConflict(timedOutOnce)).rejects.toThrow('pg error 55P03');
    expect(attempts).toBe(1);
    attempts = 0;
    await expect(retryOnLockConflict(timedOutOnce, undefined, [LOCK_NOT_AVAILABLE])).resolves.toBe(
      'stored',
    );
    expect(attempts).toBe(2);
  });
});
