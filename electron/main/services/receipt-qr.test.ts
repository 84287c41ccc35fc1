import { renderReceiptHtml } from './receipt';
import { receiptQrSvg } from './receipt-qr';

const orderId = '0193a6c2-7d3e-7c4b-9f00-0123456789ab';

describe('the printed receipt QR code (#16)', () => {
  it('is inline SVG in the receipt page, whose CSP still allows nothing external', async () => {
    const svg = await receiptQrSvg(orderId);
    expect(svg.startsWith('<svg')).toBe(true);
    const html = renderReceiptHtml(
      {
        orderId,
        storeName: '上海南京西路店',
        guideName: null,
        at: '2026-11-22T06:05:00Z',
        timezone: 'Asia/Shanghai',
        lines: [{ name: '围巾', sku: 'S-1', size: null, quantity: 1, unitPrice: 100, discount: 0 }],
        total: 100,
      },
      svg,
    );
    expect(html).toContain(svg);
    expect(html).toContain('售后请出示此码');
    expect(html).toContain(`default-src 'none'; style-src 'unsafe-inline'`);
  });
});
