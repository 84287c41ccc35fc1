import type { Receipt } from '../../../shared/bridge';
import { printOptions, renderReceiptHtml } from './receipt';

const receipt: Receipt = {
  orderId: '0193a6c2-7d3e-7c4b-9f00-0123456789ab',
  storeName: '上海南京西路店',
  guideName: '王芳',
  at: '2026-11-22T06:05:00Z',
  timezone: 'Asia/Shanghai',
  lines: [
    {
      name: '羊毛大衣',
      sku: 'WC-01',
      size: 'M',
      colour: '驼色',
      quantity: 1,
      unitPrice: 129_900,
      discount: 0,
    },
    {
      name: '<img src=x onerror=alert(1)>',
      sku: 'T-02',
      size: null,
      quantity: 2,
      unitPrice: 9_900,
      discount: 0,
    },
  ],
  total: 149_700,
};

describe('receipt view', () => {
  it('shows the store, local time, lines and total', () => {
    const html = renderReceiptHtml(receipt);
    expect(html).toContain('上海南京西路店');
    expect(html).toContain('2026-11-22 14:05');
    expect(html).toMatch(/1,497\.00/);
  });

  it('prints each item with its colour and size, the SKU small beneath', () => {
    const html = renderReceiptHtml(receipt);
    expect(html).toContain('羊毛大衣 驼色 · M<br><small>WC-01</small>');
    // no colour or size: the name alone, never an empty separator
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;<br><small>T-02</small>');
    const sizeOnly: Receipt = {
      ...receipt,
      lines: [{ ...receipt.lines[0]!, colour: undefined }],
      total: 129_900,
    };
    expect(renderReceiptHtml(sizeOnly)).toContain('羊毛大衣 M<br>');
  });

  it('escapes the colour and size too (head office data)', () => {
    const html = renderReceiptHtml({
      ...receipt,
      lines: [{ ...receipt.lines[0]!, colour: '<b>红</b>', size: 'L&XL' }],
      total: 129_900,
    });
    expect(html).toContain('&#60;b&#62;红&#60;/b&#62; · L&#38;XL');
    expect(html).not.toContain('<b>');
  });

  it('prints line discounts, so the lines add up to the total', () => {
    const discounted: Receipt = {
      ...receipt,
      lines: [{ ...receipt.lines[0]!, discount: 10_000 }],
      total: 119_900,
    };
    const html = renderReceiptHtml(discounted);
    expect(html).toMatch(/-¥100\.00/);
    expect(html).toMatch(/1,199\.00/);
    expect(renderReceiptHtml(receipt)).not.toContain('Discount');
  });

  it('escapes product names and forbids scripts in the printed page', () => {
    const html = renderReceiptHtml(receipt);
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img');
    expect(html).toContain(`default-src 'none'`);
  });

  it('prints silently only to the receipt printer IT configured, if present', () => {
    const printers = [{ name: 'EPSON TM-T82' }, { name: 'Office Laser' }];
    expect(printOptions(printers, 'EPSON TM-T82')).toEqual({
      silent: true,
      printBackground: false,
      deviceName: 'EPSON TM-T82',
    });
    expect(printOptions(printers, null).silent).toBe(false);
    expect(printOptions(printers, 'Unplugged Printer').silent).toBe(false);
  });
});
