/**
 * Audit you can read (issue #13): entries that name no customer (a sign-in, a CSV export), a
 * guide's trail by time, and the retention sweep's range scan over `at`.
 */
export const auditReadSchema = /* sql */ `
alter table audit_log alter column customer_id drop not null;
create index audit_log_guide on audit_log(guide_id, at);
create index audit_log_at on audit_log(at);
`;
