import { sealJson, type Envelope, type Keyring, type SealJson } from './seal-crypto';

/** What the page sends the seal worker (seal-worker.ts): its keys once, then values to seal. */
export type SealWorkerRequest =
  { kind: 'keys'; ring: Keyring } | { kind: 'seal'; id: number; json: string; aad: string };

/** The worker's answer to one `seal`: the envelope, or why it could not (never the value). */
export type SealWorkerAnswer = { id: number; envelope: Envelope } | { id: number; error: string };

/** Anything that takes messages like a Web Worker (tests hand in an in-process stand-in). */
export type SealWorkerPort = {
  postMessage(message: SealWorkerRequest): void;
  onmessage: ((event: MessageEvent<SealWorkerAnswer>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
  terminate(): void;
};

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
  const size = Math.max(1, options.workers ?? 1);
  let pool: SealWorkerPort[] | null = null;
  let broken = false;
  let nextId = 1;
  const waiting = new Map<number, { local: () => void; resolve: (envelope: Envelope) => void }>();

  const giveUp = () => {
    broken = true;
    for (const worker of pool ?? []) worker.terminate();
    pool = null;
    const pending = [...waiting.values()];
    waiting.clear();
    for (const call of pending) call.local();
  };

  const onAnswer = (event: MessageEvent<SealWorkerAnswer>) => {
    const answer = event.data;
    const call = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (!call) return;
    if ('envelope' in answer) call.resolve(answer.envelope);
    else call.local();
  };

  const startOne = (ring: Keyring): SealWorkerPort => {
    const worker = options.createWorker();
    worker.onmessage = onAnswer;
    worker.onerror = (event) => {
      event.preventDefault();
      giveUp();
    };
    worker.onmessageerror = giveUp;
    worker.postMessage({ kind: 'keys', ring });
    return worker;
  };

  const start = (ring: Keyring): SealWorkerPort[] | null => {
    if (pool || broken) return pool;
    const started: SealWorkerPort[] = [];
    try {
      for (let i = 0; i < size; i++) started.push(startOne(ring));
    } catch {
      // No module workers here, or the keys could not cross (no serialisable CryptoKeys).
      pool = started;
      giveUp();
      return null;
    }
    return (pool = started);
  };

  return async (json, aad) => {
    const ring = await options.keyring;
    const running = start(ring);
    if (!running) return options.fallback(json, aad);
    return new Promise<Envelope>((resolve, reject) => {
      const id = nextId++;
      const local = () => void options.fallback(json, aad).then(resolve, reject);
      waiting.set(id, { resolve, local });
      running[id % running.length]!.postMessage({ kind: 'seal', id, json, aad });
    });
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
