import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractFile, listPackage } from '@electron/asar';

/*
 * Proves electron-builder.yml offline: `electron-builder --linux --dir` against a stand-in
 * Electron folder (the real zips cannot be downloaded here), then inspects what came out:
 * app.asar holds only the built app, and the packaging fuses were flipped in the binary.
 * The real release command for a networked build machine is in docs/packaging.md.
 */

const ROOT = resolve(import.meta.dirname, '..');
const ELECTRON_VERSION = '45.4.1';
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Fuse order of wire v1 (see @electron/fuses). */
export const FUSES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
/** What a stock Electron binary ships with (so the check sees each fuse actually change). */
const STOCK_WIRE = '10010001';

export type PackageReport = {
  appDir: string;
  executable: string;
  asarFiles: string[];
  fuses: Record<(typeof FUSES)[number], boolean>;
  packagedVersion: string;
  problems: string[];
};

/** A folder shaped like Electron's Linux zip, whose "binary" carries a real fuse wire. */
export function createStandInElectron(dir: string): void {
  const wire = Buffer.concat([
    Buffer.from(
      `#!/bin/sh\necho "stand-in Electron ${ELECTRON_VERSION}: not runnable"\nexit 1\n# `,
    ),
    Buffer.from(SENTINEL),
    Buffer.from([1, FUSES.length]),
    Buffer.from(STOCK_WIRE),
    Buffer.from('\n'),
  ]);
  writeFileSync(join(dir, 'electron'), wire);
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'version'), ELECTRON_VERSION);
  writeFileSync(join(dir, 'LICENSE'), 'stand-in');
  writeFileSync(join(dir, 'LICENSES.chromium.html'), '<p>stand-in</p>');
}

function readFuses(binary: string): PackageReport['fuses'] {
  const bytes = readFileSync(binary);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length;
  if (at < SENTINEL.length) throw new Error(`no fuse sentinel in ${binary}`);
  const entries = FUSES.map((name, i) => [name, bytes[at + 2 + i] === 0x31] as const);
  return Object.fromEntries(entries) as PackageReport['fuses'];
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, CI: '1' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) =>
      code === 0
        ? ok(output)
        : fail(new Error(`${command} ${args.join(' ')} → ${code}\n${output}`)),
    );
  });
}

/** Builds the app (electron-vite) if needed and packages it into `outDir` with a stand-in Electron. */
export async function packageWithStandIn(outDir: string, rebuild = false): Promise<PackageReport> {
  if (rebuild || !existsSync(join(ROOT, 'out/main/index.js'))) {
    await run(process.execPath, [
      join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'),
      'build',
    ]);
  }
  const standIn = mkdtempSync(join(tmpdir(), 'sg-electron-dist-'));
  try {
    createStandInElectron(standIn);
    await run(process.execPath, [
      join(ROOT, 'node_modules/electron-builder/cli.js'),
      '--linux',
      '--dir',
      '--publish',
      'never',
      `--config.electronDist=${standIn}`,
      `--config.directories.output=${outDir}`,
    ]);
  } finally {
    rmSync(standIn, { recursive: true, force: true });
  }

  const appDir = join(outDir, 'linux-unpacked');
  const executable = join(appDir, 'shopguide');
  const asar = join(appDir, 'resources/app.asar');
  const problems: string[] = [];
  if (!existsSync(executable)) problems.push(`missing executable ${executable}`);
  if (!existsSync(asar)) problems.push(`missing ${asar}`);
  const asarFiles = existsSync(asar)
    ? listPackage(asar, { isPack: false }).map((f) => f.replaceAll('\\', '/'))
    : [];
  const fuses = readFuses(executable);
  const packaged = existsSync(asar)
    ? (JSON.parse(extractFile(asar, 'package.json').toString()) as {
        version: string;
        main: string;
      })
    : { version: '', main: '' };

  for (const required of [
    '/out/main/index.js',
    '/out/preload/index.cjs',
    '/out/renderer/index.html',
    '/package.json',
  ]) {
    if (!asarFiles.includes(required)) problems.push(`app.asar lacks ${required}`);
  }
  const shipped = /^\/(package\.json|out|out\/(main|preload|renderer)(\/.*)?)$/;
  const stray = asarFiles.filter((f) => !shipped.test(f));
  if (stray.length > 0)
    problems.push(`app.asar holds more than the built app: ${stray.slice(0, 10).join(', ')}`);
  const expected: PackageReport['fuses'] = {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  };
  for (const name of FUSES) {
    if (fuses[name] !== expected[name])
      problems.push(`fuse ${name} is ${fuses[name]}, want ${expected[name]}`);
  }
  const updateConfig = join(appDir, 'resources/app-update.yml');
  if (
    !existsSync(updateConfig) ||
    !readFileSync(updateConfig, 'utf8').includes('provider: generic')
  ) {
    problems.push('resources/app-update.yml with the generic update provider is missing');
  } else if (!/url: https:\/\//.test(readFileSync(updateConfig, 'utf8'))) {
    problems.push('resources/app-update.yml must point at an https:// update feed');
  }
  if (!existsSync(join(appDir, 'resources/icon.png')))
    problems.push('resources/icon.png is missing');
  if (packaged.main !== 'out/main/index.js') problems.push(`package.json main is ${packaged.main}`);
  return { appDir, executable, asarFiles, fuses, packagedVersion: packaged.version, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outDir = process.argv[2]
    ? resolve(process.argv[2])
    : mkdtempSync(join(tmpdir(), 'sg-package-'));
  const report = await packageWithStandIn(outDir, true);
  console.log(`packaged ${report.packagedVersion} into ${report.appDir}`);
  console.log(
    `app.asar: ${report.asarFiles.length} entries, e.g. ${report.asarFiles.slice(0, 6).join(', ')}`,
  );
  console.log(`fuses: ${JSON.stringify(report.fuses)}`);
  if (report.problems.length > 0) {
    console.error(`package check FAILED:\n- ${report.problems.join('\n- ')}`);
    process.exit(1);
  }
  console.log('package check passed');
}
