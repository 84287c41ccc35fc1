/**
 * A browser page with the outreach screens (#15 item 4) on demo data, for screenshots (not part
 * of the app): `?view=outreach` (发送推荐 for a member who agreed), `?view=blocked` (a member who
 * did not), `?view=360` (the 360 with its consent line). Real IndexedDB, the in-process fake hub.
 */
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { newId } from '../../shared/domain/ids';
import type { ProductItem } from '../../shared/protocol';
import { createAppI18n } from '../app/locales';
import { ServicesProvider } from '../core/services';
import { useAppStore } from '../core/store';
import { CustomerScreen } from '../customers/customer-screen';
import { makeProduct, makeProfile } from '../data/testing';
import { OutreachScreen } from '../outreach/outreach-screen';
import { previewServices } from './preview-services';
import '../app/app-shell.css';
import '../ui/screens.css';

const ME = { id: newId(), name: '王芳', role: 'guide' as const };
const NOW = new Date('2026-12-04T10:05:00.000Z'); // Fri 18:05 in Shanghai

const dress = (size: string, stock: number): ProductItem =>
  makeProduct({
    sku: `DR01-RED-${size}`,
    name: '真丝连衣裙 红色',
    category: '连衣裙',
    styleCode: 'DR01',
    sizeKind: 'dress',
    size,
    colour: '红色',
    price: 89_900,
    stock,
  });

async function main() {
  const now = () => NOW;
  const { hub, engine, services } = previewServices(now);
  hub.outreach = {
    miniStoreUrlPattern: 'https://m.example.com/p/{styleCode}?sku={sku}&guide={guideId}',
  };
  for (const p of [
    dress('S', 0),
    dress('M', 2),
    dress('L', 1),
    makeProduct({
      sku: 'BG02-BLK-OS',
      name: '托特包 黑色',
      category: '包袋',
      styleCode: 'BG02',
      size: null,
      colour: '黑色',
      price: 45_900,
      stock: 3,
    }),
    makeProduct({
      sku: 'CT05-CML-M',
      name: '羊毛大衣 驼色',
      category: '大衣',
      styleCode: 'CT05',
      sizeKind: 'top',
      size: 'M',
      colour: '驼色',
      price: 129_900,
      stock: 1,
    }),
  ])
    hub.upsertProduct(p);
  const trail = {
    viewed: [{ sku: 'DR01-RED-S', name: '真丝连衣裙 红色', at: '2026-12-03T12:00:00Z' }],
    carted: [{ sku: 'CT05-CML-M', at: '2026-12-02T12:00:00Z' }],
    wishlisted: [{ sku: 'BG02-BLK-OS', at: '2026-12-03T13:00:00Z' }],
    onlineOrders: 3,
    onlineSpend: 239_700,
  };
  const agreed = await makeProfile({
    name: '周雪',
    gender: 'female',
    sizes: { dress: 'M', top: 'M' },
    online: trail,
    marketingConsent: { granted: true, at: '2026-11-20T06:30:00.000Z', noticeVersion: '2026-12' },
  });
  const notAgreed = await makeProfile({
    name: '陈静',
    gender: 'female',
    sizes: { dress: 'S' },
    online: trail,
    marketingConsent: { granted: false, at: null, noticeVersion: null },
  });
  hub.upsertCustomer(agreed);
  hub.upsertCustomer(notAgreed);
  await engine.start();
  await engine.settled();
  useAppStore.getState().signIn(ME);

  const view = new URLSearchParams(location.search).get('view') ?? 'outreach';
  const i18n = createAppI18n('zh-CN');
  createRoot(document.getElementById('root')!).render(
    <I18nextProvider i18n={i18n}>
      <ServicesProvider services={services}>
        {view === 'outreach' && <OutreachScreen customerId={agreed.id} />}
        {view === 'blocked' && <OutreachScreen customerId={notAgreed.id} />}
        {view === '360' && <CustomerScreen customerId={agreed.id} />}
      </ServicesProvider>
    </I18nextProvider>,
  );
  document.body.dataset.ready = 'true';
}

void main();
