import { configDefaults, defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/sequencer';

/**
 * Projects run group after group (`sequence.groupOrder`), each group with its own worker count:
 * - `unit`: fast unit tests next to the code, two files at a time (vitest's default is one fewer
 *   than the cores: one on the 2-core CI machine, where the unit phase was then a third of the run);
 * - `unit-dom`: the renderer's component tests (jsdom), in workers the files share (`isolate:
 *   false`: jsdom and React are loaded once per worker, not once per file); in `unit`'s group
 *   (the same two workers, one queue): its files queued after `unit`'s, so a worker with no
 *   `unit` file left takes them rather than waiting for the last one;
 * - `unit-shared`: the unit files of `UNIT_SHARED` (below), in workers the files share
 *   (`isolate: false`: a file of a few milliseconds of tests took about a second of a worker to
 *   start in a process of its own; 62 files: 76 → 44 s, 76 → 41 CPU-seconds), in the same group,
 *   queued after `unit-dom`'s;
 * - `integration`: cross-process tests in `test/integration` that start real hub processes, three
 *   files at a time (each file's hubs on free ports picked at random below the ephemeral range,
 *   test/support/hub-process.ts; PGlite data dirs and PostgreSQL databases of their own; a file
 *   waits on its hubs and on PostgreSQL in turn: two at a time kept the 2-core machine 161% busy,
 *   three 175%, the phase 388 → 348 s for about the same CPU-seconds), in workers the files share
 *   (`isolate: false`: the test side's modules — the protocol's schemas, the terminal's sync
 *   engine — are loaded once per worker, not once per file; no file mocks a module or changes the
 *   environment);
 * - `integration-alone`: the integration files that measure timing or share the machine's Redis
 *   (short heartbeat and rate-limit windows, a page built ahead within a second), one at a time
 *   after the others, in one worker (`isolate: false`: the per-file start is paid once);
 * - `faults` and `e2e`: together, three files at a time (in any mix): a fault suite or an e2e file
 *   mostly waits (on its hubs, its browser, a fault window); two at a time left the 2-core CI
 *   machine 11% idle (193 → 170 s with three); each starts its own hubs, redis-server children,
 *   TCP proxy and Chromium on free ports, and the e2e builds they share are made once
 *   (shared-builds.ts); the files of both projects taken the longest first, whichever project
 *   they are in (test/support/sequencer.ts: vitest's own order put every e2e file before the
 *   fault suites, the group's longest files, which then ran on alone at the end); the e2e files
 *   in workers they share (`isolate: false`: 218 → 189 s for the group, 61 → 27 s of imports);
 * - `e2e-alone`: the e2e files that assert something within a second or a few (an arrival on
 *   both terminals within 1 s, a claim seen on the other counter within 5 s) or that use the
 *   repository's `out/` (the renderer served in browser mode, the app built when missing), one
 *   at a time after the others (where the only file that writes `out/` is package.test.ts), in
 *   one worker (`isolate: false`: 90 and 83 → 77 and 80 s).
 */
// Component tests that need a module graph of their own (a first load asserted), so they stay in
// `unit`, isolated, rather than in `unit-dom`'s shared workers.
const DOM_ISOLATED = [
  // each case opens a screen whose lazily loaded chunk no earlier test in the worker has loaded
  'renderer/app/screen-switch.test.tsx',
];

// Unit files that share their workers (`unit-shared`): none mocks a module, stubs a global or
// the environment, or fakes timers without restoring them, and the modules they test keep no
// state one file could see of another's (caches are per database handle). The database tests
// (`server/db`, PGlite and migrations) and the renderer's (fake IndexedDB, module-level stores)
// stay isolated in `unit`, as does electron/main/index.test.ts (it mocks `electron`).
const UNIT_SHARED = [
  'shared/**/*.test.ts',
  'server/**/*.test.ts',
  'electron/**/*.test.ts',
  'console/**/*.test.{ts,tsx}',
  // the layer report and the lint rules that hold the renderer's layers
  'scripts/**/*.test.ts',
];
const UNIT_SHARED_BUT_ISOLATED = ['server/db/**/*.test.ts', 'electron/main/index.test.ts'];

const E2E_ALONE = [
  // a member who walks in shows on both terminals within 1 s; 5 s bounds on the next steps
  'test/e2e/guide-flow.test.ts',
  // the other counter sees a claim, the stock and the outbox within 5 s
  'test/e2e/counter-story.test.ts',
  // The files below use the repository's `out/`, which package.test.ts (in the `e2e` group, before
  // these) builds the app into (electron-vite empties `out/main`, `out/preload`, `out/renderer`):
  // every screen opens within 5 s after the page server has gone; serves `out/renderer`
  'test/e2e/browser-mode.test.ts',
  // serves `out/renderer` (the renderer build copied there, as `npm start` serves it)
  'test/e2e/at-rest.test.ts',
  // builds the app into `out/` itself when `out/main` is missing
  'test/e2e/start-terminal.test.ts',
];

// The e2e projects' setup: a folder for the renderer and console builds the files share (one build
// each a run), the hub bundled once per run from the current source (hub-bundle.ts), and the
// database templates made before the workers start (db-templates-setup.ts).
const E2E_GLOBAL_SETUP = [
  'test/e2e/support/global-setup.ts',
  'test/support/hub-bundle.ts',
  'test/support/db-templates-setup.ts',
];

// The data dirs the test hubs' helper made, removed after each file once their hubs have exited.
const HUB_DATA_DIRS_CLEANUP = 'test/support/hub-data-dirs.ts';

const ALONE = [
  // heartbeats every 50 ms on the machine's Redis, a peer counted dead after 1 s of silence
  'test/integration/peer-watch.test.ts',
  // two and three hub nodes on the machine's Redis and PostgreSQL, claims raced across nodes
  // (every multi-node suite, also those still to come)
  'test/integration/multi-node*.test.ts',
  // per-address and per-credential throttles (all traffic from 127.0.0.1), a private redis-server
  'test/integration/abuse.test.ts',
  // the next page is asserted built ahead within 1 s of the first one's answer
  'test/integration/feed-cache.test.ts',
];

export default defineConfig({
  test: {
    globals: true,
    // `expect.poll` without a timeout of its own waits 10 s, not vitest's 1 s: every such poll
    // waits for something that must happen (a page connecting to its hub, a render, a log line),
    // and a loaded 2-core CI machine can take longer than a second for it. Nothing asserted
    // within a time is written as a bare poll; those give their bound explicitly.
    expect: { poll: { timeout: 10_000 } },
    // the files of `faults` and `e2e` (one group) the longest first, whichever project they are in
    // (test/support/sequencer.ts)
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // the rest of the unit files are `unit-shared`, the other component tests (jsdom)
          // `unit-dom`, below
          include: ['renderer/**/*.test.ts', ...DOM_ISOLATED, ...UNIT_SHARED_BUT_ISOLATED],
          exclude: [...configDefaults.exclude],
          environment: 'node',
          // the database templates made before the workers start (db-templates-setup.ts)
          globalSetup: ['test/support/db-templates-setup.ts'],
          // a loaded 2-core machine (scrypt checks, property runs over fake IndexedDB)
          testTimeout: 15_000,
          maxWorkers: 2,
          // PGlite's WebAssembly compiled by V8's baseline tier only, as in the test hubs
          // (hub-process.ts, TEST_HUB_NODE_FLAGS): the database tests each open a PGlite that
          // lives too short for the optimising tier's background compiles to pay back
          execArgv: ['--liftoff-only'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // as `unit`, in workers the files share (`isolate: false`; UNIT_SHARED, above)
          name: 'unit-shared',
          include: UNIT_SHARED,
          exclude: [...configDefaults.exclude, ...UNIT_SHARED_BUT_ISOLATED],
          environment: 'node',
          globalSetup: ['test/support/db-templates-setup.ts'],
          testTimeout: 15_000,
          maxWorkers: 2,
          isolate: false,
          execArgv: ['--liftoff-only'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // The renderer's component tests: whole screens in jsdom, against a fake hub. A jsdom
          // window and React take seconds to load, more than most of these files take to run, so
          // the files share a worker's window and module graph (`isolate: false`); each file
          // starts from an empty window (renderer/testing/dom-file-setup.ts), and each test from
          // a fresh app store and IndexedDB of its own (renderer/testing/screen-testing.tsx).
          name: 'unit-dom',
          include: ['renderer/**/*.test.tsx'],
          exclude: [...configDefaults.exclude, ...DOM_ISOLATED],
          environment: 'jsdom',
          isolate: false,
          setupFiles: ['renderer/testing/dom-file-setup.ts'],
          // Component tests drive whole screens (sign-in runs a real scrypt check); 5 s was seen
          // to run out on a loaded 2-core machine.
          testTimeout: 15_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // data dirs of stopped hubs removed after each file (test/support/hub-data-dirs.ts)
          setupFiles: [HUB_DATA_DIRS_CLEANUP],
          // the hub and its CLIs bundled once per run from the current source (hub-bundle.ts),
          // the database templates made before the workers start (db-templates-setup.ts)
          globalSetup: ['test/support/hub-bundle.ts', 'test/support/db-templates-setup.ts'],
          include: ['test/integration/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ALONE],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 3,
          isolate: false,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-alone',
          // data dirs of stopped hubs removed after each file (test/support/hub-data-dirs.ts)
          setupFiles: [HUB_DATA_DIRS_CLEANUP],
          // the hub and its CLIs bundled once per run from the current source (hub-bundle.ts),
          // the database templates made before the workers start (db-templates-setup.ts)
          globalSetup: ['test/support/hub-bundle.ts', 'test/support/db-templates-setup.ts'],
          include: ALONE,
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          isolate: false,
          sequence: { groupOrder: 3 },
        },
      },
      {
        extends: true,
        test: {
          // fault injection: a TCP proxy in front of PostgreSQL, own redis-server children,
          // simultaneous hub starts, SIGKILL mid-batch (loopback only, bounded loops)
          name: 'faults',
          // data dirs of stopped hubs removed after each file (test/support/hub-data-dirs.ts)
          setupFiles: [HUB_DATA_DIRS_CLEANUP],
          // the hub bundled once per run from the current source (hub-bundle.ts), the database
          // templates made before the workers start (db-templates-setup.ts)
          globalSetup: ['test/support/hub-bundle.ts', 'test/support/db-templates-setup.ts'],
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // with `e2e` (the same group, so the same worker count)
          maxWorkers: 3,
          sequence: { groupOrder: 4 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          // data dirs of stopped hubs removed after each file (test/support/hub-data-dirs.ts)
          setupFiles: [HUB_DATA_DIRS_CLEANUP],
          include: ['test/e2e/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...E2E_ALONE],
          environment: 'node',
          globalSetup: E2E_GLOBAL_SETUP,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // with `faults` (the same group, so the same worker count)
          maxWorkers: 3,
          // in workers the files share (`isolate: false`): Playwright, the protocol and the test
          // helpers are loaded once per worker, not once per file (no e2e file mocks a module or
          // leaves the environment changed; each launches its own Chromium and hubs)
          isolate: false,
          sequence: { groupOrder: 4 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e-alone',
          // data dirs of stopped hubs removed after each file (test/support/hub-data-dirs.ts)
          setupFiles: [HUB_DATA_DIRS_CLEANUP],
          include: E2E_ALONE,
          environment: 'node',
          // as `e2e` (the same build folder: builds made by `e2e` are not made again)
          globalSetup: E2E_GLOBAL_SETUP,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // one worker for the five files (`isolate: false`: the per-file start is paid once;
          // start-terminal.test.ts puts back the variable it sets after each test)
          isolate: false,
          sequence: { groupOrder: 5 },
        },
      },
    ],
  },
});
