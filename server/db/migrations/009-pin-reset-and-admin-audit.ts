/**
 * Issue #13, what the lifecycle and the audit still missed:
 * - `guides.pin_change_required`: set when IT resets a PIN (IT knows it), cleared when the guide
 *   changes it; the hub answers `pinChangeRequired` at online sign-in while it is set.
 * - The audit also records what the hub sees itself (PIN changes, phone lookups through
 *   registration) and what admins do (guide lifecycle, terminals, erasures, keys). `source` says
 *   who wrote an entry and through which door: `terminal` (reported by a terminal), `hub` (seen by
 *   the hub while serving a terminal), `admin_cli` (run directly on the database), `admin_rest`
 *   (admin REST with the admin key), `integration` (integration API). Every row before this
 *   migration was reported by a terminal or written by the hub for a terminal's sign-in: both
 *   say where (store and terminal), so they stay valid as `terminal`.
 * - Admin entries may have no terminal (a guide's deactivation) and no store (an erasure: a
 *   customer belongs to the chain). Entries made for a terminal must still say where.
 * - The terminal's trail (`audit --terminal`) and the registration lookup limit scan by terminal.
 */
export const pinResetAndAdminAuditSchema = /* sql */ `
alter table guides add column pin_change_required boolean not null default false;
alter table audit_log alter column store_id drop not null;
alter table audit_log alter column terminal_id drop not null;
alter table audit_log add column source text not null default 'terminal'
  check (source in ('terminal', 'hub', 'admin_cli', 'admin_rest', 'integration'));
alter table audit_log add constraint audit_log_terminal_entries_say_where
  check (source not in ('terminal', 'hub') or (store_id is not null and terminal_id is not null));
create index audit_log_terminal on audit_log(terminal_id, at);
`;
