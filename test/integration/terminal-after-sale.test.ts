import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { shownStock } from '../../shared/domain/styles';
import { endpoints, type OrderReturn } from '../../shared/protocol';
import { err } from '../../shared/result';
import { findProductByCode } from '../../renderer/data/catalog';
import { enqueueOrder } from '../../renderer/data/outbox';
import { enqueueReturn } from '../../renderer/data/returns';
import { hubApi, must } from '../support/api';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { enrolTerminal, orderFor, type Terminal } from './terminal-harness';

/**
 * After-sale from a terminal against a real hub (issue #16 item 1): a sale and its partial return
 * made offline wait in the outbox, the returned units are back on the terminal's shelf at once,
 * and back online the order and then the return reach the hub exactly once — even when the hub's
 * answer to the return is lost and the drain sends it again.
 */
describe('after-sale: offline → online, exactly once, against a real hub', () => {
  let hub: HubProcess;
  let store: StoreFixture;
  let a: Terminal;
  let offline = false;
  let loseNextReturnAnswer = false;
  let returnPosts = 0;
  const SKU = 'AS-TERM-M';

  const figure = async (sku: string) => shownStock((await findProductByCode(a.db, sku))!.stock);
  const down = () => err({ code: 'network' as const, message: 'offline' });

  beforeAll(async () => {
    hub = await startHub();
    store = await createStoreFixture(hub, { name: '上海淮海路店' });
    await must(
      hubApi(hub).call(endpoints.importProducts, {
        body: {
          products: [
            {
              sku: SKU,
              name: '针织衫',
              category: '针织',
              price: 19_900,
              stock: { [store.storeId]: 5 },
            },
          ],
        },
      }),
      'catalog',
    );
    a = await enrolTerminal(hub, store, {
      wrap: (client) => ({
        ...client,
        postOrders: async (orders) => (offline ? down() : client.postOrders(orders)),
        postReturns: async (returns) => {
          if (offline) return down();
          returnPosts += 1;
          const answer = await client.postReturns(returns);
          if (!loseNextReturnAnswer) return answer;
          loseNextReturnAnswer = false;
          return err({ code: 'network', message: 'answer lost on the way back' });
        },
      }),
    });
    await a.engine.syncNow();
  });
  afterAll(async () => {
    a.engine.stop();
    await hub.kill();
    removeDataDir(hub);
  });

  it('a sale and its partial return made offline reach the hub once; stock follows', async () => {
    expect(await figure(SKU)).toBe(5);
    offline = true;
    const sale = orderFor(store, SKU, {
      lines: [{ sku: SKU, quantity: 3, unitPrice: 19_900, discount: 0 }],
    });
    expect((await enqueueOrder(a.db, sale)).ok).toBe(true);
    const ret: OrderReturn = {
      id: newId(),
      orderId: sale.id,
      storeId: store.storeId,
      terminalId: store.terminals[0]!.id,
      guideId: store.guide.id,
      kind: 'return',
      reason: 'size',
      createdAt: new Date().toISOString(),
      lines: [{ lineNo: 1, quantity: 2 }],
    };
    expect((await enqueueReturn(a.db, ret, () => SKU)).ok).toBe(true);
    // Sold 3, 2 back: the counter shows 4 before the hub knows of either.
    expect(await figure(SKU)).toBe(4);
    await a.engine.requestDrain().catch(() => undefined);
    expect(a.engine.status.get().pendingCount).toBe(2);
    expect(returnPosts).toBe(0);

    // Online; the hub stores the return but its answer is lost: the return stays pending.
    offline = false;
    loseNextReturnAnswer = true;
    await a.engine.requestDrain();
    expect(a.engine.status.get().pendingCount).toBe(1);
    // Sent again: the hub recognises it (duplicate) and moves nothing twice.
    await a.engine.requestDrain();
    expect(a.engine.status.get().pendingCount).toBe(0);
    expect(a.engine.status.get().rejectedCount).toBe(0);
    expect(returnPosts).toBe(2);

    const terminal = hubApi(hub, { token: store.terminals[0]!.token });
    const read = await must(terminal.call(endpoints.storeOrder, { params: { orderId: sale.id } }));
    expect(read.afterSale).toEqual({
      refunded: 39_800,
      returnedUnits: 2,
      voided: false,
      returnedByLine: [2],
    });
    const again = await must(terminal.call(endpoints.postReturns, { body: { returns: [ret] } }));
    expect(again.results).toEqual([{ id: ret.id, status: 'duplicate' }]);

    // The hub's figure (5 − 3 + 2) replaces the terminal's own once pulled; no hold is left.
    await a.engine.syncNow();
    expect(await figure(SKU)).toBe(4);
    expect(await a.db.stockHolds.count()).toBe(0);
  });
});
