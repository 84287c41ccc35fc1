import { lazy, Suspense, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { ArrivalsScreen } from '../arrivals/arrivals-screen';
import type { Screen } from '../core/navigation';

/*
 * Every screen but arrivals (the one a guide lands on after signing in) is its own chunk, loaded
 * the first time it is opened: the main chunk stays small and the terminal starts parsing less.
 * The features keep their named exports (STYLE: no default exports); the mapping lives here, in
 * the composition root, which is the only place that picks a screen.
 */
/**
 * A screen loaded on first use. Once its chunk is in (opened before, or preloaded), it renders
 * at once like any component: `React.lazy` alone would still suspend for a tick on first render,
 * and keys a guide types (or a scanner sends) right after F2 / F3 would land before the screen's
 * field has focus.
 */
function onDemand<P extends object>(load: () => Promise<ComponentType<P>>) {
  let loaded: ComponentType<P> | null = null;
  const read = () =>
    load().then((component) => {
      loaded = component;
      return { default: component };
    });
  const Lazy = lazy(read);
  function OnDemand(props: P) {
    const Loaded = loaded;
    return Loaded ? <Loaded {...props} /> : <Lazy {...props} />;
  }
  return { Screen: OnDemand, preload: () => read().then(() => undefined) };
}

const lookup = onDemand(() => import('../customers/lookup-screen').then((m) => m.LookupScreen));
const customer = onDemand(() =>
  import('../customers/customer-screen').then((m) => m.CustomerScreen),
);
const register = onDemand(() =>
  import('../customers/register-screen').then((m) => m.RegisterScreen),
);
const order = onDemand(() => import('../orders/order-screen').then((m) => m.OrderScreen));
const receipt = onDemand(() => import('../orders/receipt-screen').then((m) => m.ReceiptScreen));
const afterSale = onDemand(() =>
  import('../orders/after-sale-screen').then((m) => m.AfterSaleScreen),
);
const today = onDemand(() => import('../orders/today-screen').then((m) => m.TodayScreen));
const sync = onDemand(() => import('../sync-status/sync-panel').then((m) => m.SyncPanel));
const dashboard = onDemand(() =>
  import('../dashboard/dashboard-screen').then((m) => m.DashboardScreen),
);
const followUps = onDemand(() =>
  import('../follow-ups/follow-ups-screen').then((m) => m.FollowUpsScreen),
);
const outreach = onDemand(() =>
  import('../outreach/outreach-screen').then((m) => m.OutreachScreen),
);
const LookupScreen = lookup.Screen;
const CustomerScreen = customer.Screen;
const RegisterScreen = register.Screen;
const OrderScreen = order.Screen;
const ReceiptScreen = receipt.Screen;
const TodayScreen = today.Screen;
const AfterSaleScreen = afterSale.Screen;
const SyncPanel = sync.Screen;
const DashboardScreen = dashboard.Screen;
const FollowUpsScreen = followUps.Screen;
const OutreachScreen = outreach.Screen;

/**
 * Reads every screen's chunk ahead of need (the shell calls it a moment after it starts): a
 * terminal that loses its network later — browser mode serves the chunks over HTTP — still opens
 * a customer's 360 or the order screen, and no guide waits for a chunk at the counter. A chunk
 * that fails to load here is simply loaded again when its screen opens.
 */
export function preloadScreens(): void {
  for (const screen of [
    lookup,
    customer,
    register,
    order,
    receipt,
    afterSale,
    today,
    sync,
    dashboard,
    followUps,
    outreach,
  ])
    void screen.preload().catch(() => undefined);
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
    case 'today':
      return <TodayScreen />;
    case 'afterSale':
      return <AfterSaleScreen key={screen.orderId} orderId={screen.orderId} />;
    case 'sync':
      return <SyncPanel />;
    case 'dashboard':
      return <DashboardScreen />;
    case 'followUps':
      return <FollowUpsScreen />;
    case 'outreach':
      return (
        <OutreachScreen
          key={`${screen.customerId}:${screen.taskId ?? ''}`}
          customerId={screen.customerId}
          {...(screen.taskId ? { taskId: screen.taskId } : {})}
        />
      );
  }
}
