import { receiptCode } from '../../shared/domain/receipt-code';
import { QrCode } from './qr-code';

/**
 * The order id as a QR code on the receipt (#16 item 2): scanned at the counter it opens the
 * order for after-sale. Drawn like every QR code of the terminal (ui/qr-code.tsx).
 */
export function ReceiptQr({ orderId, label }: { orderId: string; label: string }) {
  return <QrCode value={receiptCode(orderId)} label={label} size={128} className="receipt-qr" />;
}
