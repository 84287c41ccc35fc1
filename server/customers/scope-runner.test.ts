import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import type { HubContext } from '../context';
import type { Db } from '../db/database';
import { migrate } from '../db/migrate';
import { openTestPglite } from '../../test/support/pglite-template';
import type { Realtime } from '../realtime/realtime';
import { settleAfterWrite } from './scope-runner';

const STORE = '0190b000-0000-7000-8000-0000000022a1';
const member = (n: number) => `0190b000-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe('settleAfterWrite (store-scoped feeds)', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it(
    'writes arriving together share settles: each caller returns with its member numbered, and the store hears of it once a settle',
    { timeout: 60_000 },
    async () => {
      const opened = await openTestPglite({ migrated: true });
      db = opened;
      await migrate(opened);
      await opened.query(
        `insert into stores(id, name, timezone, lat, lng) values ($1, '上海', 'Asia/Shanghai', 31.2, 121.4)`,
        [STORE],
      );
      let settles = 0;
      // A settle is one statement that takes the change-feed lock (migration 026).
      const counted: Db = {
        ...opened,
        query: (sql, params) => {
          if (sql.includes('settle_store_scopes(')) settles++;
          return opened.query(sql, params);
        },
        transaction: (fn) => {
          settles++;
          return opened.transaction(fn);
        },
      };
      const told: string[] = [];
      const realtime = {
        toStores: (storeIds: readonly string[], event: string) =>
          told.push(`${storeIds.join(',')} ${event}`),
      } as Pick<Realtime, 'toStores'> as Realtime;
      const ctx: HubContext = {
        db: counted,
        realtime,
        config: loadConfig({ HUB_CUSTOMER_FEED_SCOPE: 'store' }),
        log: pino({ level: 'silent' }),
      };
      const write = async (n: number) => {
        await opened.query(
          `insert into customers(id, seq, name, member_code, home_store_id)
           values ($1, nextval('change_seq'), $2, $3, $4)`,
          [member(n), `会员${n}`, `M${n}`, STORE],
        );
        await settleAfterWrite(ctx);
        const [row] = await opened.query<{ seq: string | null }>(
          'select seq::text as seq from customer_store_scope where customer_id = $1',
          [member(n)],
        );
        return row?.seq ?? null;
      };
      const seqs = await Promise.all(Array.from({ length: 40 }, (_, i) => write(i + 1)));
      expect(seqs.filter((s) => s === null)).toEqual([]);
      expect(new Set(seqs).size).toBe(40);
      // One settle for the first writes, at most one more for everything that came during it
      // (per request it was 40).
      expect(settles).toBeGreaterThanOrEqual(1);
      expect(settles).toBeLessThanOrEqual(3);
      expect(told.length).toBe(settles);
      expect(new Set(told)).toEqual(new Set([`${STORE} customers:changed`]));
    },
  );
});
