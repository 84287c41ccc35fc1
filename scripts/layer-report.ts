/**
 * Figures for the renderer's layering (issue #14): who touches IndexedDB outside `renderer/data`,
 * which imports run between feature folders or back up the layer stack, and which files have grown
 * past 400 lines (the renderer, and every source folder). Static text analysis (imports and `db.<table>` uses), so it needs no build.
 *
 *   npx tsx scripts/layer-report.ts          # summary
 *   npx tsx scripts/layer-report.ts --list   # with the offending files and imports
 *
 * The lint rules in eslint.config.js hold these at zero; this report is for before/after figures
 * and for finding what a rule would flag without reading ESLint output.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const RENDERER = join(ROOT, 'renderer');

/** Feature folders: screens, hooks and slices of one thing a guide does. */
export const FEATURES = [
  'arrivals',
  'customers',
  'dashboard',
  'enrol',
  'follow-ups',
  'orders',
  'outreach',
  'session',
  'sync-status',
] as const;

/**
 * Layers, lowest first; a folder may import its own layer and those before it (a feature no
 * other feature). `app` (the composition root) and `testing` (component-test support, which
 * builds whole apps) sit on top.
 */
const RANK: Record<string, number> = {
  shared: 0,
  data: 1,
  // the browser bridge makes its data key with data/sealed.ts; data/ never imports the platform
  platform: 2,
  sync: 3,
  i18n: 4,
  core: 5,
  ui: 6,
  feature: 7,
  app: 9,
  testing: 10,
};

/** TerminalDb's tables and the Dexie calls that read or write them. */
const TABLES = [
  'customerBlocks',
  'customerKeys',
  'customerMeta',
  'customerOverrides',
  'provisionalCustomers',
  'customerStore',
  'customerAliases',
  'products',
  'staff',
  'alerts',
  'visitsSeen',
  'outbox',
  'syncState',
  'audit',
  'feedRejects',
  'pinLockouts',
];
const TABLE_USE = new RegExp(`\\bdb\\.(?:${TABLES.join('|')}|transaction)\\b`);
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s+'([^']+)'/g;

/** Tests and the harnesses of renderer/testing/ (they seed and inspect the database directly). */
const isTest = (file: string) =>
  /\.test\.tsx?$/.test(file) || file.includes(`${sep}renderer${sep}testing${sep}`);
/** A value import of the database module (a type-only import names the handle, reads nothing). */
const DATABASE_VALUE_IMPORT = /(?:^|\n)\s*import\s+(?!type\b)[^;]*?from\s+'[^']*\/data\/database'/;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** `renderer/<folder>/…` → folder; `shared/…` → shared; the entry `renderer/main.tsx` → app. */
function folderOf(absPath: string): string | null {
  const rel = relative(ROOT, absPath).split(sep);
  if (rel[0] === 'shared') return 'shared';
  if (rel[0] !== 'renderer') return null;
  return rel.length === 2 ? 'app' : (rel[1] ?? null);
}

const layerOf = (folder: string) =>
  (FEATURES as readonly string[]).includes(folder) ? 'feature' : folder;

/** ESLint's `max-lines` in eslint.config.js, for non-test files. */
const MAX_LINES = 400;
/** Lines as `wc -l` counts them (and ESLint's max-lines): the newline ending the file ends a line. */
const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** Where lint's max-lines applies: every source folder; test/bench/ (benchmark scripts) is exempt. */
const SOURCE_FOLDERS = ['renderer', 'server', 'shared', 'electron', 'scripts', 'console', 'test'];
const SOURCE_FILE = /\.(?:tsx?|[mc]?js)$/;

/** Non-test source files over the limit across the repository (`wc -l`). */
function over400Repo(): string[] {
  const walkAll = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : walkAll(path);
      return SOURCE_FILE.test(name) ? [path] : [];
    });
  return SOURCE_FOLDERS.flatMap((folder) => walkAll(join(ROOT, folder)))
    .map((file) => relative(ROOT, file).split(sep).join('/'))
    .filter((rel) => !/\.test\.tsx?$/.test(rel) && !rel.startsWith('test/bench/'))
    .filter((rel) => lineCount(readFileSync(join(ROOT, rel), 'utf8')) > MAX_LINES)
    .sort();
}

