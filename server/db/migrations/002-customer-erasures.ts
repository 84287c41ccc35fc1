/**
 * Erasures on request (right to erasure): the fact, the reason and when — never the erased data.
 * Kept so head office can show what was erased, and so a resend answers `already_erased`.
 */
export const customerErasuresSchema = /* sql */ `
create table customer_erasures (
  customer_id uuid primary key references customers(id),
  reason text not null,
  erased_at timestamptz not null default now()
);
`;
