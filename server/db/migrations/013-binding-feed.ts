/**
 * Issue #15 item 1, the binding travels in the customer feed:
 * - the feed's profile gained `binding` (server/customers/profile.ts), so every stored feed JSON
 *   is out of date and is rewritten in the background (server/sync/feed-json.ts);
 * - events of one customer at the same instant (an expiry and the order that binds the customer
 *   anew) are told apart by the order they were written in (`ordinal`), which `boundGuideAt`
 *   reads as "the later one holds".
 */
export const bindingFeedSchema = /* sql */ `
alter table customer_binding_events add column ordinal bigint generated always as identity;
create index customer_binding_events_customer_order on customer_binding_events(customer_id, at, ordinal);
update customers set feed_json_seq = null;
`;
