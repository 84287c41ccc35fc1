import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import type { Db } from '../db/database';
import { migrate } from '../db/migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import { catalogFeedPage } from '../sync/feeds';
import { upsertProducts } from './service';

/**
 * A product's launch date (新品 on the card, #16 item 5): head office's when given, else the hub's
 * first sight of the product; an update without one keeps it; it travels in the catalog feed.
 */
describe('product launch dates (PGlite)', () => {
  let db: Db;
  const store = newId();
  beforeAll(async () => {
    db = await openTestPglite({ migrated: true });
    await migrate(db);
    await db.query(
      `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 0, 0)`,
      [store],
    );
  }, 60_000);
  afterAll(() => db.close());

  const product = (sku: string, launchedAt?: string) => ({
    sku,
    name: sku,
    category: '衬衫',
    price: 29_900,
    active: true,
    stock: { [store]: 2 },
    ...(launchedAt ? { launchedAt } : {}),
  });
  const launched = async () => {
    const page = await catalogFeedPage(db, store, { after: '0', limit: 100, withTotal: false });
    return new Map(page.items.map((p) => [p.sku, p.launchedAt]));
  };

  it('keeps head office’s date, else the first sight, through updates without one', async () => {
    const before = Date.now();
    await upsertProducts(db, [product('GIVEN', '2026-11-20T08:00:00+08:00'), product('SEEN')]);
    let dates = await launched();
    expect(dates.get('GIVEN')).toBe('2026-11-20T00:00:00.000Z');
    const seen = Date.parse(dates.get('SEEN')!);
    expect(seen).toBeGreaterThanOrEqual(before - 1_000);
    expect(seen).toBeLessThanOrEqual(Date.now() + 1_000);

    // An update without a date keeps it (a price change is not a launch); a new date replaces it.
    const updated = await upsertProducts(db, [
      { ...product('GIVEN'), price: 25_900 },
      product('SEEN', '2026-10-01T00:00:00Z'),
    ]);
    expect(updated.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    dates = await launched();
    expect(dates.get('GIVEN')).toBe('2026-11-20T00:00:00.000Z');
    expect(dates.get('SEEN')).toBe('2026-10-01T00:00:00.000Z');
    // The same date again changes nothing.
    const again = await upsertProducts(db, [product('SEEN', '2026-10-01T00:00:00.000Z')]);
    expect(again.results[0]?.status).toBe('duplicate');
  });
});
