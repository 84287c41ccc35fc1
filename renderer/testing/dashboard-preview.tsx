/**
 * A browser page that shows the dashboard on demo figures, for the screenshot
 * (dashboard-screenshot.ts bundles it; not part of the app).
 */
import type { ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { newId } from '../../shared/domain/ids';
import { ServicesProvider } from '../core/services';
import { enqueueOrder } from '../data/outbox';
import { createAppI18n } from '../app/locales';
import { DashboardDepsProvider } from '../dashboard/dashboard-deps';
import { demoDay, DEMO_GUIDES, FIXTURE_STORE, makeRange } from '../dashboard/dashboard-fixtures';
import { DashboardScreen } from '../dashboard/dashboard-screen';
import { ManagerGateProvider } from '../core/manager-gate';
import { ManagerStepUp } from '../session/manager-step-up';
import { createDashboardHarness } from './dashboard-testing';
import '../app/app-shell.css';

const managerStepUp = (children: ReactNode) => <ManagerStepUp>{children}</ManagerStepUp>;

async function main() {
  const h = createDashboardHarness({ now: new Date('2026-11-21T13:40:00.000Z') }); // Sat 21:40
  h.source.put(demoDay('2026-11-21', 1)).put(demoDay('2026-11-14', 0.9));
  // Last 30 days and the 30 days five weeks earlier: weekends busier, a slow midweek.
  const days = (end: string, factor: number) =>
    Array.from({ length: 30 }, (_, i) => {
      const date = new Date(Date.parse(`${end}T12:00:00Z`) - (29 - i) * 86_400_000);
      const weekday = date.getUTCDay();
      const scale = (weekday === 0 || weekday === 6 ? 1.25 : 0.75 + 0.05 * (i % 4)) * factor;
      return demoDay(date.toISOString().slice(0, 10), scale);
    });
  h.source.put(makeRange(days('2026-11-21', 1))).put(makeRange(days('2026-10-17', 0.92)));
  for (const amount of [59_900, 129_900])
    await enqueueOrder(h.db, {
      id: newId(),
      storeId: FIXTURE_STORE,
      terminalId: h.services.terminal.terminalId,
      guideId: DEMO_GUIDES[0]!.id,
      paymentMethod: 'wechat',
      createdAt: '2026-11-21T13:20:00.000Z',
      lines: [{ sku: 'COAT-01', quantity: 1, unitPrice: amount, discount: 0 }],
    });
  // The screenshot test cuts the "network" through this to show the offline state.
  Object.assign(window, {
    dashboardDemo: {
      goOffline: () => (h.source.failure = { code: 'offline', message: 'Failed to fetch' }),
    },
  });
  createRoot(document.getElementById('root')!).render(
    <I18nextProvider i18n={createAppI18n('zh-CN')}>
      <ServicesProvider services={h.services}>
        <ManagerGateProvider gate={managerStepUp}>
          <DashboardDepsProvider source={h.source} storage={h.storage}>
            <DashboardScreen />
          </DashboardDepsProvider>
        </ManagerGateProvider>
      </ServicesProvider>
    </I18nextProvider>,
  );
}

void main();
