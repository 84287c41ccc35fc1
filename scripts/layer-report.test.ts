import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerReport } from './layer-report';

const ROOT = resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });
const RULES = new Set(['no-restricted-imports', '@typescript-eslint/no-restricted-imports']);

/** The import-rule messages ESLint gives `code` as if it were the file at `filePath`. */
async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? []).filter((m) => RULES.has(m.ruleId ?? '')).map((m) => m.message);
}

/** The max-lines messages ESLint gives `code` as if it were the file at `filePath`. */
async function lengthErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'max-lines').map((m) => m.message);
}

/** A file of `lines` lines as `wc -l` counts them (each ends with a newline). */
const fileOfLines = (lines: number) =>
  Array.from({ length: lines }, (_, i) => `export const line${i} = ${i};\n`).join('');

/** One import of `spec`, used (so only the import rules can complain). */
const importing = (spec: string, kind: 'value' | 'type' = 'value') =>
  kind === 'type'
    ? `import type { X } from '${spec}';\nexport type Y = X;\n`
    : `import { x } from '${spec}';\nexport const y = x;\n`;

describe('renderer layers (issue #14)', () => {
  it('keeps IndexedDB in renderer/data and features apart (static figures)', () => {
    const report = layerReport();
    expect(report.storageOutsideData).toEqual([]);
    expect(report.featureToFeature).toEqual([]);
    expect(report.backImports).toEqual([]);
    expect(report.over400).toEqual([]);
    expect(report.over400Repo).toEqual([]);
  });

  it('fails lint when a source file grows past 400 lines (tests and benchmarks exempt)', async () => {
    for (const file of [
      'renderer/data/violation.ts',
      'renderer/testing/violation.tsx',
      'server/admin/violation.ts',
      'shared/protocol/violation.ts',
      'electron/main/violation.ts',
      'scripts/violation.ts',
      'test/support/violation.ts',
    ]) {
      expect(await lengthErrors(file, fileOfLines(401))).toEqual([
        'File has too many lines (401). Maximum allowed is 400.',
      ]);
      expect(await lengthErrors(file, fileOfLines(400))).toEqual([]);
    }
    for (const file of ['renderer/data/customer-store.test.ts', 'test/bench/violation.ts'])
      expect(await lengthErrors(file, fileOfLines(401))).toEqual([]);
  });

  it('keeps the test harnesses and the fake hub out of app code', async () => {
    for (const file of [
      'renderer/sync/violation.ts',
      'renderer/app/violation.tsx',
      'renderer/main.tsx',
      'renderer/orders/violation.ts',
    ])
      expect(await importErrors(file, importing('../testing/fake-hub'))).toEqual([
        expect.stringContaining('renderer/testing/'),
      ]);
    expect(
      await importErrors('renderer/sync/sync-engine.test.ts', importing('../testing/fake-hub')),
    ).toEqual([]);
  });

  it('fails lint when a feature imports another feature or the composition root', async () => {
    const errors = await importErrors(
      'renderer/orders/violation.ts',
      importing('../customers/use-customers'),
    );
    expect(errors).toEqual([expect.stringContaining('Features never import each other')]);
    expect(
      await importErrors('renderer/enrol/violation.ts', importing('../app/bootstrap')),
    ).toEqual([expect.stringContaining('composition root')]);
  });

  it('fails lint when a feature reaches for Dexie, the TerminalDb module or sealed rows', async () => {
    for (const spec of ['dexie', '../data/database', '../data/outbox-rows', '../data/sealed'])
      expect(await importErrors('renderer/dashboard/violation.ts', importing(spec))).toEqual([
        expect.stringContaining('Only renderer/data touches IndexedDB'),
      ]);
    expect(
      await importErrors('renderer/arrivals/violation.ts', importing('../data/database', 'type')),
    ).toHaveLength(1);
  });

  it('fails lint when renderer/data or renderer/sync imports React, or sync imports Dexie', async () => {
    for (const file of ['renderer/data/violation.ts', 'renderer/sync/violation.ts'])
      expect(await importErrors(file, importing('react'))).toEqual([
        expect.stringContaining('runs without React'),
      ]);
    expect(await importErrors('renderer/sync/violation.ts', importing('dexie'))).toHaveLength(1);
    expect(
      await importErrors('renderer/data/violation.ts', importing('../sync/sync-engine')),
    ).toHaveLength(1);
  });

  it('keeps core/, ui/, i18n/ below the features', async () => {
    expect(
      await importErrors('renderer/core/violation.ts', importing('../orders/order-screen')),
    ).toHaveLength(1);
    expect(await importErrors('renderer/ui/violation.tsx', importing('dexie'))).toHaveLength(1);
    expect(
      await importErrors('renderer/i18n/violation.ts', importing('../orders/locales')),
    ).toHaveLength(1);
    // core/services.tsx holds the database handle: naming its type is allowed, reading is not
    expect(
      await importErrors('renderer/core/allowed.ts', importing('../data/database', 'type')),
    ).toEqual([]);
    expect(await importErrors('renderer/core/violation.ts', importing('../data/database'))).toEqual(
      [expect.stringContaining('Only renderer/data touches tables')],
    );
  });

  it('lets features use core/, ui/ and data functions, and tests compose features', async () => {
    const allowed = [
      '../core/store',
      '../ui/customer-badges',
      '../data/outbox',
      '../sync/sync-status',
    ];
    for (const spec of allowed)
      expect(await importErrors('renderer/orders/allowed.ts', importing(spec))).toEqual([]);
    expect(
      await importErrors(
        'renderer/orders/flow.test.tsx',
        importing('../customers/register-screen'),
      ),
    ).toEqual([]);
  });

  it('fails lint when the hub imports the desktop app or the renderer, or shared/ imports Node', async () => {
    for (const spec of ['../../electron/main/index', '../../renderer/data/outbox', 'react'])
      expect(await importErrors('server/orders/violation.ts', importing(spec))).toHaveLength(1);
    expect(
      await importErrors('server/orders/violation.ts', importing('../../shared/protocol')),
    ).toEqual([]);
    expect(await importErrors('shared/domain/violation.ts', importing('node:fs'))).toHaveLength(1);
  });
});
