/**
 * What a terminal last reported about itself (issue #13: IT lists terminals with last seen, app
 * version and pending outbox size): an outbox that keeps growing on one PC is the early sign of a
 * store losing orders to a broken network or an old build.
 */
export const terminalStatusSchema = /* sql */ `
alter table terminals add column app_version text;
alter table terminals add column pending_outbox integer;
alter table terminals add column rejected_outbox integer;
alter table terminals add column status_at timestamptz;
`;
