/**
 * The hub's entry points in the test runs' hub bundle (hub-bundle.ts): source file, as the tests
 * name it → the bundle's file name (the same names as `npm run build`'s out/hub/).
 */
export const HUB_BUNDLE_ENTRIES = {
  'server/main.ts': 'main',
  'server/admin/cli.ts': 'admin',
  'server/demo/seed-cli.ts': 'seed',
  'server/demo/simulate-cli.ts': 'simulate',
  // started by server/db/pglite-thread.ts as ./pglite-worker.js beside the hub's file
  'server/db/pglite-worker.ts': 'pglite-worker',
} as const;

export type HubEntry = keyof typeof HUB_BUNDLE_ENTRIES;

declare module 'vitest' {
  export interface ProvidedContext {
    /** the directory of this run's hub bundle (`main.js`, `admin.js`, …), hub-bundle.ts */
    hubBundle: string;
  }
}
