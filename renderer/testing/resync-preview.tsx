/**
 * A browser page with the whole terminal (header, navigation, 到店提醒) while the customer cache
 * fills again after head office changed the sync scope (issue #17), for screenshots (not part of
 * the app). `?phase=done`: a real feed reset against the fake hub, run to its end (the finished
 * notice); otherwise the status of a large re-fill a quarter of the way (12,000 of 48,000 — too
 * many members to seed in a page). `?lang=en` for English. Real IndexedDB, the in-process fake hub.
 */
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { newId } from '../../shared/domain/ids';
import { AppShell } from '../app/app-shell';
import { createAppI18n } from '../app/locales';
import { ServicesProvider } from '../core/services';
import { useAppStore } from '../core/store';
import { makeProfile } from '../data/testing';
import { previewServices } from './preview-services';
import '../app/app-shell.css';
import '../ui/screens.css';

const ME = { id: newId(), name: '王芳', role: 'guide' as const };
const NOW = new Date('2026-12-04T10:05:00.000Z');

async function main() {
  const now = () => NOW;
  const { hub, engine, services, storeId } = previewServices(now);
  const names = ['周雪', '李娜', '陈静', '王丽', '张敏', '刘洋', '杨帆', '黄蕾'];
  for (const name of names) hub.upsertCustomer(await makeProfile({ name }));
  await engine.start();
  await engine.settled();
  // Head office switches the hub to store-scoped feeds: this store's members only.
  const kept = hub.liveCustomers().slice(0, 5);
  hub.customerFeed = `store:${storeId}`;
  hub.customers.clear();
  for (const m of kept) hub.upsertCustomer(m);
  const params = new URLSearchParams(location.search);
  if (params.get('phase') === 'done') await engine.pullFeed('customers');
  else
    engine.status.update({
      syncing: true,
      progress: { feed: 'customers', done: 12_000, total: 48_000 },
      customerResync: { phase: 'running', before: 0 },
    });
  useAppStore.getState().signIn(ME);
  const lang = params.get('lang') === 'en' ? 'en' : 'zh-CN';
  createRoot(document.getElementById('root')!).render(
    <I18nextProvider i18n={createAppI18n(lang)}>
      <ServicesProvider services={services}>
        <AppShell onLanguage={() => undefined} />
      </ServicesProvider>
    </I18nextProvider>,
  );
  document.body.dataset.ready = 'true';
}

void main();
