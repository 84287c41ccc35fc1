import { defineConfig } from 'vitest/config';

/**
 * Two projects: fast unit tests next to the code, and cross-process tests in `test/` that start
 * real hub processes (they run one file at a time so the 2-core CI machine is not oversubscribed).
 */
export default defineConfig({
  test: {
    globals: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'shared/**/*.test.ts',
            'server/**/*.test.ts',
            'electron/**/*.test.ts',
            'renderer/**/*.test.{ts,tsx}',
            'console/**/*.test.{ts,tsx}',
            // the layer report and the lint rules that hold the renderer's layers
            'scripts/**/*.test.ts',
          ],
          environment: 'node',
          // Component tests drive whole screens (sign-in runs a real scrypt check); with the
          // cross-process projects running beside them on 2 cores, 5 s was seen to run out.
          testTimeout: 15_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // fault injection: a TCP proxy in front of PostgreSQL, own redis-server children,
          // simultaneous hub starts, SIGKILL mid-batch (loopback only, bounded loops)
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
