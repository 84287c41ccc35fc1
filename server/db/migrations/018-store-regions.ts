/**
 * Issue #15 item 6, head office's console: stores are grouped by sales region (华东, 华北…) for the
 * chain's KPIs. Free text set by IT (`hub:admin add-store --region`, `POST /admin/stores`); null
 * for stores not yet placed in a region, which the console lists as "no region".
 */
export const storeRegionsSchema = /* sql */ `
alter table stores add column region text;
`;
