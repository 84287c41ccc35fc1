import { sealJson, type Envelope, type Keyring, type SealJson } from './seal-crypto';
import { workerPool, type WorkerPool, type WorkerPort } from './worker-pool';

/** What the page sends the seal worker (seal-worker.ts): its keys once, then values to seal. */
export type SealWorkerRequest =
  { kind: 'keys'; ring: Keyring } | { kind: 'seal'; id: number; json: string; aad: string };

/** The worker's answer to one `seal`: the envelope, or why it could not (never the value). */
export type SealWorkerAnswer = { id: number; envelope: Envelope } | { id: number; error: string };

/** Anything that takes messages like a Web Worker (tests hand in an in-process stand-in). */
export type SealWorkerPort = WorkerPort<SealWorkerRequest, SealWorkerAnswer>;

/**
 * Sealing through the seal worker (issue #17 item 4): JSON text goes to the worker, which
 * deflates and encrypts it under the keyring's current key and answers with the envelope — the
 * same envelope `sealJson` makes here, opened by the same `openJson`. An initial sync of 200,000
 * profiles seals 2,000 blocks of ≈ 130 KB of JSON; that CPU leaves the page's thread, which keeps
 * serialising blocks and writing the previous page meanwhile.
 *
 * The worker is started at the first call and handed the keyring (a non-extractable `CryptoKey`
 * stays non-extractable in the worker). If it cannot start or fails (a platform without module
 * workers, a CSP that refuses it), the calls waiting on it and every later one are sealed here by
 * `fallback`: slower, never wrong. A value the worker could not seal is sealed here too, so its
 * error (a missing key) is the one `sealJson` gives.
 */
export function sealInWorker(options: {
  createWorker: () => SealWorkerPort;
  keyring: Promise<Keyring>;
  fallback: SealJson;
  /** workers to seal in, each value to the next in turn (default 1) */
  workers?: number;
}): SealJson {
  let pool: WorkerPool<SealWorkerRequest, SealWorkerAnswer> | null = null;
  let sent = 0;
  return async (json, aad) => {
    const ring = await options.keyring;
    pool ??= workerPool({
      createWorker: options.createWorker,
      size: options.workers ?? 1,
      greeting: { kind: 'keys', ring },
    });
    const running = pool.start();
    const answer = running
      ? await pool.ask(running[sent++ % running.length]!, (id) => ({ kind: 'seal', id, json, aad }))
      : null;
    // No worker, or it could not seal this one: sealed here (a missing key fails as it does here).
    return answer && 'envelope' in answer ? answer.envelope : options.fallback(json, aad);
  };
}

/**
 * The worker's side (seal-worker.ts runs it on every message; tests run it in process): keeps the
 * keyring it is handed, seals what it is asked to, and answers errors by name only — never the
 * value or the key.
 */
export function sealWorkerHandler(): (
  request: SealWorkerRequest,
) => Promise<SealWorkerAnswer | null> {
  let ring: Keyring | null = null;
  return async (request) => {
    if (request.kind === 'keys') {
      ring = request.ring;
      return null;
    }
    const { id } = request;
    if (!ring) return { id, error: 'no data keys' };
    try {
      return { id, envelope: await sealJson(ring, request.json, request.aad) };
    } catch (error) {
      return { id, error: error instanceof Error ? error.name : 'seal failed' };
    }
  };
}
