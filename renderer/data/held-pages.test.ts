import { describe, expect, it } from 'vitest';
import type { CustomerProfile } from '../../shared/protocol';
import { BLOCK_SIZE, KeyIndex, keysOf, packBlocks } from './customer-index';
import { toCachedCustomer } from './customer-rows';
import { CustomerSeals } from './customer-seal';
import { idPlanOf, planUpsert } from './customer-upsert';
import { HeldPages } from './held-pages';
import { createSealer, generateDataKey, singleKeyring, type Keyring, type Sealer } from './sealed';
import { makeProfile } from './testing';
import { newId } from '../../shared/domain/ids';

const profiles = (count: number): Promise<CustomerProfile[]> =>
  Promise.all(Array.from({ length: count }, (_, i) => makeProfile({ name: `客${i}` })));

/** A sealer that counts how it was asked: whole (`seal`) or packed ahead (`sealPacked`). */
function countingSealer(ring: Keyring) {
  const calls = { whole: 0, packed: 0 };
  const inner = createSealer(ring);
  const sealer: Sealer = {
    ...inner,
    keyId: inner.keyId,
    seal: (value, aad) => {
      calls.whole++;
      return inner.seal(value, aad);
    },
    sealPacked: (packed, aad) => {
      calls.packed++;
      return inner.sealPacked!(packed, aad);
    },
  };
  return { sealer, calls };
}

async function setup() {
  const ring = await singleKeyring(generateDataKey());
  const counting = countingSealer(ring);
  const held = new HeldPages(() => counting.sealer);
  held.useKeys(ring);
  const opener = new CustomerSeals(createSealer(ring));
  return { held, calls: counting.calls, opener };
}

describe('held pages: blocks packed ahead', () => {
  it("seals a page's new blocks from the groups packed ahead, and they open to the page's rows", async () => {
    const { held, calls, opener } = await setup();
    const page = await profiles(250);
    const { page: token, keys } = held.hold(page);
    held.packAhead(token);
    const plan = planUpsert(new KeyIndex([]), keys);
    const sealed = await held.seal(token, idPlanOf(plan), []);
    expect(calls).toEqual({ whole: 0, packed: 3 });
    expect(sealed.keys.map((k) => k.ids.length)).toEqual([BLOCK_SIZE, BLOCK_SIZE, 50]);
    const opened = await Promise.all(sealed.blocks.map((b) => opener.openBlock(b)));
    expect(opened.flatMap((b) => b.rows)).toEqual(page.map(toCachedCustomer));
    expect(opened.map((b) => b.id)).toEqual([0, 1, 2]);
  });

  it('seals whole the blocks that are not a group packed ahead: a top-up, and a row edited here', async () => {
    const { held, calls, opener } = await setup();
    // The store holds one block of 30; the page brings 120 new members and edits one.
    const cached = packBlocks((await profiles(30)).map(toCachedCustomer), 0);
    const index = new KeyIndex(cached.map(keysOf), 1);
    const stored = await opener.sealBlock(cached[0]!);
    const page = await profiles(120);
    const { page: token } = held.hold(page);
    held.packAhead(token);
    const keys = held.withEdits(token, [
      {
        id: newId(),
        customerId: page[5]!.id,
        guideId: newId(),
        at: '2026-12-05T08:00:00.000Z',
        changes: { tags: ['VIP'] },
      },
    ]);
    const plan = planUpsert(index, keys);
    const sealed = await held.seal(token, idPlanOf(plan), [stored]);
    // Block 1 (the first 100, one of them edited) and the top-up of block 0 are sealed whole.
    expect(calls).toEqual({ whole: 2, packed: 0 });
    const opened = await Promise.all(sealed.blocks.map((b) => opener.openBlock(b)));
    expect(opened.map((b) => [b.id, b.rows.length])).toEqual([
      [0, 50],
      [1, BLOCK_SIZE],
    ]);
  });

  it('uses the packed groups when nothing was edited, with a top-up beside them', async () => {
    const { held, calls, opener } = await setup();
    const cached = packBlocks((await profiles(30)).map(toCachedCustomer), 0);
    const stored = await opener.sealBlock(cached[0]!);
    const page = await profiles(220);
    const { page: token, keys } = held.hold(page);
    held.packAhead(token);
    const plan = planUpsert(new KeyIndex(cached.map(keysOf), 1), keys);
    const sealed = await held.seal(token, idPlanOf(plan), [stored]);
    // 200 rows in two new blocks packed ahead; the 20 left over top up block 0 (sealed whole).
    expect(calls).toEqual({ whole: 1, packed: 2 });
    const opened = await Promise.all(sealed.blocks.map((b) => opener.openBlock(b)));
    const rows = page.map(toCachedCustomer);
    expect(opened.map((b) => b.id)).toEqual([0, 1, 2]);
    expect(opened[0]!.rows).toEqual([...cached[0]!.rows, ...rows.slice(200)]);
    expect([...opened[1]!.rows, ...opened[2]!.rows]).toEqual(rows.slice(0, 200));
  });
});
