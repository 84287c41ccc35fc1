/**
 * Terminals no longer get a customer's masked phone or full keyed phone hash, only the last 4
 * digits and an 11-bit tag of the hash, and the birthday as month-day (issue #13, items 1 and 6;
 * docs/privacy.md). Stored feed JSON made before holds the old fields: mark all of it out of date
 * (the hub rewrites it in the background; until then pages map rows live, never from old JSON).
 * Arrival cards kept for the catch-up feed swap their masked number for the 尾号 it ends with.
 */
export const terminalPhoneTagsSchema = /* sql */ `
update customers set feed_json_seq = null where feed_json_seq is not null;
update alerts set card = (card - 'phoneMasked') || jsonb_build_object('phoneLast4',
         case when jsonb_typeof(card->'phoneMasked') = 'string'
              then right(card->>'phoneMasked', 4) end)
 where card ? 'phoneMasked';
`;
