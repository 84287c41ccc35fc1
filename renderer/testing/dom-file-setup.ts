import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';

/*
 * Runs before each file of the `unit-dom` project. Its files share a worker's jsdom window and
 * module graph (`isolate: false`: jsdom, React and the testing library are loaded once per worker,
 * not once per file), so each file starts from what a window of its own would have held: nothing
 * rendered, empty storage, real timers. The app store is reset per test by the harness
 * (screen-testing.tsx), and each test's IndexedDB is an IDBFactory of its own (data/testing.ts).
 */
cleanup();
document.body.replaceChildren();
localStorage.clear();
sessionStorage.clear();
vi.useRealTimers();

// What importing the testing library registers for the file that imports it (cleanup after each
// test, React's act environment on for the file): with the module shared, only the worker's
// first file would get it.
const actEnvironment = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
beforeAll(() => {
  actEnvironment.IS_REACT_ACT_ENVIRONMENT = true;
});
afterEach(() => cleanup());
afterAll(() => {
  delete actEnvironment.IS_REACT_ACT_ENVIRONMENT;
});
