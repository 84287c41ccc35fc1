import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  useArrivalNotifications,
  useClaimNewest,
  useOpenArrivalCount,
} from '../arrivals/use-arrivals';
import { findProductByCode } from '../data/catalog';
import { LANGUAGES, type Language } from '../i18n/i18n';
import { ManagerStepUp } from '../session/manager-step-up';
import { SignInScreen } from '../session/sign-in-screen';
import { useAutoLock } from '../session/use-auto-lock';
import { useDeactivationSignOut } from '../session/use-deactivation-sign-out';
import { ResyncNotice } from '../sync-status/resync-notice';
import { SyncIndicator } from '../sync-status/sync-indicator';
import type { Screen } from '../core/navigation';
import { preloadScreens, ScreenSwitch } from './screen-switch';
import { ManagerGateProvider } from '../core/manager-gate';
import { ManagerApprovalProvider } from '../core/manager-approval';
import { useManagerApprovalCheck } from '../session/use-manager-approval-check';
import { orderIdFromReceiptCode } from '../../shared/domain/receipt-code';
import { useServices } from '../core/services';
import { useAppStore } from '../core/store';
import { useScanner } from '../core/use-scanner';
import './app-shell.css';

/** After start, how long the shell waits before reading the other screens' chunks. */
const SCREEN_PRELOAD_DELAY_MS = 1_500;

const managerStepUp = (children: ReactNode) => <ManagerStepUp>{children}</ManagerStepUp>;

const LANGUAGE_NAMES: Record<Language, string> = { 'zh-CN': '中文', en: 'English' };

/**
 * The enrolled terminal: header (store, guide, language, sync status), navigation, and the
 * current screen; sign-in when nobody is signed in. Keyboard: F2 lookup, F3 new order, F4 claim
 * the newest arrival, Esc back; a scanner burst anywhere opens the member or starts an order.
 */
