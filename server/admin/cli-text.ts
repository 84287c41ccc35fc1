import type {
  AuditDetail,
  AuditPage,
  AuditRow,
  AuditSource,
  BindingRules,
  OutreachSettings,
} from '../../shared/protocol';
import type { TerminalRow } from './service';

/* What the admin CLI prints: its usage, terminal status, audit tables (CJK-aware columns). */

/** What `hub:admin --help` prints. */
export const USAGE = `Usage: npm run hub:admin -- <command> [options]

Commands:
  list-stores
  add-store       --name <name> --timezone <IANA zone> --lat <deg> --lng <deg> [--radius <m>] [--region <name>] [--id <uuid>]
                  (the same --id again updates the store; --region '' takes it out of its region)
  add-guide       --store <store id> --name <name> --pin <6-8 digits> [--role guide|manager] [--id <uuid>]
  list-guides     [--store <store id>]                              (with active / deactivated)
  deactivate-guide --guide <guide id>                               (a leaver: refused at sign-in and
                                                                    signed out on every terminal of the
                                                                    store once it has synced staff)
  reactivate-guide --guide <guide id>
  reset-pin       --guide <guide id> --pin <6-8 digits>             (the old PIN stops working once the
                                                                    terminal has synced staff; the guide
                                                                    must choose a new PIN at their next
                                                                    online sign-in)
  list-terminals  [--store <store id>]                              (last seen, app version, outbox, revoked)
  add-terminal    --store <store id> --name <name> [--id <uuid>]   (prints the new token once)
  revoke-terminal --terminal <terminal id>
  erase-customer  --customer <customer id> --reason <text>          (right to erasure; terminals drop
                                                                    the customer at their next sync)
  audit           --customer <customer id> | --guide <guide id> | --terminal <terminal id>
                  [--from <day|instant>] [--to <day|instant>] [--limit <1-1000, default 200>]
                                                                    (who looked at this member, what this
                                                                    guide did or what happened at this
                                                                    terminal: when, where, and by which
                                                                    door — terminal, hub, hub:admin direct,
                                                                    admin API; admin actions included;
                                                                    newest first; a day is the store's
                                                                    local day)
  credit-rules                                                      (the rule chain crediting online sales)
  set-credit-rules --rules <json> | --file <path>                   (e.g. '{"chain":[{"rule":"claimed_visit",
                                                                    "windowDays":7,"measure":"store_days"},
                                                                    {"rule":"bound_guide"},{"rule":"home_store"}]}';
                                                                    applies to orders from now on;
                                                                    docs/online-credit.md)
  credit-explain  --order <online order or refund id>               (who it was credited to, by which rule,
                                                                    on which visit / binding / home store)
  credit-statement --from <day> --to <day> [--csv]                  (online-sale credit per store and guide;
                                                                    days in each store's time zone; --csv:
                                                                    Excel-safe CSV on stdout)
  rotate-integration-key                                            (prints the new key once)
  rotate-admin-key                                                  (direct mode only)
  binding-rules                                                     (the chain's 专属导购 rules)
  set-binding-rules [--registered-by yes|no]
                  [--served-and-bought off|seller|claimer|claimer_else_seller]
                  [--expiry-days <1-3650>|never]                    (options left out keep their value;
                                                                    docs/bindings.md)
  return-settings                                                   (after-sale: above which refund
                                                                    the store manager's PIN is needed)
  set-return-settings --manager-above <yuan>|never                  (docs/after-sale.md)
  outreach-settings                                                 (the mini-store link of outreach QR codes)
  set-outreach-settings --mini-store-url <pattern>|off              (https only; placeholders {styleCode}
                                                                    {sku} {guideId} {storeId}; docs/outreach.md)

Modes:
  --url http://127.0.0.1:4600   call a running hub's admin API; needs --admin-key or HUB_ADMIN_KEY
  (no --url)                    open the database directly (DATABASE_URL, or HUB_DATA_DIR for the
                                embedded database); refused while a hub runs on that data dir

Options:
  --json      print machine-readable JSON
  --help      show this help

Exit codes: 0 done, 1 the operation failed, 2 bad command or arguments.`;

