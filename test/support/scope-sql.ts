import type { Db } from '../../server/db/database';

/**
 * Store-scope rows read and written straight in SQL, for the tests of the scope migrations
 * (server/db/migrate-0xx.test.ts, test/integration/scope-settle.test.ts).
 */

/** A store's active scope size, as the settle counts it (`customer_scope_sizes`; 0 when none). */
export const scopeSize = async (db: Db, store: string): Promise<number> =>
  (
    await db.query<{ active: number }>(
      'select active from customer_scope_sizes where store_id = $1',
      [store],
    )
  )[0]?.active ?? 0;

/** A member inserted as the hub's writers number one (member code from her id), homed or not. */
export const addScopeMember = (db: Db, id: string, name: string, home: string | null = null) =>
  db.query(
    `insert into customers(id, seq, name, member_code, home_store_id)
     values ($1, nextval('change_seq'), $2, $3, $4)`,
    [id, name, `M-${id.slice(-4)}`, home],
  );
