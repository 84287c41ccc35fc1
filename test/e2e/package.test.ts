import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageWithStandIn, type PackageReport } from '../../scripts/package-check';

/*
 * electron-builder.yml, proven offline: a real `electron-builder --linux --dir` run against a
 * stand-in Electron folder, then the output inspected the way a security review would.
 */

const outDir = mkdtempSync(join(tmpdir(), 'sg-package-'));
let report: PackageReport;

beforeAll(async () => {
  report = await packageWithStandIn(outDir, true);
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('packaged terminal app (electron-builder --dir, stand-in Electron)', () => {
  it('passes every packaging check', () => {
    expect(report.problems).toEqual([]);
  });

  it('ships only the built app: no hub, no node_modules, no sources or maps', () => {
    expect(report.asarFiles).toContain('/out/main/index.js');
    expect(report.asarFiles).toContain('/out/preload/index.cjs');
    expect(report.asarFiles).toContain('/out/renderer/index.html');
    for (const file of report.asarFiles) {
      expect(file).not.toMatch(/node_modules|\/server\/|\/out\/hub|\.ts$|\.map$/);
    }
  });

  it('flips the security fuses in the Electron binary', () => {
    expect(report.fuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('carries the version and the generic update feed', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(report.packagedVersion).toBe(pkg.version);
    const update = readFileSync(join(report.appDir, 'resources/app-update.yml'), 'utf8');
    expect(update).toMatch(/provider: generic/);
    // packaged terminals take updates over HTTPS only (electron/main/services/updater.ts)
    expect(update).toMatch(/url: https:\/\/.*\/updates/);
  });
});
