import { ArrivalsScreen } from '../arrivals/arrivals-screen';
import { CustomerScreen } from '../customers/customer-screen';
import { LookupScreen } from '../customers/lookup-screen';
import { RegisterScreen } from '../customers/register-screen';
import { DashboardScreen } from '../dashboard/dashboard-screen';
import { OrderScreen } from '../orders/order-screen';
import { ReceiptScreen } from '../orders/receipt-screen';
import { SyncPanel } from '../sync-status/sync-panel';
import type { Screen } from '../core/navigation';

/** One screen at a time; keys make a new order or customer start from a clean component. */
export function ScreenSwitch({ screen }: { screen: Screen }) {
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