export type Report = {
  storageOutsideData: string[];
  storageOutsideDataTests: string[];
  featureToFeature: string[];
  featureToFeatureTests: string[];
  backImports: string[];
  over400: string[];
  over400Tests: string[];
  /** non-test source files over 400 lines in every folder lint's max-lines covers */
  over400Repo: string[];
};

export function layerReport(): Report {
  const report: Report = {
    storageOutsideData: [],
    storageOutsideDataTests: [],
    featureToFeature: [],
    featureToFeatureTests: [],
    backImports: [],
    over400: [],
    over400Tests: [],
    over400Repo: over400Repo(),
  };
  for (const file of walk(RENDERER)) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(ROOT, file).split(sep).join('/');
    const from = folderOf(file)!;
    const test = isTest(file);
    // renderer/testing/ is held to the limit like app code (lint's max-lines covers it)
    if (lineCount(text) > MAX_LINES)
      (/\.test\.tsx?$/.test(file) ? report.over400Tests : report.over400).push(rel);

    const specifiers = [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]!);
    const why = [
      TABLE_USE.test(text) && 'tables',
      specifiers.includes('dexie') && 'dexie',
      // Features may not even name the handle's type; core/ may (services hold the handle), and
      // sync/ may call the database module's functions (it is the data layer's one client
      // below the UI: wiping the database on revocation).
      ((from !== 'sync' && DATABASE_VALUE_IMPORT.test(text)) ||
        (layerOf(from) === 'feature' && specifiers.some((s) => s.endsWith('/data/database')))) &&
        'TerminalDb module',
    ].filter((w): w is string => typeof w === 'string');
    // platform/browser/secret-db.ts is the browser bridge's own key store (the Electron side keeps
    // the same secrets with safeStorage): platform, not the terminal's data, so not counted.
    if (why.length > 0 && from !== 'data' && from !== 'app' && from !== 'platform')
      (test ? report.storageOutsideDataTests : report.storageOutsideData).push(
        `${rel} (${why.join(', ')})`,
      );

    for (const spec of specifiers) {
      if (!spec.startsWith('.')) continue;
      const to = folderOf(resolve(dirname(file), spec));
      if (!to || to === from) continue;
      const edge = `${rel} → ${spec}`;
      const [fromLayer, toLayer] = [layerOf(from), layerOf(to)];
      if (test) {
        // a test composes what it drives; counted apart, not held to the layers
        if (fromLayer === 'feature' && (toLayer === 'feature' || toLayer === 'app'))
          report.featureToFeatureTests.push(edge);
        continue;
      }
      if (fromLayer === 'feature' && toLayer === 'feature') report.featureToFeature.push(edge);
      else if ((RANK[toLayer] ?? 0) >= (RANK[fromLayer] ?? 0)) report.backImports.push(edge);
    }
  }
  return report;
}

if (import.meta.main || process.argv[1]?.endsWith('layer-report.ts')) {
  const report = layerReport();
  const list = process.argv.includes('--list');
  const line = (label: string, items: string[]) => {
    console.log(`${label}: ${items.length}`);
    if (list) for (const item of items) console.log(`  ${item}`);
  };
  line(
    'files outside renderer/data and app/ that use Dexie or TerminalDb tables',
    report.storageOutsideData,
  );
  line('  (test files among them, not counted above)', report.storageOutsideDataTests);
  line('imports between feature folders (non-test)', report.featureToFeature);
  line(
    '  (tests importing another feature or app/, not counted above)',
    report.featureToFeatureTests,
  );
  line('other imports up the layer stack (non-test)', report.backImports);
  line('renderer files over 400 lines (non-test, renderer/testing/ included)', report.over400);
  line('  (test files over 400 lines)', report.over400Tests);
  line('files over 400 lines, repository-wide (non-test, test/bench/ exempt)', report.over400Repo);
}
