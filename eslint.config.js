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
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*'],
              message: 'The renderer talks to the platform only through the bridge.',
            },
            { group: ['node:*'], message: 'The renderer runs in a browser.' },
            { group: ['**/server/*'], message: 'The renderer never imports the hub.' },
          ],
        },
      ],
    },
  },
  prettier,
);
