// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';

/** Platform modules that must never reach `shared/` (it runs in the hub, the renderer and main). */
const platformImports = [
  { group: ['node:*'], message: 'shared/ is pure: no Node modules.' },
  { group: ['electron', 'electron/*'], message: 'shared/ is pure: no Electron.' },
  {
    group: ['react', 'react-dom', 'react/*', 'react-dom/*'],
    message: 'shared/ is pure: no React.',
  },
  {
    group: ['dexie', 'fastify', 'socket.io', 'pg', '@electric-sql/*'],
    message: 'shared/ is pure.',
  },
  {
    group: ['../server/*', '../renderer/*', '../electron/*', '../../*'],
    message: 'shared/ imports only shared/.',
  },
];
const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'crypto',
  'http',
  'https',
  'net',
  'child_process',
  'url',
  'util',
  'stream',
  'events',
  'buffer',
  'process',
];

/** Renderer-wide: the platform only through the bridge. */
const rendererBase = [
  {
    group: ['electron', 'electron/*'],
    message: 'The renderer talks to the platform only through the bridge.',
  },
  { group: ['node:*'], message: 'The renderer runs in a browser.' },
  { group: ['**/server/*'], message: 'The renderer never imports the hub.' },
];

/** The component-test harnesses and the in-process fake hub: never imported by app code. */
const testingOnly = { group: ['**/testing/*'], message: 'renderer/testing/ is for tests only.' };

/**
 * Feature folders of the renderer (screens, hooks, slices of one thing a guide does). Keep in step
 * with scripts/layer-report.ts.
 */
const FEATURES = [
  'arrivals',
  'customers',
  'dashboard',
  'enrol',
  'follow-ups',
  'orders',
  'outreach',
  'session',
  'sync-status',
];

/** How IndexedDB rows are stored (sealed, packed, migrated): renderer/data's business alone. */
const dataInternals = [
  '**/data/*-rows',
  '**/data/sealed',
  '**/data/at-rest',
  '**/data/migrations',
  '**/data/migrate-*',
  '**/data/customer-store',
  '**/data/customer-index',
  '**/data/customer-seal',
  '**/data/customer-dump',
  '**/data/customer-upsert',
  '**/data/sorted-orders',
  '**/data/provisional',
];

const TESTS = ['**/*.test.{ts,tsx}'];

/** Lines a non-test source file may have (scripts/layer-report.ts counts the same way). */
const MAX_LINES = 400;

const API_PATH_MESSAGE =
  'REST paths come from the endpoint table: call through shared/api-client.ts (tests: hubApi/must/callRoute); only a rawCall sending hostile input may write one.';

/** Dexie, how rows are stored, and (for features) the TerminalDb module stay inside renderer/data. */
const storageImports = (who, database) => [
  {
    group: ['dexie', 'dexie/*', ...database, ...dataInternals],
    message: `Only renderer/data touches IndexedDB: ${who} call its intention-named functions.`,
  },
];

const noReact = (folder) => [
  {
    group: [
      'react',
      'react-dom',
      'react/*',
      'react-dom/*',
      'react-i18next',
      'zustand',
      'zustand/*',
    ],
    message: `${folder} runs without React: the UI observes it, through core/ hooks.`,
  },
];

