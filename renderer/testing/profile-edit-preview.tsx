/**
 * A browser page with 编辑资料 (#16 item 7) on demo data, for screenshots (not part of the app):
 * the 360 of a member, the edit form opened by the test. `?lang=en` for English. Real IndexedDB,
 * the in-process fake hub.
 */
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { newId } from '../../shared/domain/ids';
import { createAppI18n } from '../app/locales';
import { ServicesProvider } from '../core/services';
import { useAppStore } from '../core/store';
import { CustomerScreen } from '../customers/customer-screen';
import { makeProfile } from '../data/testing';
import { previewServices } from './preview-services';
import '../app/app-shell.css';
import '../ui/screens.css';

const ME = { id: newId(), name: '王芳', role: 'guide' as const };
const NOW = new Date('2026-12-04T10:05:00.000Z');

async function main() {
  const now = () => NOW;
  const { hub, engine, services } = previewServices(now);
  const member = await makeProfile({
    name: '周雪',
    gender: 'female',
    tier: 'gold',
    sizes: { top: 'M', dress: 'M', shoe: '37' },
    favouriteCategories: ['连衣裙', '大衣'],
    tags: ['VIP', '喜欢真丝'],
    notes: '周末常来，喜欢红色',
  });
  hub.upsertCustomer(member);
  await engine.start();
  await engine.settled();
  useAppStore.getState().signIn(ME);
  const lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh-CN';
  createRoot(document.getElementById('root')!).render(
    <I18nextProvider i18n={createAppI18n(lang)}>
      <ServicesProvider services={services}>
        <CustomerScreen customerId={member.id} />
      </ServicesProvider>
    </I18nextProvider>,
  );
  document.body.dataset.ready = 'true';
}

void main();
