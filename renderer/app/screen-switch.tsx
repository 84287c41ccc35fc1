import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { ArrivalsScreen } from '../arrivals/arrivals-screen';
import type { Screen } from '../core/navigation';

/*
 * Every screen but arrivals (the one a guide lands on after signing in) is its own chunk, loaded
 * the first time it is opened: the main chunk stays small and the terminal starts parsing less.
 * The features keep their named exports (STYLE: no default exports); the mapping lives here, in
 * the composition root, which is the only place that picks a screen.
 */
const screens = {
  lookup: () => import('../customers/lookup-screen').then((m) => ({ default: m.LookupScreen })),
  customer: () =>
    import('../customers/customer-screen').then((m) => ({ default: m.CustomerScreen })),
  register: () =>
    import('../customers/register-screen').then((m) => ({ default: m.RegisterScreen })),
  order: () => import('../orders/order-screen').then((m) => ({ default: m.OrderScreen })),
  receipt: () => import('../orders/receipt-screen').then((m) => ({ default: m.ReceiptScreen })),
  sync: () => import('../sync-status/sync-panel').then((m) => ({ default: m.SyncPanel })),
  dashboard: () =>
    import('../dashboard/dashboard-screen').then((m) => ({ default: m.DashboardScreen })),
};
const LookupScreen = lazy(screens.lookup);
const CustomerScreen = lazy(screens.customer);
const RegisterScreen = lazy(screens.register);
const OrderScreen = lazy(screens.order);
const ReceiptScreen = lazy(screens.receipt);
const SyncPanel = lazy(screens.sync);
const DashboardScreen = lazy(screens.dashboard);

/**
 * Reads every screen's chunk ahead of need (the shell calls it a moment after it starts): a
 * terminal that loses its network later — browser mode serves the chunks over HTTP — still opens
 * a customer's 360 or the order screen, and no guide waits for a chunk at the counter. A chunk
 * that fails to load here is simply loaded again when its screen opens.
 */
export function preloadScreens(): void {
  for (const load of Object.values(screens)) void load().catch(() => undefined);
}

/** What a guide sees for the moment a screen's chunk is being read from disk. */
function ScreenLoading() {
  const { t } = useTranslation('shell');
  return (
    <p className="screen-loading" role="status">
      {t('loadingScreen')}
    </p>
  );
}

/** One screen at a time; keys make a new order or customer start from a clean component. */
export function ScreenSwitch({ screen }: { screen: Screen }) {
  return (
    <Suspense fallback={<ScreenLoading />}>
      <ScreenFor screen={screen} />
    </Suspense>
  );
}

function ScreenFor({ screen }: { screen: Screen }) {
  switch (screen.name) {
    case 'arrivals':
      return <ArrivalsScreen />;
    case 'lookup':
      return (
        <LookupScreen key={screen.query ?? ''} {...(screen.query ? { query: screen.query } : {})} />
      );
    case 'customer':
      return <CustomerScreen key={screen.customerId} customerId={screen.customerId} />;
    case 'register':
      return <RegisterScreen {...(screen.phone ? { phone: screen.phone } : {})} />;
    case 'order':
      return (
        <OrderScreen
          key={`${screen.customerId ?? ''}:${screen.alertId ?? ''}:${screen.addSku ?? ''}`}
          {...(screen.customerId ? { customerId: screen.customerId } : {})}
          {...(screen.alertId ? { alertId: screen.alertId } : {})}
          {...(screen.addSku ? { addSku: screen.addSku } : {})}
        />
      );
    case 'receipt':
      return <ReceiptScreen orderId={screen.orderId} />;
    case 'sync':
      return <SyncPanel />;
    case 'dashboard':
      return <DashboardScreen />;
  }
}
