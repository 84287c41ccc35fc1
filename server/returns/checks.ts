import { createHash } from 'node:crypto';
import type { OrderReturn, RejectCode } from '../../shared/protocol';
import type { TerminalPrincipal } from '../auth/guards';
import type { Queryable } from '../db/database';

/** Why a return is refused: a code for the terminal, the reason in English, what it is about. */
export type ReturnRefusal = { code: RejectCode; reason: string; about?: string[] };
export const refuse = (code: RejectCode, reason: string, about?: string[]): ReturnRefusal => ({
  code,
  reason,
  ...(about ? { about } : {}),
});

/**
 * The return as a stable string's hash: what tells a resend (same hash) from another return sent
 * under an id already used. Lines sorted, optional fields spelled out, so key order or line
 * order on the wire does not matter.
 */
export function returnHash(r: OrderReturn): string {
  const canonical = [
    r.id,
    r.orderId,
    r.storeId,
    r.terminalId,
    r.guideId,
    r.kind,
    r.reason,
    r.note ?? null,
    r.managerId ?? null,
    r.exchangeOrderId ?? null,
    new Date(r.createdAt).toISOString(),
    [...r.lines].sort((a, b) => a.lineNo - b.lineNo).map((l) => [l.lineNo, l.quantity]),
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** Returns already stored under these ids, with their hashes. */
export async function storedReturnHashes(
  db: Queryable,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; request_hash: string }>(
    `select id::text as id, request_hash from order_returns
      where id in (select jsonb_array_elements_text($1::jsonb)::uuid)`,
    [JSON.stringify(ids)],
  );
  return new Map(rows.map((r) => [r.id, r.request_hash]));
}

/** The store's active guides and, among them, its managers. */
export async function storeStaff(
  db: Queryable,
  storeId: string,
): Promise<{ guides: Set<string>; managers: Set<string> }> {
  const rows = await db.query<{ id: string; role: string }>(
    'select id::text as id, role from guides where store_id = $1 and active',
    [storeId],
  );
  return {
    guides: new Set(rows.map((r) => r.id)),
    managers: new Set(rows.filter((r) => r.role === 'manager').map((r) => r.id)),
  };
}

/** The checks that need no original order: whose return it is and who took it back. */
export function checkWho(
  r: OrderReturn,
  terminal: TerminalPrincipal,
  staff: { guides: Set<string>; managers: Set<string> },
): ReturnRefusal | null {
  if (r.storeId !== terminal.storeId)
    return refuse('wrong_store', `return is for store ${r.storeId}, not this terminal's store`);
  if (r.terminalId !== terminal.terminalId)
    return refuse('wrong_terminal', `return names terminal ${r.terminalId}, not the sender`);
  if (!staff.guides.has(r.guideId))
    return refuse('guide_inactive', `guide ${r.guideId} is not an active guide of this store`, [
      r.guideId,
    ]);
  if (r.managerId !== undefined && !staff.managers.has(r.managerId))
    return refuse(
      'approval_required',
      `approver ${r.managerId} is not an active manager of this store`,
      [r.managerId],
    );
  return null;
}
