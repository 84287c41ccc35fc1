import type { FollowUpItem } from '../../shared/protocol';
import type { Queryable } from '../db/database';
import type { FeedOptions, FeedPage } from '../sync/feeds';
import { rowToItem, TASK_COLUMNS, type TaskRow } from './tasks';

/**
 * A store's follow-up tasks changed after `after`, in feed order. A terminal starting from 0 gets
 * the open tasks only (closed ones would only be removed again); later pages carry closed tasks
 * too, so they leave the list on every terminal.
 */
export async function followUpFeedPage(
  db: Queryable,
  storeId: string,
  { after, limit, withTotal }: FeedOptions,
): Promise<FeedPage<FollowUpItem>> {
  const fresh = after === '0';
  const where = `store_id = $1 and seq > $2::bigint ${fresh ? "and status = 'open'" : ''}`;
  const rows = await db.query<TaskRow>(
    `select ${TASK_COLUMNS} from follow_up_tasks where ${where} order by seq limit $3`,
    [storeId, after, limit + 1],
  );
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const page: FeedPage<FollowUpItem> = {
    items: kept.map(rowToItem),
    cursor: kept.at(-1)?.seq ?? after,
    hasMore,
  };
  if (withTotal)
    page.total = hasMore
      ? ((
          await db.query<{ n: number }>(
            `select count(*)::int as n from follow_up_tasks where ${where}`,
            [storeId, after],
          )
        )[0]?.n ?? 0)
      : kept.length;
  return page;
}
