import { afterAll } from 'vitest';
import { removeExitedHubsDataDirs } from './hub-process';

// A `setupFiles` entry of the projects that start hubs (vitest.config.ts): registered before the
// file's own hooks, so it runs after them (after-hooks run in reverse), once its hubs are stopped.
afterAll(() => removeExitedHubsDataDirs());
