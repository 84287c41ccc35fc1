/**
 * A browser page with the counter's search box (issue #17: the online fallback) on demo data, for
 * screenshots (not part of the app): one member cached here, one known only to head office (the
 * fake hub's `elsewhere`). `?lang=en` for English. Real IndexedDB, the in-process fake hub.
 */
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { newId } from '../../shared/domain/ids';
import { createAppI18n } from '../app/locales';
import { ServicesProvider } from '../core/services';
import { useAppStore } from '../core/store';
import { LookupScreen } from '../customers/lookup-screen';
import { makeProfile } from '../data/testing';
import { previewServices } from './preview-services';
import '../app/app-shell.css';
import '../ui/screens.css';

const ME = { id: newId(), name: '王芳', role: 'guide' as const };
const NOW = new Date('2026-12-04T10:05:00.000Z');

async function main() {
  const now = () => NOW;
  const { hub, engine, services } = previewServices(now);
  hub.upsertCustomer(
    await makeProfile({ name: '周雪', tier: 'gold', phone: '+8613800001111', memberCode: 'M1001' }),
  );
  const phone = '+8613600002222';
  const far = await makeProfile({ name: '赵敏', tier: 'platinum', phone, memberCode: 'M9009' });
  hub.elsewhere.set(far.id, { profile: far, phone });
  await engine.start();
  await engine.settled();
  useAppStore.getState().signIn(ME);
  const lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh-CN';
  createRoot(document.getElementById('root')!).render(
    <I18nextProvider i18n={createAppI18n(lang)}>
      <ServicesProvider services={services}>
        <LookupScreen />
      </ServicesProvider>
    </I18nextProvider>,
  );
  document.body.dataset.ready = 'true';
}

void main();
