/**
 * A browser page with the #15 screens on demo data, for screenshots (not part of the app):
 * `?view=arrivals` (the no-purchase reason picker on a claimed card), `?view=follow-ups` (跟进),
 * `?view=reasons` (the dashboard's no-purchase reasons). Real IndexedDB, the in-process fake hub.
 */
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { newId } from '../../shared/domain/ids';
import type { FollowUpItem } from '../../shared/protocol';
import { createAppI18n } from '../app/locales';
import { ArrivalsScreen } from '../arrivals/arrivals-screen';
import { ServicesProvider } from '../core/services';
import { useAppStore } from '../core/store';
import { storeAlert } from '../data/alerts';
import { makeAlert, makeProfile } from '../data/testing';
import { NoPurchaseReasons } from '../dashboard/no-purchase-reasons';
import { FollowUpsScreen } from '../follow-ups/follow-ups-screen';
import { previewServices } from './preview-services';
import '../app/app-shell.css';
import '../ui/screens.css';
import '../dashboard/dashboard.css';

const ME = { id: newId(), name: '王芳', role: 'guide' as const };
const NOW = new Date('2026-11-02T10:05:00.000Z'); // Mon 18:05 in Shanghai

async function main() {
  const now = () => NOW;
  const { storeId, hub, db, engine, services } = previewServices(now);
  const task = async (
    name: string,
    tier: 'gold' | 'silver' | 'platinum' | 'regular',
    over: Partial<FollowUpItem> & Pick<FollowUpItem, 'kind' | 'dueAt'>,
  ) => {
    const customer = await makeProfile({ name, tier });
    hub.upsertCustomer(customer);
    hub.upsertFollowUp({
      id: newId(),
      storeId,
      customerId: customer.id,
      guideId: null,
      detail: {},
      status: 'open',
      outcome: null,
      doneAt: null,
      ...over,
    });
  };
  await task('陈静', 'gold', {
    kind: 'visit_no_purchase',
    dueAt: '2026-10-31T16:00:00.000Z',
    guideId: ME.id,
    detail: { reason: 'size_missing' },
  });
  await task('赵敏', 'platinum', {
    kind: 'birthday',
    dueAt: '2026-11-01T16:00:00.000Z',
    guideId: ME.id,
  });
  await task('刘洋', 'silver', {
    kind: 'wishlist',
    dueAt: '2026-11-02T09:30:00.000Z',
    detail: { sku: 'COAT-CAMEL-M', change: 'cheaper', oldPrice: 129_900, newPrice: 99_900 },
  });
  await task('孙丽', 'regular', {
    kind: 'after_purchase',
    dueAt: '2026-11-01T16:00:00.000Z',
    detail: { days: 7 },
  });
  await engine.start();
  await engine.settled();
  useAppStore.getState().signIn(ME);
  const at = new Date(NOW.getTime() - 12 * 60_000).toISOString();
  const alert = makeAlert({
    storeId,
    at,
    expiresAt: new Date(NOW.getTime() + 18 * 60_000).toISOString(),
    status: 'claimed',
    claimedBy: { guideId: ME.id, name: ME.name },
    claimedAt: at,
  });
  await storeAlert(db, {
    ...alert,
    card: {
      ...alert.card,
      name: '周雪',
      sizes: { dress: 'S', shoe: '36' },
      wishlisted: [{ sku: 'DRS-SILK-S', name: '真丝连衣裙', at, stockHere: 0, price: 129_900 }],
      carted: [{ sku: 'BAG-TOTE', name: '托特包', at, stockHere: 2, price: 45_000 }],
    },
  });

  const view = new URLSearchParams(location.search).get('view') ?? 'follow-ups';
  const i18n = createAppI18n('zh-CN');
  createRoot(document.getElementById('root')!).render(
    <I18nextProvider i18n={i18n}>
      <ServicesProvider services={services}>
        {view === 'arrivals' && <ArrivalsScreen />}
        {view === 'follow-ups' && <FollowUpsScreen />}
        {view === 'reasons' && (
          <div style={{ maxWidth: 640, padding: 16 }}>
            <NoPurchaseReasons
              counts={{ size_missing: 14, price: 9, just_browsing: 6, will_return: 4, other: 1 }}
            />
          </div>
        )}
      </ServicesProvider>
    </I18nextProvider>,
  );
  document.body.dataset.ready = 'true';
}

void main();