export default tseslint.config(
  { ignores: ['node_modules', 'out', 'dist', 'release', '.hub-data', 'test-results'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeBuiltins, patterns: platformImports }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    // The hub runs on a server: it never reaches into the desktop app or the terminal's UI (what
    // both sides need lives in shared/; the dev server serves the renderer through scripts/).
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/electron/*', '**/renderer/*', 'electron', 'electron/*'],
              message: 'The hub imports neither electron/ nor renderer/: share through shared/.',
            },
            {
              group: ['react', 'react-dom', 'react/*', 'react-dom/*', 'dexie'],
              message: 'The hub has no UI and no IndexedDB.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: rendererBase }],
    },
  },
  // The renderer's layers (docs/architecture.md). A later block's `no-restricted-imports` replaces
  // an earlier one for the files it matches, so each repeats the renderer-wide patterns. Tests are
  // exempt: a test composes what it drives (a flow across two screens, the whole shell) and
  // inspects the stored rows, as the composition root and renderer/data do.
  ...FEATURES.map((feature) => ({
    files: [`renderer/${feature}/**/*.{ts,tsx}`],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...rendererBase,
            {
              group: FEATURES.filter((f) => f !== feature).map((f) => `**/${f}/*`),
              message:
                'Features never import each other: move what both need to core/ or ui/, or let app/ (the composition root) plug it in.',
            },
            {
              group: ['**/app/*'],
              message: 'app/ is the composition root: it imports features, never the reverse.',
            },
            testingOnly,
            ...storageImports('features', ['**/data/database']),
          ],
        },
      ],
    },
  })),
  {
    files: ['renderer/core/**/*.{ts,tsx}', 'renderer/ui/**/*.{ts,tsx}'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...rendererBase,
            testingOnly,
            {
              group: [...FEATURES.map((f) => `**/${f}/*`), '**/app/*'],
              message: 'core/ and ui/ sit below the features and the composition root.',
            },
            { group: ['dexie'], message: 'Only renderer/data talks to Dexie.' },
          ],
        },
      ],
      // core/services.tsx names the database handle's type; only renderer/data opens it.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/data/database', ...dataInternals],
              allowTypeImports: true,
              message: 'Only renderer/data touches tables: call a data function.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/data/**/*.{ts,tsx}'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...rendererBase,
            testingOnly,
            ...noReact('renderer/data'),
            {
              group: [
                ...FEATURES.map((f) => `**/${f}/*`),
                '**/app/*',
                '**/core/*',
                '**/ui/*',
                '**/sync/*',
                '**/platform/*',
                '**/i18n/*',
              ],
              message: 'renderer/data is the bottom layer: it imports only shared/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/sync/**/*.{ts,tsx}'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...rendererBase,
            testingOnly,
            ...noReact('renderer/sync'),
            {
              group: [...FEATURES.map((f) => `**/${f}/*`), '**/app/*', '**/core/*', '**/ui/*'],
              message: 'The sync engine is observed by the UI, never the reverse.',
            },
            // the engine holds the database handle (data/database.ts) and calls data functions
            ...storageImports('the sync engine', []),
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/i18n/**/*.{ts,tsx}', 'renderer/platform/**/*.{ts,tsx}'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...rendererBase,
            testingOnly,
            {
              group: [...FEATURES.map((f) => `**/${f}/*`), '**/app/*', '**/core/*', '**/ui/*'],
              message: 'i18n/ and platform/ know no feature: app/locales.ts collects the strings.',
            },
          ],
        },
      ],
    },
  },
  {
    // The composition root wires the real app: the harnesses and the in-process fake hub
    // (renderer/testing/) are for tests alone, as for every layer below it.
    files: ['renderer/app/**/*.{ts,tsx}', 'renderer/main.tsx'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [...rendererBase, testingOnly],
        },
      ],
    },
  },
  {
    // Head office's web console (#15 item 6): a browser page built on its own. It borrows the
    // dashboard's chart, formats and download helper, never the terminal's app, data or sync.
    files: ['console/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...rendererBase,
            {
              group: [
                '**/renderer/*/*',
                '!**/renderer/dashboard/uplot-chart',
                '!**/renderer/dashboard/format',
                '!**/renderer/dashboard/download',
                '!**/renderer/i18n/i18n',
              ],
              message:
                'The console reuses only renderer/dashboard (chart, formats, download) and renderer/i18n: never the terminal app.',
            },
          ],
        },
      ],
    },
  },
  {
    // One contract with the hub (issue #14): a REST path is written once, in the endpoint table
    // (shared/protocol/endpoints.ts, under API_PREFIX in common.ts), and callers build it from
    // there. The one exception is visible at the call: a test's `rawCall` (test/support/http.ts)
    // sending hostile input — an unknown path, a wrong method, a broken body or header.
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['shared/protocol/common.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: `Literal[value=/^\\/api\\/v1/]:not(CallExpression[callee.name='rawCall'] > Literal)`,
          message: API_PATH_MESSAGE,
        },
        {
          selector: `TemplateLiteral:not(CallExpression[callee.name='rawCall'] > TemplateLiteral) > TemplateElement[value.raw=/^\\/api\\/v1/]`,
          message: API_PATH_MESSAGE,
        },
      ],
    },
  },
  {
    // A file past 400 lines gets split (STYLE.md; issue #14's figure, docs/architecture.md).
    // Counted as `wc -l` counts: every line, blank and comment lines included (ESLint leaves out
    // only the empty "line" after the final newline). Test files are exempt (a table of scenarios
    // reads best whole), and so are the benchmarks in test/bench/: scripts run by hand that read
    // top to bottom as one measured scenario, not code anything else imports. No generated source
    // is checked in under these folders (build output goes to the ignored out/, dist/, release/).
    files: ['{renderer,server,shared,electron,scripts,console,test}/**/*.{ts,tsx,js,mjs,cjs}'],
    ignores: [...TESTS, 'test/bench/**'],
    rules: {
      'max-lines': ['error', { max: MAX_LINES, skipBlankLines: false, skipComments: false }],
    },
  },
  prettier,
);
