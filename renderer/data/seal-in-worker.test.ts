import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  sealInWorker,
  sealWorkerHandler,
  type SealWorkerAnswer,
  type SealWorkerPort,
  type SealWorkerRequest,
} from './seal-in-worker';
import {
  aadFor,
  generateDataKey,
  openJson,
  sealJson,
  singleKeySealer,
  type Keyring,
} from './sealed';
import { utf8 } from './seal-crypto';

/** A block-sized value: 100 profiles of ≈ 300 characters (over the 16 KiB worth offloading). */
const block = Array.from({ length: 100 }, (_, i) => ({
  id: `c-${i}`,
  name: '王芳',
  notes: `NOTES-${i} prefers linen, size M, asks for new arrivals in store`.repeat(4),
}));

type Port = SealWorkerPort & {
  requests: SealWorkerRequest[];
  /** makes the "worker" fail as a crashed Web Worker does */
  crash(): void;
  terminated: boolean;
};

/**
 * An in-process stand-in for the Web Worker: the worker's own handler (`sealWorkerHandler`, what
 * seal-worker.ts runs), answering asynchronously as a worker does. `hold` keeps answers back.
 */
function inProcessWorker(options: { hold?: boolean; answer?: 'error' } = {}): Port {
  const handle = sealWorkerHandler();
  const port: Port = {
    requests: [],
    terminated: false,
    onmessage: null,
    onerror: null,
    onmessageerror: null,
    postMessage(request) {
      port.requests.push(request);
      if (options.hold) return;
      void handle(request).then((answer) => {
        if (!answer || port.terminated) return;
        const sent: SealWorkerAnswer =
          options.answer === 'error' ? { id: answer.id, error: 'OperationError' } : answer;
        port.onmessage?.({ data: sent } as MessageEvent<SealWorkerAnswer>);
      });
    },
    terminate() {
      port.terminated = true;
    },
    crash() {
      port.onerror?.({ preventDefault: () => undefined } as ErrorEvent);
    },
  };
  return port;
}

const keyringOf = async (): Promise<Keyring> => ({
  current: 1,
  keys: new Map([[1, await generateDataKey()]]),
});
const seals = (port: Port) => port.requests.filter((r) => r.kind === 'seal');

describe('sealing in the seal worker', () => {
  it('hands the keys over once, then seals large values there; they open here', async () => {
    const ring = keyringOf();
    const port = inProcessWorker();
    const sealer = singleKeySealer(
      ring.then((r) => r.keys.get(1)!),
      () => port,
    );
    const aad = aadFor('customerBlocks', 3);
    const [a, b] = await Promise.all([sealer.seal(block, aad), sealer.seal(block, aad)]);
    expect(port.requests.map((r) => r.kind)).toEqual(['keys', 'seal', 'seal']);
    expect(a.z).toBe(1); // deflated, as a block sealed here is
    expect(a.iv).not.toBe(b.iv); // a fresh IV per value, also from the worker
    expect(await sealer.open(a, aad)).toEqual(block);
    expect(await sealer.open(b, aad)).toEqual(block);
    // Bound to where it lives, exactly as a value sealed here.
    await expect(sealer.open(a, aadFor('customerBlocks', 4))).rejects.toMatchObject({
      code: 'tampered',
    });
  });

  it('seals small values (one override row) on the page, without a round trip', async () => {
    const port = inProcessWorker();
    const sealer = singleKeySealer(generateDataKey(), () => port);
    const row = block[0]!;
    const envelope = await sealer.seal(row, aadFor('customerOverrides', row.id));
    expect(port.requests).toEqual([]);
    expect(envelope.z).toBeUndefined();
    expect(await sealer.open(envelope, aadFor('customerOverrides', row.id))).toEqual(row);
  });

  it('seals the waiting values and every later one here when the worker fails', async () => {
    const ring = await keyringOf();
    const port = inProcessWorker({ hold: true });
    let started = 0;
    const seal = sealInWorker({
      createWorker: () => {
        started += 1;
        return port;
      },
      keyring: Promise.resolve(ring),
      fallback: (json, aad) => sealJson(ring, json, aad),
    });
    const json = JSON.stringify(block);
    const waiting = [seal(json, 'a'), seal(json, 'b')];
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seals(port)).toHaveLength(2);
    port.crash();
    const [a, b] = await Promise.all(waiting);
    expect(port.terminated).toBe(true);
    expect(await openJson(ring, a!, 'a')).toBe(json);
    expect(await openJson(ring, b!, 'b')).toBe(json);
    const later = await seal(json, 'c');
    expect(await openJson(ring, later, 'c')).toBe(json);
    expect(seals(port)).toHaveLength(2); // nothing more was posted
    expect(started).toBe(1); // and the broken worker is not started again
  });

  it('falls back when the worker cannot start, or cannot seal one value', async () => {
    const ring = await keyringOf();
    const json = JSON.stringify(block);
    const noWorker = sealInWorker({
      createWorker: () => {
        throw new Error('module workers refused');
      },
      keyring: Promise.resolve(ring),
      fallback: (text, aad) => sealJson(ring, text, aad),
    });
    expect(await openJson(ring, await noWorker(json, 'x'), 'x')).toBe(json);

    const refusing = inProcessWorker({ answer: 'error' });
    const sealedHere: string[] = [];
    const oneRefused = sealInWorker({
      createWorker: () => refusing,
      keyring: Promise.resolve(ring),
      fallback: (text, aad) => {
        sealedHere.push(aad);
        return sealJson(ring, text, aad);
      },
    });
    expect(await openJson(ring, await oneRefused(json, 'y'), 'y')).toBe(json);
    expect(sealedHere).toEqual(['y']);
    expect(seals(refusing)).toHaveLength(1);
  });

  it("surfaces the fallback's error when neither side can seal (the current key is missing)", async () => {
    const ring: Keyring = { current: 2, keys: new Map([[1, await generateDataKey()]]) };
    const port = inProcessWorker();
    const seal = sealInWorker({
      createWorker: () => port,
      keyring: Promise.resolve(ring),
      fallback: (json, aad) => sealJson(ring, json, aad),
    });
    await expect(seal(JSON.stringify(block), 'z')).rejects.toMatchObject({ code: 'unknown_key' });
  });

  it('the worker answers by error name only, never with the value or a key', async () => {
    const handle = sealWorkerHandler();
    // Before it was handed keys.
    expect(await handle({ kind: 'seal', id: 1, json: '"secret-value"', aad: 'a' })).toEqual({
      id: 1,
      error: 'no data keys',
    });
    await handle({ kind: 'keys', ring: { current: 9, keys: new Map() } });
    const answer = await handle({ kind: 'seal', id: 2, json: '"secret-value"', aad: 'a' });
    expect(answer).toEqual({ id: 2, error: 'SealError' });
  });
});

describe('utf8 (the sealer’s UTF-8 encoder)', () => {
  it('gives exactly what TextEncoder gives, lone surrogates included', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect([...utf8(text)]).toEqual([...encoder.encode(text)]);
      }),
      { numRuns: 500 },
    );
    for (const text of [
      '',
      '王芳 M 38',
      '\ud83d\ude00',
      '\ud83d',
      'a\udc00b',
      '\ud800\ud800\udc00',
      // beyond the kept scratch buffer (a buffer of its own), then small ones again
      `${'x'.repeat(1_500_000)}王`,
      'ab',
      '芳',
    ])
      expect([...utf8(text)]).toEqual([...encoder.encode(text)]);
  });
});
