/** What tells one SKU of a style from another: its colour and its size (either may be absent). */
export type Variant = { colour?: string | null; size?: string | null };

/**
 * Colour and size as a person reads them ("雾霾蓝 · XL"); '' when the product has neither. The
 * one label every order, receipt and after-sale line uses, on screen and on paper, so a guide
 * reads the variant, not the SKU code.
 */
export function variantLabel({ colour, size }: Variant): string {
  return [colour, size]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' · ');
}

/** The product name with its variant ("V领基础T恤 雾霾蓝 · XL"), for labels and plain text. */
export function itemLabel(line: Variant & { name: string }): string {
  const variant = variantLabel(line);
  return variant ? `${line.name} ${variant}` : line.name;
}
