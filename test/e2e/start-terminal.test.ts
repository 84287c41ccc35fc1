import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electronBinaryPath, REPO_ROOT, startTerminal } from '../../scripts/start-terminal';

/*
 * `npm start` picks Electron when its binary is installed. The real binary cannot be installed
 * here, so a stand-in executable (via electron's own ELECTRON_OVERRIDE_DIST_PATH) records how it
 * was launched.
 */

let dist: string;
beforeEach(() => {
  dist = mkdtempSync(join(tmpdir(), 'sg-fake-electron-'));
});
afterEach(() => {
  delete process.env.ELECTRON_OVERRIDE_DIST_PATH;
  rmSync(dist, { recursive: true, force: true });
});

function installFakeElectron(): string {
  const binary = join(dist, 'electron');
  writeFileSync(binary, `#!/bin/sh\necho "$@" > "${join(dist, 'args.txt')}"\nexec sleep 60\n`);
  chmodSync(binary, 0o755);
  return binary;
}

describe('start-terminal: Electron or browser mode', () => {
  it('finds no Electron when the binary is missing (without trying to download it)', () => {
    expect(electronBinaryPath({ ELECTRON_OVERRIDE_DIST_PATH: dist })).toBeNull();
  });

  it('finds an installed Electron binary', () => {
    const binary = installFakeElectron();
    expect(electronBinaryPath({ ELECTRON_OVERRIDE_DIST_PATH: dist })).toBe(binary);
  });

  it('launches the app enrolled to the hub when Electron is installed, and stops it', async () => {
    installFakeElectron();
    process.env.ELECTRON_OVERRIDE_DIST_PATH = dist;
    const lines: string[] = [];
    const terminal = await startTerminal({
      hubUrl: 'http://127.0.0.1:4600',
      token: 'tok_0123456789abcdef0123',
      log: (line) => lines.push(line),
    });
    try {
      expect(terminal.mode).toBe('electron');
      expect(lines).toEqual([
        expect.stringMatching(/Electron app started .* http:\/\/127\.0\.0\.1:4600/),
      ]);
      // The stand-in binary creates args.txt and then writes it: wait for the content.
      const args = join(dist, 'args.txt');
      await expect
        .poll(() => (existsSync(args) ? readFileSync(args, 'utf8').trim() : ''))
        .toBe(
          `${REPO_ROOT} --hub-url=http://127.0.0.1:4600 --enrol-token=tok_0123456789abcdef0123`,
        );
    } finally {
      await terminal.stop();
    }
  });
});
