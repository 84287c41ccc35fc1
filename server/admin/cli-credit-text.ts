import type {
  CreditExplanation,
  CreditRulesResponse,
  CreditStatement,
} from '../../shared/protocol';
import { yuan } from '../credit/csv';
import { cells, pad } from './cli-text';

/* What `hub:admin credit-*` prints: the rule chain, one order's credit, the statement. */

/** The chain, one rule a line, in the order it is tried. */
export function creditRulesText({ rules, isDefault }: CreditRulesResponse): string {
  const lines = rules.chain.map((rule, i) => {
    const n = `${i + 1}.`;
    if (rule.rule === 'claimed_visit')
      return `${n} claimed_visit: a visit a guide claimed, within ${rule.windowDays} ${
        rule.measure === 'store_days'
          ? "store-local calendar days after the visit's day"
          : '× 24 hours after the visit started'
      } → that visit's store and guide`;
    if (rule.rule === 'bound_guide')
      return `${n} bound_guide: the guide the customer was bound to at the order's time`;
    return `${n} home_store: the customer's home store (store pool, no guide)`;
  });
  lines.push(`${rules.chain.length + 1}. otherwise: credited to nobody (recorded as none)`);
  return `${isDefault ? 'default rules (head office has not set its own)' : 'rules set by head office'}:\n${lines.join('\n')}`;
}

/** One order's credit: the order, each credit row with its rule and evidence, refunds. */
export function creditExplanationText(e: CreditExplanation): string {
  const o = e.order;
  const out = [
    `${o.type} ${o.id}${o.refundOf ? ` (refund of ${o.refundOf})` : ''}: ¥${yuan(o.amount)} at ${o.at} via ${o.channel}, customer ${o.customerId}${o.state === 'parked' ? ' — PARKED: waiting for its order' : ''}`,
  ];
  for (const c of e.credits)
    out.push(
      `  ${c.kind} ${c.lineId}: ¥${yuan(c.amount)} → ${c.rule === 'none' ? 'nobody' : `${c.storeName ?? c.storeId}${c.guideId ? ` / ${c.guideName ?? c.guideId}` : ' / store pool'}`} by ${c.rule}\n    evidence ${JSON.stringify(c.evidence)}`,
    );
  for (const r of e.refunds)
    if (r.state === 'parked') out.push(`  refund ${r.id} ¥${yuan(r.amount)} parked`);
  out.push(`net credited: ¥${yuan(e.net)}`);
  return out.join('\n');
}

/** The statement as a table: a line per store and guide, store totals, the chain total. */
export function creditStatementText(s: CreditStatement): string {
  const header = ['STORE', 'GUIDE', 'SALES', 'SALES ¥', 'REFUNDS', 'REFUNDS ¥', 'NET ¥'];
  const rows: string[][] = [];
  for (const store of s.stores) {
    for (const line of store.lines)
      rows.push([
        store.storeName,
        line.guideId === null ? '(store pool)' : (line.guideName ?? line.guideId),
        String(line.sales),
        yuan(line.salesAmount),
        String(line.refunds),
        yuan(line.refundsAmount),
        yuan(line.net),
      ]);
    if (store.lines.length > 0)
      rows.push([
        store.storeName,
        '= store total',
        String(store.total.sales),
        yuan(store.total.salesAmount),
        String(store.total.refunds),
        yuan(store.total.refundsAmount),
        yuan(store.total.net),
      ]);
  }
  rows.push([
    'ALL STORES',
    '',
    String(s.total.sales),
    yuan(s.total.salesAmount),
    String(s.total.refunds),
    yuan(s.total.refundsAmount),
    yuan(s.total.net),
  ]);
  const widths = header.map((h, i) => Math.max(cells(h), ...rows.map((r) => cells(r[i]!))));
  const line = (r: string[]) =>
    r
      .map((v, i) => pad(v, widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    `online-sale credit ${s.from} … ${s.to} (each store's local days)`,
    line(header),
    ...rows.map(line),
  ].join('\n');
}