/** "app 0.1.0  outbox 3 pending, 1 rejected (at …)", or that the terminal never reported. */
export function terminalStatusText(t: TerminalRow): string {
  if (t.status_at === null) return 'no status reported';
  const rejected = t.rejected_outbox ? `, ${t.rejected_outbox} rejected` : '';
  return `app ${t.app_version ?? '?'}  outbox ${t.pending_outbox ?? 0} pending${rejected} (at ${t.status_at})`;
}

/** Columns wide enough for CJK names (two terminal cells a character). */
export const cells = (value: string) =>
  [...value].reduce(
    (n, ch) =>
      n +
      (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        ch,
      )
        ? 2
        : 1),
    0,
  );
export const pad = (value: string, width: number) =>
  value + ' '.repeat(Math.max(0, width - cells(value)));

/** The store's local wall time of an instant, with its offset: "2026-12-04 09:15:02 +08:00". */
export function storeTime(at: string, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  const offset = String(parts.timeZoneName ?? '').replace('GMT', '') || '+00:00';
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`;
}

/** How each door reads in the table. */
const SOURCE_TEXT: Record<AuditSource, string> = {
  terminal: 'terminal',
  hub: 'hub',
  admin_cli: 'hub:admin direct',
  admin_rest: 'admin API',
  integration: 'integration API',
};

/** What a discarded queue item was: `order ¥794.00 cancelled (hub: unknown_sku) 0190…`. */
const detailText = (d: NonNullable<AuditRow['detail']>) =>
  'fields' in d ? d.fields.join(', ') : outboxDetailText(d);

const outboxDetailText = (d: AuditDetail) =>
  [
    d.kind,
    d.total === undefined ? null : `¥${(d.total / 100).toFixed(2)}`,
    d.discardReason,
    d.rejectCode ? `(hub: ${d.rejectCode})` : null,
    d.outboxId.slice(0, 8),
  ]
    .filter((part) => part !== null)
    .join(' ');

/**
 * A readable table of audit rows; the customer column unless the query was by customer. Entries
 * of no store (an erasure, a key rotation) show UTC.
 */
export function auditTable(page: AuditPage, withCustomer: boolean): string {
  const header = ['WHEN (store time)', 'ACTION', 'BY', 'GUIDE', 'STORE', 'TERMINAL'];
  if (withCustomer) header.push('CUSTOMER');
  const viaTerminal = (r: AuditPage['items'][number]) =>
    r.source === 'terminal' || r.source === 'hub';
  const rows = page.items.map((r) => {
    const row = [
      storeTime(r.at, r.store?.timezone ?? 'UTC'),
      r.detail ? `${r.action}: ${detailText(r.detail)}` : r.action,
      SOURCE_TEXT[r.source],
      r.guide
        ? `${r.guide.name} (${r.guide.id.slice(0, 8)})`
        : viaTerminal(r)
          ? '(no guide signed in)'
          : '—',
      r.store?.name ?? '—',
      r.terminal?.name ?? '—',
    ];
    if (withCustomer) row.push(r.customerId ?? '—');
    return row;
  });
  const widths = header.map((h, i) => Math.max(cells(h), ...rows.map((r) => cells(r[i]!))));
  const line = (r: string[]) =>
    r
      .map((v, i) => pad(v, widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The binding rules as `hub:admin binding-rules` prints them. */
export function bindingRulesText(rules: BindingRules): string {
  return [
    `registered by:      ${rules.registeredBy ? 'binds the guide who registered the member' : 'off'}`,
    `served and bought:  ${rules.servedAndBought}`,
    `expiry:             ${rules.expiryDays === null ? 'never' : `${rules.expiryDays} days without contact`}`,
  ].join('\n');
}

/** The outreach settings as `hub:admin outreach-settings` prints them. */
export function outreachSettingsText(settings: OutreachSettings): string {
  return `mini-store link:    ${settings.miniStoreUrlPattern ?? 'off (no QR codes in outreach)'}`;
}
