import { HUB_ENTRY_POINTS } from '../../scripts/hub-esbuild.mjs';

type EntryPoints = typeof HUB_ENTRY_POINTS;

/**
 * The hub's entry points in the test runs' hub bundle (hub-bundle.ts): source file, as the tests
 * name it → the bundle's file name (`npm run build`'s, scripts/hub-esbuild.mjs).
 */
export const HUB_BUNDLE_ENTRIES = Object.fromEntries(
  Object.entries(HUB_ENTRY_POINTS).map(([name, source]) => [source, name]),
) as { [Name in keyof EntryPoints as EntryPoints[Name]]: Name };

export type HubEntry = keyof typeof HUB_BUNDLE_ENTRIES;

declare module 'vitest' {
  export interface ProvidedContext {
    /** the directory of this run's hub bundle (`main.js`, `admin.js`, …), hub-bundle.ts */
    hubBundle: string;
  }
}
