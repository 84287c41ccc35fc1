import { renderSVG } from 'uqr';
import { receiptCode } from '../../../shared/domain/receipt-code';

/**
 * The printed receipt's QR code (#16 item 2): the order id, as inline SVG markup the receipt page
 * embeds (its CSP allows no external or data images). Only our own prefix and a UUID are encoded,
 * so the markup holds nothing from head office data. The same library as the screen's codes.
 */
export function receiptQrSvg(orderId: string): Promise<string> {
  const svg = renderSVG(receiptCode(orderId), { ecc: 'M', border: 1 });
  // Printed at a fixed size: the markup's own viewBox scales to it.
  return Promise.resolve(svg.replace('<svg ', '<svg width="120" height="120" '));
}
