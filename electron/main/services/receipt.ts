import type { Receipt } from '../../../shared/bridge';
import { formatFen } from '../../../shared/domain/money';
import { variantLabel } from '../../../shared/domain/variant';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Formats the order time in the store's zone, e.g. "2026-11-22 14:05". */
function formatTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(new Date(iso));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** One line's item: the name with its colour and size, the SKU small beneath (for staff). */
function itemHtml(line: Receipt['lines'][number]): string {
  const variant = variantLabel(line);
  return `${escapeHtml(line.name)}${variant ? ` ${escapeHtml(variant)}` : ''}<br><small>${escapeHtml(line.sku)}</small>`;
}

/**
 * The receipt view, as a self-contained HTML document for an 80 mm printer. Every value is
 * escaped and the page carries its own CSP (no scripts at all), because product names come from
 * head office data and are printed from a hidden window.
 */
export function renderReceiptHtml(receipt: Receipt, qrSvg?: string): string {
  const rows = receipt.lines
    .map(
      (line) =>
        `<tr><td>${itemHtml(line)}</td><td class="n">${line.quantity}</td><td class="n">${escapeHtml(formatFen(line.unitPrice * line.quantity))}</td></tr>${line.discount > 0 ? `<tr class="discount"><td colspan="2">优惠 Discount</td><td class="n">-${escapeHtml(formatFen(line.discount))}</td></tr>` : ''}`,
    )
    .join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Receipt</title><style>
@page { size: 80mm auto; margin: 4mm; }
body { font: 12px sans-serif; width: 72mm; margin: 0; }
h1 { font-size: 15px; text-align: center; margin: 0 0 4px; }
table { width: 100%; border-collapse: collapse; }
td { vertical-align: top; padding: 2px 0; }
.n { text-align: right; white-space: nowrap; }
small { font-size: 10px; }
.total { border-top: 1px dashed #000; font-weight: bold; }
.qr { text-align: center; margin-top: 6px; }
.qr svg { width: 30mm; height: 30mm; }
</style></head><body>
<h1>${escapeHtml(receipt.storeName)}</h1>
<div>时间 ${escapeHtml(formatTime(receipt.at, receipt.timezone))}</div>
<div>单号 ${escapeHtml(receipt.orderId.slice(-12))}</div>
${receipt.guideName ? `<div>导购 ${escapeHtml(receipt.guideName)}</div>` : ''}
<table><tbody>${rows}</tbody>
<tfoot><tr class="total"><td>合计</td><td></td><td class="n">${escapeHtml(formatFen(receipt.total))}</td></tr></tfoot></table>
${qrSvg ? `<div class="qr">${qrSvg}<br><small>售后请出示此码</small></div>` : ''}
<p style="text-align:center">谢谢惠顾</p>
</body></html>`;
}

/**
 * `webContents.print` options: silent (no dialog, the guide is mid-conversation) when IT configured
 * a receipt printer that this PC actually has; otherwise the OS print dialog lets the guide pick.
 * (Electron no longer reports which printer is the OS default, so "default" is ours to configure.)
 */
export function printOptions(
  printers: { name: string }[],
  receiptPrinter: string | null,
): { silent: boolean; printBackground: boolean; deviceName?: string } {
  const configured =
    receiptPrinter === null ? undefined : printers.find((p) => p.name === receiptPrinter);
  return configured
    ? { silent: true, printBackground: false, deviceName: configured.name }
    : { silent: false, printBackground: false };
}
