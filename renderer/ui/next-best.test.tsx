// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProductItem } from '../../shared/protocol';
import { ArrivalsScreen } from '../arrivals/arrivals-screen';
import { useAppStore } from '../core/store';
import { CustomerScreen } from '../customers/customer-screen';
import { storeAlert } from '../data/alerts';
import { makeAlert, makeProduct, makeProfile } from '../data/testing';
import { createHarness } from '../testing/screen-testing';

afterEach(cleanup);

/** A style in S / M / L of one colour, `stock` by size. */
function style(
  code: string,
  name: string,
  category: string,
  stock: Record<string, number>,
  launchedAt: string | null = null,
): ProductItem[] {
  return ['S', 'M', 'L'].map((size) =>
    makeProduct({
      sku: `${code}-${size}`,
      name,
      category,
      styleCode: code,
      sizeKind: 'top',
      size,
      colour: '黑色',
      price: 49_900,
      stock: stock[size] ?? 0,
      launchedAt,
    }),
  );
}

async function setup(lang: 'zh-CN' | 'en' = 'zh-CN') {
  const h = createHarness();
  const now = h.services.now();
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
  await h.seedProducts([
    ...style('SGSH01', '牛津纺衬衫', '衬衫', { M: 3, S: 1 }),
    ...style('SGKN01', '羊绒针织衫', '针织', { M: 2 }, daysAgo(3)),
    ...style('SGCT01', '双面呢大衣', '外套', { S: 1 }),
    ...style('SGTS01', '圆领T恤', 'T恤', {}),
  ]);
  const profile = await makeProfile({
    name: '王芳',
    sizes: { top: 'M' },
    favouriteCategories: ['针织'],
    online: {
      // wish-listed the shirt in S (her size is M); viewed the coat (only S here) and the T-shirt
      // (nothing here)
      wishlisted: [{ sku: 'SGSH01-S', at: daysAgo(1) }],
      carted: [],
      viewed: [
        { sku: 'SGCT01-M', at: daysAgo(0) },
        { sku: 'SGTS01-M', at: daysAgo(0) },
      ],
      onlineOrders: 0,
      onlineSpend: 0,
    },
  });
  await h.seedCustomers([profile]);
  return { h, profile, lang, daysAgo };
}

describe('推荐给她 (next-best items)', () => {
  it('on the 360: her size of the wish-listed shirt, the new knit in her category, the coat without her size; the T-shirt is not here', async () => {
    const { h, profile } = await setup();
    h.show(<CustomerScreen customerId={profile.id} />);
    const panel = await screen.findByRole('region', { name: '推荐给她' }, { timeout: 5_000 });
    await waitFor(() => expect(within(panel).getAllByRole('listitem')).toHaveLength(3));
    const rows = within(panel)
      .getAllByRole('listitem')
      .map((li) => li.querySelector('.next-best-why')!.textContent);
    // shirt: 3 × 0.5^(1/14) ≈ 2.86; knit: favourite 1 + new 0.8 = 1.8; coat: 1 × 0.3
    expect(rows).toEqual([
      '心愿单 · M 码有货 3 件',
      '常买针织 · 新品 · M 码有货 2 件',
      '浏览 1 次 · 她的尺码本店无货',
    ]);
    await userEvent.click(
      within(panel).getByRole('button', { name: '把 牛津纺衬衫（M）加入订单' }),
    );
    expect(useAppStore.getState().screen).toEqual({
      name: 'order',
      customerId: profile.id,
      addSku: 'SGSH01-M',
    });
  });

  it('on the arrival card, from the card’s own trail (in English too)', async () => {
    const { h, profile, daysAgo } = await setup();
    const base = makeAlert({ storeId: h.storeId });
    const at = h.services.now().toISOString();
    await storeAlert(
      h.db,
      makeAlert({
        storeId: h.storeId,
        at,
        expiresAt: new Date(h.services.now().getTime() + 30 * 60_000).toISOString(),
        card: {
          ...base.card,
          customerId: profile.id,
          name: '王芳',
          sizes: { top: 'M' },
          favouriteCategories: [],
          carted: [{ sku: 'SGSH01-L', at: daysAgo(2), stockHere: 0, price: 49_900 }],
        },
      }),
    );
    h.show(<ArrivalsScreen />, 'en');
    const card = await screen.findByRole('article', { name: '王芳' });
    const panel = await within(card).findByRole('region', { name: 'Bring her' });
    await waitFor(() => expect(panel.textContent).toContain('In her cart · Size M: 3 in stock'));
    expect(within(panel).getAllByRole('listitem')).toHaveLength(1);
  });
});
