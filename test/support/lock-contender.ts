import { acquireDataDirLock, DataDirLockedError } from '../../server/admin/data-dir-lock';

/**
 * One contender process for the data-dir lock race (test/faults/simultaneous-starts.test.ts):
 * for each dir in argv, busy-waits until its agreed instant so every contender calls
 * `acquireDataDirLock` within the same millisecond, prints `won <i>` or `lost <i>`, and keeps
 * what it won until stdin closes (a winner must stay alive, or its lock would be stale).
 */
const [firstAt, stepMs, ...dirs] = process.argv.slice(2);
const start = Number(firstAt);
const step = Number(stepMs);
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
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