export function AppShell({ onLanguage }: { onLanguage(language: Language): void }) {
  const { t, i18n } = useTranslation('shell');
  const { terminal, db } = useServices();
  const guide = useAppStore((s) => s.guide);
  const screen = useAppStore((s) => s.screen);
  const navigate = useAppStore((s) => s.navigate);
  const back = useAppStore((s) => s.back);
  const signOut = useAppStore((s) => s.signOut);
  const claimNewest = useClaimNewest();
  const waiting = useOpenArrivalCount();
  const [toast, setToast] = useState<string | null>(null);

  useAutoLock(terminal.settings.autoLockMinutes);
  useDeactivationSignOut();
  useArrivalNotifications();

  // A toast belongs to the session that raised it; a guide coming back to a parked draft is told
  // (state adjusted during render when the guide changes, React's pattern for derived resets).
  const guideId = guide?.id ?? null;
  const hasDraft = useAppStore(
    (s) => s.orderDraft.lines.length > 0 || s.orderDraft.customerId !== null,
  );
  const [toastSession, setToastSession] = useState(guideId);
  if (toastSession !== guideId) {
    setToastSession(guideId);
    setToast(guideId !== null && hasDraft ? t('draftKept') : null);
  }

  // Every screen's chunk, read soon after start while the counter is idle (screen-switch.tsx).
  useEffect(() => {
    const timer = setTimeout(preloadScreens, SCREEN_PRELOAD_DELAY_MS);
    return () => clearTimeout(timer);
  }, []);

  useEffect(() => {
    if (toast === null) return;
    const timer = setTimeout(() => setToast(null), 4000);
    return () => clearTimeout(timer);
  }, [toast]);

  useEffect(() => {
    if (!guide) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'F2') navigate({ name: 'lookup' });
      else if (event.key === 'F3') navigate({ name: 'order' });
      else if (event.key === 'F4')
        void claimNewest().then((outcome) => {
          if (outcome === null) setToast(t('noOpenArrival'));
          else if (outcome.kind === 'won') navigate({ name: 'arrivals' });
          else if (outcome.kind === 'lost') setToast(t('claimLost'));
          else if (outcome.kind === 'offline') setToast(t('claimOffline'));
          else setToast(outcome.message);
        });
      else if (event.key === 'Escape' && !event.defaultPrevented) back();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [guide, navigate, back, claimNewest, t]);

  const onScan = useCallback(
    (code: string) => {
      // The order screen scans products itself; the lookup screen takes member codes itself.
      if (!guide || screen.name === 'order' || screen.name === 'lookup') return false;
      // A receipt's QR code opens its order for after-sale (#16).
      const orderId = orderIdFromReceiptCode(code);
      if (orderId) return void navigate({ name: 'afterSale', orderId });
      void findProductByCode(db, code).then((product) =>
        navigate(
          product ? { name: 'order', addSku: product.sku } : { name: 'lookup', query: code },
        ),
      );
    },
    [guide, screen.name, db, navigate],
  );
  useScanner(onScan);
  const approveAsManager = useManagerApprovalCheck();

  const language = (LANGUAGES as readonly string[]).includes(i18n.language)
    ? (i18n.language as Language)
    : 'zh-CN';

  const navItems: {
    key: 'arrivals' | 'lookup' | 'order' | 'today' | 'followUps' | 'dashboard';
    target: Screen;
    hint?: string;
  }[] = [
    { key: 'arrivals', target: { name: 'arrivals' } },
    { key: 'lookup', target: { name: 'lookup' }, hint: 'F2' },
    { key: 'order', target: { name: 'order' }, hint: 'F3' },
    { key: 'today', target: { name: 'today' } },
    { key: 'followUps', target: { name: 'followUps' } },
    ...(guide?.role === 'manager'
      ? [{ key: 'dashboard' as const, target: { name: 'dashboard' } as Screen }]
      : []),
  ];
  const activeKey =
    screen.name === 'customer' || screen.name === 'register'
      ? 'lookup'
      : screen.name === 'receipt'
        ? 'order'
        : screen.name;

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar-store">
          <strong>{terminal.store.name}</strong>
          <span>{terminal.name}</span>
        </div>
        {guide && (
          <nav className="topbar-nav" aria-label={t('navLabel')}>
            {navItems.map((item) => (
              <button
                key={item.key}
                type="button"
                aria-current={activeKey === item.key ? 'page' : undefined}
                onClick={() => navigate(item.target)}
              >
                {t(`nav.${item.key}`)}
                {item.key === 'arrivals' && waiting > 0 && (
                  <span className="nav-badge" aria-label={t('waiting', { count: waiting })}>
                    {waiting}
                  </span>
                )}
                {item.hint && <kbd>{item.hint}</kbd>}
              </button>
            ))}
          </nav>
        )}
        <div className="topbar-right">
          <SyncIndicator />
          <label className="topbar-language">
            <span className="visually-hidden">{t('language')}</span>
            <select
              aria-label={t('language')}
              value={language}
              onChange={(event) => onLanguage(event.target.value as Language)}
            >
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {LANGUAGE_NAMES[l]}
                </option>
              ))}
            </select>
          </label>
          {guide && (
            <div className="topbar-guide">
              <span>{t('signedInAs', { name: guide.name })}</span>
              <button type="button" onClick={signOut}>
                {t('switchGuide')}
              </button>
            </div>
          )}
        </div>
      </header>
      <ResyncNotice />
      <main className="app-main">
        {/* Keyed by guide: a new session never inherits a screen's state (search box, loaded
            customer) from the previous guide's, even without a sign-out in between. */}
        {guide ? (
          // Manager-only screens ask for the PIN again through the session's step-up.
          <ManagerGateProvider gate={managerStepUp}>
            <ManagerApprovalProvider approve={approveAsManager}>
              <ScreenSwitch key={guide.id} screen={screen} />
            </ManagerApprovalProvider>
          </ManagerGateProvider>
        ) : (
          <SignInScreen />
        )}
      </main>
      {toast !== null && (
        <p role="status" className="toast">
          {toast}
        </p>
      )}
    </div>
  );
}
