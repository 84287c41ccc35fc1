import { afterEach, describe, expect, it } from 'vitest';
import { openPglite } from './pglite';
import { migrate, migrations } from './migrate';
import type { Db } from './database';

describe('migrations', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('are numbered 1, 2, 3… without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  // Booting the embedded database takes seconds on a busy 2-core machine.
  it(
    'apply once on an empty database and are a no-op the second time',
    { timeout: 60_000 },
    async () => {
      db = await openPglite('memory://');
      expect(await migrate(db)).toEqual(migrations.map((m) => m.version));
      expect(await migrate(db)).toEqual([]);
      const tables = await db.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public' order by 1",
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          'customers',
          'products',
          'store_products',
          'orders',
          'order_lines',
          'alerts',
          'visits',
          'footfall',
          'terminals',
          'guides',
          'stores',
        ]),
      );
    },
  );
});
