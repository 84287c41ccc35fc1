import type { CreditStatement } from '../../shared/protocol';

/** UTF-8 byte order mark: without it Excel reads a UTF-8 CSV as the local code page (乱码). */
const BOM = '\uFEFF';

/**
 * One cell of text, Excel-safe: a value starting with `=`, `+`, `-`, `@` (a formula to Excel and
 * its kin), or a tab or carriage return (which some of them strip before looking), gets a leading
 * `'` so it shows as text and never runs (OWASP "CSV injection"); every cell is quoted, with
 * quotes doubled, so commas and line breaks stay inside it.
 */
export function textCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/**
 * A number the hub computed (a count, or fen as yuan with two decimals). Not defused: `-12.50`
 * must stay a number for Excel, and no name or other input ever reaches a number cell.
 */
export const numberCell = (value: number): string => `"${value}"`;

/** Fen as yuan, exactly (integer arithmetic): -1250 → "-12.50". */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
const yuanCell = (fen: number) => `"${yuan(fen)}"`;

/** Columns: bilingual headers (zh-CN first), stable for payroll and ERP imports. */
export const STATEMENT_COLUMNS = [
  '期间起 period_from',
  '期间止 period_to',
  '门店ID store_id',
  '门店 store',
  '时区 timezone',
  '导购ID guide_id',
  '导购 guide',
  '销售笔数 sales',
  '销售额(元) sales_cny',
  '退款笔数 refunds',
  '退款额(元) refunds_cny',
  '净额(元) net_cny',
  '到店认领(元) claimed_visit_cny',
  '专属导购(元) bound_guide_cny',
  '归属门店(元) home_store_cny',
] as const;

/** The store pool's line: credit to the store without a guide. */
const STORE_POOL = '门店公共 store pool';

/**
 * The statement as CSV for Excel, payroll and ERP: UTF-8 with BOM, CRLF line ends, one line per
 * store and guide (the store pool as its own line), every cell quoted, text cells defused.
 */
export function statementCsv(statement: CreditStatement): string {
  const lines = [STATEMENT_COLUMNS.map(textCell).join(',')];
  for (const store of statement.stores)
    for (const line of store.lines)
      lines.push(
        [
          textCell(statement.from),
          textCell(statement.to),
          textCell(store.storeId),
          textCell(store.storeName),
          textCell(store.timezone),
          textCell(line.guideId ?? ''),
          textCell(line.guideId === null ? STORE_POOL : (line.guideName ?? '')),
          numberCell(line.sales),
          yuanCell(line.salesAmount),
          numberCell(line.refunds),
          yuanCell(line.refundsAmount),
          yuanCell(line.net),
          yuanCell(line.byRule.claimed_visit),
          yuanCell(line.byRule.bound_guide),
          yuanCell(line.byRule.home_store),
        ].join(','),
      );
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
