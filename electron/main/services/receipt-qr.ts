import { toString as qrSvg } from 'qrcode';
import { receiptCode } from '../../../shared/domain/receipt-code';

/**
 * The printed receipt's QR code (#16 item 2): the order id, as inline SVG markup the receipt page
 * embeds (its CSP allows no external or data images). Only our own prefix and a UUID are encoded,
 * so the markup holds nothing from head office data.
 */
export function receiptQrSvg(orderId: string): Promise<string> {
  return qrSvg(receiptCode(orderId), {
    type: 'svg',
    margin: 1,
    errorCorrectionLevel: 'M',
    width: 120,
  });
}
