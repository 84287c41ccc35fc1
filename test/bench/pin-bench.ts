/**
 * `npm run bench:pin` — what it costs to exhaust a guide's PIN from what a terminal holds (issue #13,
 * item 2), and what a sign-in costs the guide.
 *
 * The attacker has the store's verifiers (the staff feed, or the terminal's IndexedDB) and guesses
 * offline with the fastest implementation on this machine: Node's native (OpenSSL) scrypt. The
 * figure is CPU time per guess (the minimum of several runs: the attacker's best case), × 10^6 for
 * the whole 6-digit space. For comparison: the library the terminal uses (@noble/hashes) in Node,
 * and the PBKDF2-SHA-256 (210,000 iterations) verifier of before, × 10^4 for a 4-digit PIN.
 * Then the renderer's own check in Chromium (playwright-core, /usr/bin/chromium): wall time of an
 * offline sign-in's PIN check, which must stay ≤ 1 s.
 */
import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { scrypt as nobleScryptSync } from '@noble/hashes/scrypt.js';
import { PIN_SCRYPT } from '../../shared/domain/pin-verifier';
import { PIN_ITERATIONS } from '../../shared/domain/crypto';
import { CHROMIUM_FLAGS } from '../e2e/support/chromium';

const RUNS = Number(process.env.PIN_BENCH_RUNS ?? 8);
const SPACE_6 = 1e6;
const SPACE_4 = 1e4;

function cpuMsPerCall(fn: () => unknown, runs: number): { min: number; median: number } {
  fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    fn();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { min: samples[0]!, median: samples[Math.floor(samples.length / 2)]! };
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const hours = (msPerGuess: number, space: number) => (msPerGuess * space) / 3_600_000;

async function chromiumSignIn(runs: number): Promise<number[] | string> {
  const bundle = await build({
    entryPoints: [resolve(import.meta.dirname, 'pin-bench-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
  });
  const script = bundle.outputFiles[0]!.text;
  // Served from localhost: a secure context, like the app's own origin.
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><meta charset="utf-8"><script src="/bench.js"></script>');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_FLAGS,
    });
  } catch (error) {
    server.close();
    return `Chromium not available: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const { verifyMs } = await page.evaluate((n) => window.pinBench(n), runs);
    return verifyMs;
  } finally {
    await browser.close();
    server.close();
  }
}

async function main() {
  const salt = randomBytes(16);
  const { N, r, p } = PIN_SCRYPT;
  const maxmem = 256 * N * r;
  console.log(
    `PIN verifier: scrypt N=${N} r=${r} p=${p} (${(128 * N * r) / 2 ** 20} MiB), ${RUNS} runs each`,
  );
  // CPU time is what the attacker pays; wall times (Chromium) also depend on what else runs.
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  const native = cpuMsPerCall(() => scryptSync('480613', salt, 32, { N, r, p, maxmem }), RUNS);
  const noble = cpuMsPerCall(
    () => nobleScryptSync('480613', salt, { N, r, p, dkLen: 32, maxmem }),
    RUNS,
  );
  const pbkdf2 = cpuMsPerCall(() => pbkdf2Sync('1234', salt, PIN_ITERATIONS, 32, 'sha256'), RUNS);

  console.log('\nattacker, per guess (CPU ms: min / median) → one guide’s PIN space exhausted');
  console.log(
    `  native node:crypto scrypt (fastest here) ${fmt(native.min)} / ${fmt(native.median)} ms → 10^6 × min = ${fmt(hours(native.min, SPACE_6))} CPU-hours (6 digits; need ≥ 24, i.e. ≥ 86.4 ms a guess)`,
  );
  console.log(
    `  @noble/hashes scrypt in Node             ${fmt(noble.min)} / ${fmt(noble.median)} ms → ${fmt(hours(noble.min, SPACE_6))} CPU-hours`,
  );
  console.log(
    `  old PBKDF2-SHA-256 ×${PIN_ITERATIONS} (native)   ${fmt(pbkdf2.min)} / ${fmt(pbkdf2.median)} ms → 10^4 × min = ${fmt((pbkdf2.min * SPACE_4) / 1000, 0)} CPU-seconds (4 digits); 6 digits would be ${fmt(hours(pbkdf2.min, SPACE_6))} CPU-hours`,
  );

  const browser = await chromiumSignIn(Math.max(4, Math.min(RUNS, 10)));
  console.log('\nrenderer sign-in in Chromium (offline PIN check, @noble/hashes, wall ms)');
  if (typeof browser === 'string') console.log(`  ${browser}`);
  else {
    const sorted = [...browser].sort((a, b) => a - b);
    console.log(
      `  runs ${browser.map((v) => fmt(v, 0)).join(', ')}; min ${fmt(sorted[0]!, 0)} ms, median ${fmt(sorted[Math.floor(sorted.length / 2)]!, 0)} ms, max ${fmt(sorted[sorted.length - 1]!, 0)} ms (need ≤ 1000)`,
    );
  }
  console.log(
    `\n${JSON.stringify({
      params: PIN_SCRYPT,
      nativeMinMs: +fmt(native.min, 2),
      nativeMedianMs: +fmt(native.median, 2),
      nativeHoursFor1e6: +fmt(hours(native.min, SPACE_6), 2),
      nobleMinMs: +fmt(noble.min, 2),
      pbkdf2MinMs: +fmt(pbkdf2.min, 2),
      pbkdf2SecondsFor1e4: +fmt((pbkdf2.min * SPACE_4) / 1000, 0),
      chromiumMs: typeof browser === 'string' ? null : browser.map((v) => Math.round(v)),
    })}`,
  );
}

await main();
