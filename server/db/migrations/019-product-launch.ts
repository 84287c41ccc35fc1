/**
 * Issue #16 item 5, next-best items: "新品" needs to know when a product went on sale.
 * `products.launched_at` is head office's launch date (`launchedAt` in the catalog upsert), else
 * when the hub first saw the product. Products already in the catalog get none: they are not new.
 */
export const productLaunchSchema = /* sql */ `
alter table products add column launched_at timestamptz;
`;
