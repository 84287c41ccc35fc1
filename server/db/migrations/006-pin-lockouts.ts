/**
 * The hub's own PIN lockout (issue #13, item 2): a terminal's count lives on that terminal and can
 * be reset by anyone at its keyboard, so online sign-ins are counted here, per guide, across all
 * of the store's terminals. One row per guide with failures since the last success.
 */
export const pinLockoutsSchema = /* sql */ `
create table guide_pin_lockouts (
  guide_id uuid primary key references guides(id),
  failures integer not null default 0,
  locked_until timestamptz,
  updated_at timestamptz not null default now()
);
`;
