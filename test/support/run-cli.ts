import { spawn } from 'node:child_process';
import { runAdminCli } from '../../server/admin/cli';
import type { HubEntry } from './hub-bundle-entries';
import { hubEntryArgs, REPO_ROOT } from './hub-process';

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** This process's environment without the hub's own settings, with `env` on top. */
function cliEnv(env: Record<string, string | undefined>): Record<string, string> {
  const base: Record<string, string | undefined> = { ...process.env };
  delete base.DATABASE_URL;
  delete base.HUB_DATA_DIR;
  delete base.HUB_ADMIN_KEY;
  delete base.HUB_INTEGRATION_KEY;
  const merged = { ...base, ...env };
  return Object.fromEntries(
    Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

/**
 * Runs one of the hub's CLIs (`server/admin/cli.ts`, `server/demo/seed-cli.ts`, …) as a real
 * process (from the run's hub bundle, or under tsx: hub-process.ts's `hubEntryArgs`), with the
 * given environment on top of a clean one (no DATABASE_URL leaks).
 */
export async function runCli(
  script: HubEntry,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
): Promise<CliResult> {
  const proc = spawn(process.execPath, [...(await hubEntryArgs(script)), ...args], {
    cwd: REPO_ROOT,
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `hub:admin` in this process: server/admin/cli.ts's `runAdminCli` with the environment `runCli`
 * would give the process, its lines collected as the process prints them (console.log). A spawn
 * under tsx costs seconds of CPU per call; admin-cli.test.ts still runs the real process once.
 * Direct mode opens the database here (PGlite: only while no hub holds the data dir, as for the
 * process) and closes it before this resolves.
 */
export async function runAdminCliHere(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runAdminCli(args, cliEnv(env), {
    out: (line) => (stdout += `${line}\n`),
    err: (line) => (stderr += `${line}\n`),
  });
  return { code, stdout, stderr };
}
