import { lineTotal, type Fen } from './money';

/** One original order line as a return sees it: what was sold, for how much, what came back. */
export type SoldLine = {
  lineNo: number;
  quantity: number;
  unitPrice: Fen;
  discount: Fen;
  /** units of this line already returned by earlier returns */
  returned: number;
};

/**
 * What returning `quantity` more units of a line refunds, in whole fen. The line's discount is
 * shared over its units, and the refund is the difference of two cumulative shares —
 * floor(total × returned-after ÷ sold) − floor(total × returned-before ÷ sold) — so however a
 * line is returned (1 + 1 + 1 or 3 at once) the refunds add up to exactly what was paid for it,
 * never a fen more. Callers check `returned + quantity ≤ sold` first (`overReturn`).
 */
export function lineRefund(line: SoldLine, quantity: number): Fen {
  const total = lineTotal(line);
  const share = (units: number) => Math.floor((total * units) / line.quantity);
  return share(line.returned + quantity) - share(line.returned);
}

/** The lines a return asks for more units of than are left to return, as line numbers. */
export function overReturn(
  sold: readonly SoldLine[],
  asked: readonly { lineNo: number; quantity: number }[],
): number[] {
  const byNo = new Map(sold.map((l) => [l.lineNo, l]));
  const want = new Map<number, number>();
  for (const a of asked) want.set(a.lineNo, (want.get(a.lineNo) ?? 0) + a.quantity);
  return [...want]
    .filter(([no, q]) => {
      const line = byNo.get(no);
      return !line || line.returned + q > line.quantity;
    })
    .map(([no]) => no);
}

/** The refund and units of a whole return (lines already checked against `overReturn`). */
export function returnTotals(
  sold: readonly SoldLine[],
  asked: readonly { lineNo: number; quantity: number }[],
): { amount: Fen; units: number; lines: { lineNo: number; quantity: number; amount: Fen }[] } {
  const byNo = new Map(sold.map((l) => [l.lineNo, l]));
  let amount = 0;
  let units = 0;
  const lines = asked.map((a) => {
    const line = byNo.get(a.lineNo)!;
    const refund = lineRefund(line, a.quantity);
    amount += refund;
    units += a.quantity;
    return { lineNo: a.lineNo, quantity: a.quantity, amount: refund };
  });
  return { amount, units, lines };
}

/** Whether a return of `amount` needs the store manager's approval (`threshold` from the hub). */
export const needsManagerApproval = (amount: Fen, threshold: Fen | null): boolean =>
  threshold !== null && amount > threshold;
