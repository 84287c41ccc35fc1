import type { ReactNode } from 'react';
import { variantLabel, type Variant } from '../../shared/domain/variant';
import './line-item.css';

/**
 * A sold item as a guide reads it: the product name and its colour and size ("V领基础T恤
 * 雾霾蓝 · XL"), the SKU after it, small and grey — still on the page for staff who search by it.
 * `children` follow the SKU on its line (the unit price on the order and receipt screens).
 */
export function LineItem({
  name,
  colour,
  size,
  sku,
  children,
}: Variant & { name: string; sku: string; children?: ReactNode }) {
  const variant = variantLabel({ colour, size });
  return (
    <span className="line-item">
      <span className="line-item-name">{name}</span>
      {variant && <span className="line-item-variant"> {variant}</span>}
      <small className="line-item-sku">
        {' '}
        {sku}
        {children}
      </small>
    </span>
  );
}
