/**
 * Each customer's feed item kept as the JSON the feed sends (`server/sync/feed-json.ts`), so a
 * feed page is one narrow query instead of 24 columns mapped and serialised row by row.
 * `feed_json_seq` is the `seq` the JSON was made from: the JSON is used only while the two match,
 * so a write that forgets it can make the feed slower, never wrong. The partial index lists the
 * rows waiting for their JSON.
 */
export const customerFeedJsonSchema = /* sql */ `
alter table customers add column feed_json text;
alter table customers add column feed_json_seq bigint;
create index customers_feed_json_stale on customers(seq) where feed_json_seq is distinct from seq;
`;
