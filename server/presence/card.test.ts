import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Db, Row } from '../db/database';
import { openTestPglite } from '../../test/support/pglite-template';
import { buildCustomerCard, type CardCustomerRow } from './card';

/** `db`, counting the statements sent through it (a batcher of its own: `perDatabase`). */
function counting(db: Db): Db & { statements: number } {
  const counted: Db & { statements: number } = {
    ...db,
    statements: 0,
    query: <T extends Row>(sql: string, params?: readonly unknown[]) => {
      counted.statements += 1;
      return db.query<T>(sql, params);
    },
  };
  return counted;
}

/**
 * The arrival card's stock of her online items (issue #17): cards built at once share a stock
 * statement, and each gets exactly its own store's stock, against a real (embedded) database.
 */
describe('buildCustomerCard: the stock of her online items (PGlite)', () => {
  let db: Db;
  const [NORTH, SOUTH] = [newId(), newId()];
  const AT = '2026-11-10T12:00:00.000Z';

  /** A member who viewed and carted these SKUs online, as her `online` column holds them. */
  const member = (viewed: readonly string[], carted: readonly string[] = []): CardCustomerRow => ({
    id: newId(),
    name: '王芳',
    tier: 'gold',
    phone_e164: '+8613800005678',
    sizes: {},
    favourite_categories: [],
    online: {
      viewed: viewed.map((sku) => ({ sku, at: AT })),
      carted: carted.map((sku) => ({ sku, at: AT })),
    },
    in_store: null,
  });
  const stockOf = (card: Awaited<ReturnType<typeof buildCustomerCard>>) =>
    Object.fromEntries(
      [...card.viewed, ...card.carted].map((i) => [i.sku, [i.stockHere, i.price, i.name]]),
    );

  beforeAll(async () => {
    db = await openTestPglite({ migrated: true });
    for (const store of [NORTH, SOUTH])
      await db.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 0, 0)`,
        [store],
      );
    const products = [
      { sku: 'DRS-1', name: '真丝连衣裙', price: 129_900, stock: { [NORTH]: 3, [SOUTH]: 0 } },
      { sku: 'KNT-2', name: '羊绒针织衫', price: 89_900, stock: { [SOUTH]: 7 } },
      { sku: 'BAG-3', name: '托特包', price: 45_000, stock: {} },
    ];
    for (const p of products) {
      const id = newId();
      await db.query(
        `insert into products(id, sku, name, category, price) values ($1, $2, $3, 'x', $4)`,
        [id, p.sku, p.name, p.price],
      );
      for (const [store, stock] of Object.entries(p.stock))
        await db.query(
          `insert into store_products(store_id, product_id, stock, seq)
           values ($1, $2, $3, nextval('change_seq'))`,
          [store, id, stock],
        );
    }
  });
  afterAll(async () => {
    await db.close();
  });

  it('a lone card reads its stock at once; cards built together share statements, each with its own store', async () => {
    const counted = counting(db);

    const alone = await buildCustomerCard(counted, NORTH, member(['DRS-1', 'KNT-2']));
    expect(counted.statements).toBe(1);
    expect(stockOf(alone)).toEqual({
      'DRS-1': [3, 129_900, '真丝连衣裙'],
      'KNT-2': [0, 89_900, '羊绒针织衫'], // never stocked here: 0, not unknown
    });

    // 30 arrivals at once at two stores (the peak): two reads go at once, the 28 that wait
    // behind them go together — 3 statements, not 30.
    counted.statements = 0;
    const arrivals = Array.from({ length: 30 }, (_, i) => ({
      store: i % 2 === 0 ? NORTH : SOUTH,
      customer:
        i % 3 === 0
          ? member(['DRS-1', 'NOPE-9'], ['DRS-1'])
          : i % 3 === 1
            ? member(['KNT-2', 'BAG-3'])
            : member(['BAG-3']),
    }));
    const cards = await Promise.all(
      arrivals.map((a) => buildCustomerCard(counted, a.store, a.customer)),
    );
    expect(counted.statements).toBe(3);
    for (const [i, a] of arrivals.entries()) {
      const alone = await buildCustomerCard(db, a.store, a.customer);
      expect(cards[i], `arrival ${i}`).toEqual(alone);
    }
    // and the stock really is per store: the same dress, both stores, in the shared statements
    expect(stockOf(cards[0]!)['DRS-1']).toEqual([3, 129_900, '真丝连衣裙']);
    expect(stockOf(cards[3]!)['DRS-1']).toEqual([0, 129_900, '真丝连衣裙']);
    expect(stockOf(cards[0]!)['NOPE-9']).toEqual([null, null, undefined]);
    expect(stockOf(cards[1]!)).toEqual({
      'KNT-2': [7, 89_900, '羊绒针织衫'],
      'BAG-3': [0, 45_000, '托特包'],
    });
  });

  it('a card without online items reads nothing', async () => {
    const counted = counting(db);
    const card = await buildCustomerCard(counted, NORTH, member([]));
    expect(card.viewed).toEqual([]);
    expect(counted.statements).toBe(0);
  });
});
