import { describe, expect, it } from 'vitest';
import { orderIdFromReceiptCode, receiptCode } from './receipt-code';

describe('receipt QR code', () => {
  const id = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
  it('carries the order id and reads it back, whatever case the scanner typed', () => {
    expect(orderIdFromReceiptCode(receiptCode(id))).toBe(id);
    expect(orderIdFromReceiptCode(` sgo:${id.toUpperCase()} `)).toBe(id);
  });
  it('is not a member code or a barcode', () => {
    expect(orderIdFromReceiptCode(id)).toBeNull();
    expect(orderIdFromReceiptCode('6901234567892')).toBeNull();
    expect(orderIdFromReceiptCode('SGO:not-an-id')).toBeNull();
  });
});
