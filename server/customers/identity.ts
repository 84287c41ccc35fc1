import { randomInt } from 'node:crypto';
import { phoneHash } from '../../shared/domain/crypto';
import { normalisePhone } from '../../shared/domain/phone';
import type { ItemResult } from '../../shared/protocol';
import { phoneHashKey } from './phone-key';
import type { Queryable } from '../db/database';

/** What a batch write answers: per-item results and the highest change sequence it drew. */
export type BatchOutcome = { results: ItemResult[]; cursor: string | null };

/** Keeps the highest of two decimal cursors (bigint-safe). */
export function maxCursor(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return BigInt(a) >= BigInt(b) ? a : b;
}

export type PhoneIdentity = { e164: string; hash: string };

/** Normalises a phone to E.164 and hashes it under the chain key; null when it is not valid. */
export async function phoneIdentity(
  db: Queryable,
  raw: string,
  key?: string,
): Promise<PhoneIdentity | null> {
  const normalised = normalisePhone(raw);
  if (!normalised) return null;
  return {
    e164: normalised.e164,
    hash: await phoneHash(key ?? (await phoneHashKey(db)), normalised.e164),
  };
}

const randomMemberCode = () =>
  `M${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}${randomInt(0, 10)}`;

/**
 * Fresh member codes for QR cards: 'M' + 10 digits, checked against every row (tombstones keep
 * theirs, so an old card still resolves). Call inside the change-feed lock so two writers cannot
 * pick the same code between the check and the insert. One query per round, however many codes.
 */
export async function generateMemberCodes(db: Queryable, count: number): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < count) {
    const candidates = new Set<string>();
    while (candidates.size < count - codes.size) {
      const code = randomMemberCode();
      if (!codes.has(code)) candidates.add(code);
    }
    const taken = await db.query<{ member_code: string }>(
      'select member_code from customers where member_code = any($1::text[])',
      [[...candidates]],
    );
    const takenSet = new Set(taken.map((r) => r.member_code));
    for (const code of candidates) if (!takenSet.has(code)) codes.add(code);
  }
  return [...codes];
}

export async function generateMemberCode(db: Queryable): Promise<string> {
  const [code] = await generateMemberCodes(db, 1);
  return code!;
}

/** The live customer holding a normalised phone, if any. */
export async function liveCustomerByPhone(db: Queryable, e164: string): Promise<string | null> {
  const rows = await db.query<{ id: string }>(
    'select id from customers where phone_e164 = $1 and merged_into is null and not deleted',
    [e164],
  );
  return rows[0]?.id ?? null;
}
