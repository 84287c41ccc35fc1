/**
 * Money is always an integer number of fen (1 CNY = 100 fen). Never floating point on the wire,
 * in the database or in totals; only formatting turns it into yuan.
 */
export type Fen = number;

/** Line total in fen: quantity × unit price − discount (discount is for the whole line). */
export function lineTotal(line: { quantity: number; unitPrice: Fen; discount: Fen }): Fen {
  return line.quantity * line.unitPrice - line.discount;
}

/** Sum of line totals and units of an order. */
export function orderTotals(
  lines: readonly { quantity: number; unitPrice: Fen; discount: Fen }[],
): {
  total: Fen;
  units: number;
} {
  let total = 0;
  let units = 0;
  for (const line of lines) {
    total += lineTotal(line);
    units += line.quantity;
  }
  return { total, units };
}

/** Formats fen as CNY for display, e.g. 12345 → "¥123.45" (locale decides the exact form). */
export function formatFen(fen: Fen, locale = 'zh-CN'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'CNY' }).format(fen / 100);
}

/** Parses a yuan amount typed by a person ("12.5", "12.50", "12") into fen without float error. */
export function parseYuanToFen(input: string): Fen | null {
  const match = /^\s*(\d{1,9})(?:\.(\d{0,2}))?\s*$/.exec(input);
  if (!match) return null;
  const yuan = Number(match[1]);
  const cents = Number((match[2] ?? '').padEnd(2, '0'));
  return yuan * 100 + cents;
}
