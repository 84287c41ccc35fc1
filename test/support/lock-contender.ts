import { createInterface } from 'node:readline';
import { acquireDataDirLock, DataDirLockedError } from '../../server/admin/data-dir-lock';

/**
 * One contender process for the data-dir lock race (test/faults/simultaneous-starts.test.ts):
 * says `ready` once loaded, reads the agreed first instant from stdin (sent when every contender
 * is ready), then for each dir in argv busy-waits until its instant so every contender calls
 * `acquireDataDirLock` within the same millisecond, prints `won <i>` or `lost <i>`, and keeps
 * what it won until stdin closes (a winner must stay alive, or its lock would be stale).
 */
const [stepMs, ...dirs] = process.argv.slice(2);
const step = Number(stepMs);
const input = createInterface({ input: process.stdin });
const closed = new Promise<void>((resolve) => input.once('close', resolve));
const firstLine = new Promise<string>((resolve) => input.once('line', resolve));
process.stdout.write('ready\n');
const start = Number(await firstLine);
for (const [i, dir] of dirs.entries()) {
  const at = start + i * step;
  while (Date.now() < at) {
    // spin: a timer would wake each contender at a different moment
  }
  try {
    acquireDataDirLock(dir);
    process.stdout.write(`won ${i}\n`);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    process.stdout.write(`lost ${i}\n`);
  }
}
process.stdout.write('done\n');
await closed;
process.exit(0);
