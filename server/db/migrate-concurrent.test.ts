import { expect, it } from 'vitest';
import { describeOnPostgres } from '../../test/support/backends';
import { freshPostgresDatabase } from '../../test/support/services';
import { migrate, migrations } from './migrate';
import { openPostgres } from './postgres';

/**
 * Two hub nodes started at once on an empty PostgreSQL both migrate it (a rolling deploy's first
 * start, the multi-node suites): one applies each migration, the other finds it applied, and
 * neither fails — also on the first statement, which creates the bookkeeping table.
 */
describeOnPostgres('migrations run by two nodes at once on an empty database', () => {
  it('applies every migration exactly once and fails neither node, round after round', async () => {
    for (let round = 0; round < 4; round++) {
      const database = await freshPostgresDatabase();
      const [a, b] = [await openPostgres(database.url), await openPostgres(database.url)];
      try {
        const [ranA, ranB] = await Promise.all([migrate(a), migrate(b)]);
        expect([...ranA, ...ranB].sort((x, y) => x - y)).toEqual(migrations.map((m) => m.version));
        const applied = await a.query<{ n: number }>(
          'select count(*)::int as n from schema_migrations',
        );
        expect(applied[0]!.n).toBe(migrations.length);
      } finally {
        await a.close();
        await b.close();
        await database.drop();
      }
    }
  });
});
