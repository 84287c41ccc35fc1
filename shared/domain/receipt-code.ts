/**
 * The QR code on a receipt (#16 item 2): the order id behind a short prefix, so a scan at the
 * counter (a scanner types like a keyboard) is told apart from a member code or a product barcode
 * and opens the order for after-sale. Ids only: a receipt names no customer.
 */
export const RECEIPT_CODE_PREFIX = 'SGO:';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const receiptCode = (orderId: string): string => `${RECEIPT_CODE_PREFIX}${orderId}`;

/** The order id a scanned receipt code carries, or null when the code is not a receipt's. */
export function orderIdFromReceiptCode(code: string): string | null {
  const trimmed = code.trim();
  if (!trimmed.toUpperCase().startsWith(RECEIPT_CODE_PREFIX)) return null;
  const id = trimmed.slice(RECEIPT_CODE_PREFIX.length);
  return UUID.test(id) ? id.toLowerCase() : null;
}
