import { useEffect, useState } from 'react';
import { toString as qrSvg } from 'qrcode';
import { receiptCode } from '../../shared/domain/receipt-code';

/**
 * The order id as a QR code on the receipt (#16 item 2): scanned at the counter it opens the
 * order for after-sale. An SVG as a data URL (the CSP allows `data:` images; no canvas needed).
 */
export function ReceiptQr({ orderId, label }: { orderId: string; label: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void qrSvg(receiptCode(orderId), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then(
      (svg) => live && setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`),
    );
    return () => {
      live = false;
    };
  }, [orderId]);
  return src ? <img className="receipt-qr" src={src} alt={label} width={128} height={128} /> : null;
}
