import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shownStock } from '../../shared/domain/styles';
import { err } from '../../shared/result';
import { findProductByCode } from '../../renderer/data/catalog';
import { enqueueOrder } from '../../renderer/data/outbox';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { startHub, removeDataDir, type HubProcess } from '../support/hub-process';
import { hubApi, must } from '../support/api';
import { endpoints } from '../../shared/protocol';
import { enrolTerminal, orderFor, waitFor, type Terminal } from './terminal-harness';

/**
 * Stock truth across two counters of one store (issue #16, item 3), real hub, real HTTP and
 * socket clients: a sale shows at once on the terminal that made it (before the hub has it), the
 * hub's figure reaches the other terminal through catalog:changed → pull, and a resend after a
 * lost answer never takes the units off twice — on the hub or on either screen.
 */
describe('stock figures on two terminals against a real hub', () => {
  let hub: HubProcess;
  let store: StoreFixture;
  let a: Terminal;
  let b: Terminal;
  /** A's hub client loses the answer of the next `postOrders` when set (the hub stored it). */
  let loseNextAnswer = false;

  const figure = async (t: Terminal, sku: string) =>
    shownStock((await findProductByCode(t.db, sku))!.stock);

  beforeAll(async () => {
    hub = await startHub();
    store = await createStoreFixture(hub, { name: '上海IFC店' });
    const products = [
      {
        sku: 'SGSH01-BLK-M',
        name: '牛津纺衬衫 黑色',
        category: '衬衫',
        size: 'M',
        colour: '黑色',
        styleCode: 'SGSH01',
        price: 29_900,
        stock: { [store.storeId]: 5 },
      },
    ];
    await must(hubApi(hub).call(endpoints.importProducts, { body: { products } }), 'catalog');
    a = await enrolTerminal(hub, store, {
      index: 0,
      wrap: (client) => ({
        ...client,
        postOrders: async (orders) => {
          const answer = await client.postOrders(orders);
          if (!loseNextAnswer) return answer;
          loseNextAnswer = false;
          return err({ code: 'network', message: 'answer lost on the way back' });
        },
      }),
    });
    b = await enrolTerminal(hub, store, { index: 1 });
    await a.engine.syncNow();
    await b.engine.start();
    await waitFor(() => b.engine.status.get().online, 'terminal B online');
  });
  afterAll(async () => {
    a.engine.stop();
    b.engine.stop();
    await hub.kill();
    removeDataDir(hub);
  });

  it('a sale shows at once on its terminal, and on the other after the hub has it', async () => {
    const sku = 'SGSH01-BLK-M';
    expect(await figure(a, sku)).toBe(5);
    await waitFor(async () => (await figure(b, sku)) === 5, 'B has the catalog');
    expect((await findProductByCode(a.db, sku))?.styleCode).toBe('SGSH01');

    // Saved to A's outbox, not sent yet (as offline): A counts it, the hub and B do not.
    const sale = orderFor(store, sku, {
      lines: [{ sku, quantity: 2, unitPrice: 29_900, discount: 0 }],
    });
    expect((await enqueueOrder(a.db, sale)).ok).toBe(true);
    expect(await figure(a, sku)).toBe(3);
    expect(await figure(b, sku)).toBe(5);

    // Sent; the answer is lost. A keeps counting it once (pending), not twice.
    loseNextAnswer = true;
    await a.engine.requestDrain();
    expect(a.engine.status.get().pendingCount).toBe(1);
    expect(await figure(a, sku)).toBe(3);
    // B is told by the hub (the sale is stored) and pulls the hub's figure.
    await waitFor(async () => (await figure(b, sku)) === 3, 'B shows the hub figure 3');

    // Resent: the hub says duplicate and moves nothing; after A's pull, A shows the hub's 3.
    await a.engine.requestDrain();
    expect(a.engine.status.get().pendingCount).toBe(0);
    await a.engine.syncNow();
    expect(await figure(a, sku)).toBe(3);
    expect(await a.db.stockHolds.count()).toBe(0);
    expect(await figure(b, sku)).toBe(3);
  });

  it('a sale on B reaches A; a sale beyond the stock shows 0 everywhere, never below', async () => {
    const sku = 'SGSH01-BLK-M';
    const one = orderFor(store, sku, {
      terminalId: store.terminals[1]!.id,
      lines: [{ sku, quantity: 1, unitPrice: 29_900, discount: 0 }],
    });
    expect((await enqueueOrder(b.db, one)).ok).toBe(true);
    expect(await figure(b, sku)).toBe(2);
    await b.engine.requestDrain();
    await a.engine.syncNow();
    expect(await figure(a, sku)).toBe(2);

    // A sells 4 of the 2 the books hold: the sale stands, the figure is 0 on both (not -2).
    const over = orderFor(store, sku, {
      lines: [{ sku, quantity: 4, unitPrice: 29_900, discount: 0 }],
    });
    expect((await enqueueOrder(a.db, over)).ok).toBe(true);
    expect(await figure(a, sku)).toBe(0);
    await a.engine.requestDrain();
    await a.engine.syncNow();
    expect((await findProductByCode(a.db, sku))?.stock).toBe(0);
    await waitFor(async () => (await figure(b, sku)) === 0, 'B shows 0');
    expect((await findProductByCode(b.db, sku))?.stock).toBe(0);
  });

  it('the selling terminal, live, drops its hold once the hub has the sale (no double count)', async () => {
    // A live terminal hears catalog:changed for its own sale BEFORE the hub's answer reaches it
    // (the hub broadcasts after commit, then answers): the pull that starts is too early to
    // release the hold. The drain pulls again once the hold is sent, so "本店有货" shows the
    // hub's figure, not the hub's figure less the same sale a second time.
    const sku = 'SGSH01-WHT-M';
    await must(
      hubApi(hub).call(endpoints.importProducts, {
        body: {
          products: [
            {
              sku,
              name: '牛津纺衬衫 白色',
              category: '衬衫',
              size: 'M',
              colour: '白色',
              styleCode: 'SGSH01',
              price: 29_900,
              stock: { [store.storeId]: 6 },
            },
          ],
        },
      }),
      'catalog',
    );
    await a.engine.start();
    await waitFor(() => a.engine.status.get().online, 'terminal A online');
    await waitFor(async () => (await figure(a, sku)) === 6, 'A has the new product');

    const sale = orderFor(store, sku, {
      lines: [{ sku, quantity: 2, unitPrice: 29_900, discount: 0 }],
    });
    expect((await enqueueOrder(a.db, sale)).ok).toBe(true);
    expect(await figure(a, sku)).toBe(4);
    await a.engine.requestDrain();
    expect(a.engine.status.get().pendingCount).toBe(0);
    expect(await a.db.stockHolds.count()).toBe(0);
    expect((await findProductByCode(a.db, sku))?.stock).toBe(4);
    expect(await figure(a, sku)).toBe(4);
    await waitFor(async () => (await figure(b, sku)) === 4, 'B shows the hub figure 4');
  });
});
