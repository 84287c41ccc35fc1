/**
 * A browser page with the order screen and the receipt on demo data, for screenshots (not part of
 * the app): `?view=order` (two lines of one style in two colours and sizes), `?view=receipt` (the
 * same sale confirmed). Real IndexedDB, the in-process fake hub.
 */
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { newId } from '../../shared/domain/ids';
import type { Order } from '../../shared/protocol';
import { createAppI18n } from '../app/locales';
import { ServicesProvider } from '../core/services';
import { useAppStore } from '../core/store';
import { enqueueOrder } from '../data/outbox';
import { makeGuide, makeProduct } from '../data/testing';
import { OrderScreen } from '../orders/order-screen';
import { ReceiptScreen } from '../orders/receipt-screen';
import { previewServices } from './preview-services';
import '../app/app-shell.css';
import '../ui/screens.css';

const ME = { id: newId(), name: '王芳', role: 'guide' as const };
const NOW = new Date('2026-12-04T10:05:00.000Z'); // Fri 18:05 in Shanghai

const tee = (code: string, colour: string, size: string) =>
  makeProduct({
    sku: `SGTS05-${code}-${size}`,
    name: 'V领基础T恤',
    category: 'T恤',
    styleCode: 'SGTS05',
    sizeKind: 'top',
    colour,
    size,
    price: 19_900,
    stock: 4,
  });

async function main() {
  const now = () => NOW;
  const { hub, engine, services, db, storeId } = previewServices(now);
  const blue = tee('BLU', '雾霾蓝', 'XL');
  const black = tee('BLK', '黑色', 'M');
  for (const p of [blue, black]) hub.upsertProduct(p);
  await engine.start();
  await engine.settled();
  await db.staff.put(makeGuide({ id: ME.id, name: ME.name, storeId }));
  useAppStore.getState().signIn(ME);
  const view = new URLSearchParams(location.search).get('view') ?? 'order';
  let orderId = '';
  if (view === 'order') {
    const store = useAppStore.getState();
    store.addProductToDraft(blue);
    store.addProductToDraft(black);
    store.addProductToDraft(black);
  } else {
    const order: Order = {
      id: newId(),
      storeId,
      terminalId: services.terminal.terminalId,
      guideId: ME.id,
      paymentMethod: 'wechat',
      createdAt: NOW.toISOString(),
      lines: [
        { sku: blue.sku, quantity: 1, unitPrice: blue.price, discount: 0 },
        { sku: black.sku, quantity: 2, unitPrice: black.price, discount: 2_000 },
      ],
    };
    await enqueueOrder(db, order);
    orderId = order.id;
  }
  createRoot(document.getElementById('root')!).render(
    <I18nextProvider i18n={createAppI18n('zh-CN')}>
      <ServicesProvider services={services}>
        {view === 'order' ? <OrderScreen /> : <ReceiptScreen orderId={orderId} />}
      </ServicesProvider>
    </I18nextProvider>,
  );
  document.body.dataset.ready = 'true';
}

void main();
