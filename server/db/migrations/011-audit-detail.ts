/**
 * Issue #16 item 8: a guide may give up on an order or registration the hub refused. Head office
 * must still see which and why (a sale that never reaches its figures), so an audit entry can
 * carry a small structured detail (`shared/protocol/audit.ts` `auditDetail`: the queued item's id,
 * kind, the hub's reason code, the guide's fixed-choice reason, an order's total). No free text:
 * the trail holds no personal data.
 */
export const auditDetailSchema = /* sql */ `
alter table audit_log add column detail jsonb;
`;
