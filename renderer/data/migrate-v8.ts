import { phoneTag } from '../../shared/domain/phone-tag';
import type { TrailItem } from '../../shared/protocol';
import type { CachedCustomer } from './customer-rows';

/**
 * Dexie v8 (migrations.ts): a cached customer or alert as v7 stored it, rewritten as the hub now
 * sends it (issue #13, items 1 and 6; docs/privacy.md). Pure, so the rules are tested on their own;
 * total, so a row in an unexpected shape is minimised as far as it goes rather than failing the
 * upgrade (which would leave the terminal unable to open its cache).
 */

const HEX_HASH = /^[0-9a-f]{3}/i;
const FULL_DATE = /^\d{4}-(\d{2}-\d{2})$/;

type Row = Record<string, unknown>;
const isRow = (value: unknown): value is Row => typeof value === 'object' && value !== null;

/** A trail item without the channel it came through (the counter never shows it). */
function toTrailItem(item: unknown): unknown {
  if (!isRow(item)) return item;
  const { channel: _channel, ...rest } = item;
  return rest as TrailItem;
}

function toTerminalOnline(online: unknown): unknown {
  if (!isRow(online)) return online;
  const { lastOnlineAt: _at, channel: _channel, ...rest } = online;
  for (const kind of ['viewed', 'carted', 'wishlisted'] as const) {
    const list = rest[kind];
    if (Array.isArray(list)) rest[kind] = list.map(toTrailItem);
  }
  return rest;
}

/**
 * A v7 customer row as v8 keeps it: the full phone hash becomes its tag (its first 11 bits), the
 * masked number, consent flag and creation / update instants go, the birthday keeps "MM-DD", the
 * online trail loses the channels. A row already in the v8 shape comes back unchanged.
 */
export function toV8Customer(row: Row): CachedCustomer {
  const {
    phoneHash,
    phoneMasked: _masked,
    consentMarketing: _consent,
    createdAt: _created,
    updatedAt: _updated,
    ...rest
  } = row;
  const out: Row = { ...rest };
  if (typeof phoneHash === 'string' && HEX_HASH.test(phoneHash)) out.phoneTag = phoneTag(phoneHash);
  else if (typeof out.phoneTag !== 'number') out.phoneTag = null;
  // Without a tag the 尾号 still finds the customer; a full-number lookup needs both.
  const birthday = out.birthday;
  if (typeof birthday === 'string') {
    const match = FULL_DATE.exec(birthday);
    out.birthday = match ? match[1]! : /^\d{2}-\d{2}$/.test(birthday) ? birthday : null;
  }
  if ('online' in out) out.online = toTerminalOnline(out.online);
  return out as CachedCustomer;
}

/** A v7 alert: its card shows the 尾号 instead of the masked number. */
export function toV8Alert(alert: Row): Row {
  const card = alert.card;
  if (!isRow(card) || !('phoneMasked' in card)) return alert;
  const { phoneMasked, ...rest } = card;
  const last4 = typeof phoneMasked === 'string' ? phoneMasked.replace(/\D/g, '').slice(-4) : '';
  return { ...alert, card: { ...rest, phoneLast4: last4.length === 4 ? last4 : null } };
}
