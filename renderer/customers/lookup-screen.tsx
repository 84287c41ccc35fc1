import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { looksLikeFullPhone } from '../../shared/domain/phone';
import { useAppStore } from '../core/store';
import { useScanner } from '../core/use-scanner';
import type { CustomerMatch } from '../data/customers';
import { OfflineNote, PhoneTail, TierBadge } from '../ui/customer-badges';
import {
  SEARCH_LIMIT,
  useCustomerSearch,
  useHubFallback,
  useMemberCodeLookup,
} from '../core/customer-lookup';
import { useIsOnline } from '../core/use-online';
import '../ui/screens.css';

/**
 * The counter's one search box: full mobile, 尾号, member code, name or pinyin initials, results as
 * the guide types. A member QR scanned anywhere on the screen opens that member directly.
 */
export function LookupScreen({ query: initialQuery }: { query?: string }) {
  const { t } = useTranslation('customers');
  const navigate = useAppStore((s) => s.navigate);
  const online = useIsOnline();
  const [query, setQuery] = useState(initialQuery ?? '');
  const search = useCustomerSearch(query);
  // Online, when nothing cached here matches: the hub's search (issue #17), marked 从总部找到.
  const hub = useHubFallback(query, search);
  const byMemberCode = useMemberCodeLookup();
  const trimmed = query.trim();

  const open = (customer: CustomerMatch) => navigate({ name: 'customer', customerId: customer.id });

  /** A scan (or Enter on a typed code): an exact member code opens at once; else it is a search. */
  const submitCode = async (code: string) => {
    const member = await byMemberCode(code);
    if (member) open(member);
    else setQuery(code.trim());
  };
  useScanner((code) => void submitCode(code));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // Enter opens the only match, so 尾号 + Enter is two keystrokes from the profile.
    if (search.resultsFor === trimmed && search.results.length === 1) open(search.results[0]!);
    else if (hub.results.length === 1) open(hub.results[0]!);
    else if (trimmed.length > 0) void submitCode(trimmed);
  };
  const listRef = useRef<HTMLUListElement>(null);
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') setQuery('');
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      listRef.current?.querySelector<HTMLButtonElement>('button')?.focus();
    }
  };
  /** Up/Down walk the results; Up from the first goes back to the search box. */
  const onListKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const buttons = [...(listRef.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = event.key === 'ArrowDown' ? at + 1 : at - 1;
    if (next < 0) inputRef.current?.focus();
    else buttons[Math.min(next, buttons.length - 1)]?.focus();
  };
  const inputRef = useRef<HTMLInputElement>(null);

  const settledEmpty = search.resultsFor === trimmed && !search.searching;
  const noMatch =
    trimmed.length > 0 && settledEmpty && !search.error && search.results.length === 0;
  const phonePrefill = looksLikeFullPhone(trimmed) ? trimmed : undefined;

  let statusLine: string;
  if (trimmed.length === 0) statusLine = t('lookup.empty');
  else if (search.error) statusLine = t('lookup.error', { message: search.error });
  else if (search.searching) statusLine = t('lookup.searching');
  else if (noMatch && hub.asking) statusLine = t('lookup.askingHub');
  else if (noMatch && hub.error) statusLine = t('lookup.hubError', { message: hub.error });
  else if (noMatch && hub.results.length > 0)
    statusLine = t('lookup.fromHubCount', { count: hub.results.length });
  else if (noMatch && hub.resultsFor === trimmed) statusLine = t('lookup.hubNoMatch');
  else if (noMatch) statusLine = t('lookup.noMatch');
  else if (search.results.length > 1 && looksLikeFullPhone(trimmed))
    // A full number matches on 尾号 + an 11-bit tag: ≈ 1 % of lookups also find a second
    // customer with the same 尾号. The list shows each by name; the guide picks.
    statusLine = t('lookup.phoneSeveral', { count: search.results.length });
  else if (search.results.length >= SEARCH_LIMIT)
    statusLine = t('lookup.resultCountMore', { count: search.results.length });
  else statusLine = t('lookup.resultCount', { count: search.results.length });

  return (
    <section className="feature-screen lookup" aria-labelledby="lookup-title">
      <h1 id="lookup-title">{t('lookup.title')}</h1>
      <form role="search" onSubmit={onSubmit} className="lookup-form">
        <input
          ref={inputRef}
          type="search"
          aria-label={t('lookup.searchLabel')}
          placeholder={t('lookup.placeholder')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKeyDown}
          autoFocus
          autoComplete="off"
          spellCheck={false}
          inputMode="search"
        />
      </form>
      <p className="hint">{t('lookup.hint')}</p>
      {!online && <OfflineNote text={t('lookup.offlineNote')} />}
      {/* Fixed-height live line: the count changes as the guide types, the layout does not. */}
      <p
        className={search.error ? 'status-line error' : 'status-line'}
        role={search.error ? 'alert' : 'status'}
        aria-live="polite"
      >
        {statusLine}
      </p>
      {noMatch && hub.results.length > 0 ? (
        <ul
          ref={listRef}
          onKeyDown={onListKeyDown}
          className="results"
          aria-label={t('lookup.results')}
        >
          {hub.results.map((c) => (
            <li key={c.id}>
              <ResultButton customer={c} onOpen={open} />
            </li>
          ))}
        </ul>
      ) : noMatch ? (
        <div className="no-match">
          <button
            type="button"
            className="primary"
            onClick={() =>
              navigate(
                phonePrefill ? { name: 'register', phone: phonePrefill } : { name: 'register' },
              )
            }
          >
            {phonePrefill
              ? t('lookup.registerWithPhone', { phone: phonePrefill })
              : t('lookup.registerWith')}
          </button>
        </div>
      ) : (
        <ul
          ref={listRef}
          onKeyDown={onListKeyDown}
          className={search.searching ? 'results stale' : 'results'}
          aria-label={t('lookup.results')}
          aria-busy={search.searching}
        >
          {trimmed.length > 0 &&
            search.results.map((c) => (
              <li key={c.id}>
                <ResultButton customer={c} onOpen={open} local />
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}

/** One result: name, tier, 尾号, member code; a hub result is marked 从总部找到. */
function ResultButton({
  customer: c,
  onOpen,
  local = false,
}: {
  customer: CustomerMatch;
  onOpen: (customer: CustomerMatch) => void;
  local?: boolean;
}) {
  const { t } = useTranslation('customers');
  return (
    <button type="button" className="result" onClick={() => onOpen(c)}>
      <span className="result-name">{c.name}</span>
      <TierBadge tier={c.tier} />
      <span className="result-phone">
        <PhoneTail last4={c.phoneLast4} />
      </span>
      <span className="result-code">
        {c.memberCode ? t('lookup.memberCode', { code: c.memberCode }) : ''}
      </span>
      {c.provisional && <span className="pill">{t('lookup.provisional')}</span>}
      {!local && <span className="pill from-hub">{t('lookup.fromHub')}</span>}
    </button>
  );
}
