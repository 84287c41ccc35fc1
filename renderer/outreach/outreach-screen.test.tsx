// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { noticeText } from '../../shared/domain/marketing-notice';
import type { CustomerProfile, MarketingConsent, ProductItem } from '../../shared/protocol';
import { pendingEntries } from '../data/outbox';
import { makeProduct, makeProfile } from '../data/testing';
import { createHarness } from '../testing/screen-testing';
import { OutreachScreen } from './outreach-screen';

afterEach(cleanup);

const PATTERN = 'https://m.example.com/p/{styleCode}?sku={sku}&guide={guideId}';

/** A dress style in S/M/L (M in stock twice), a one-size bag, and a sold-out scarf. */
function catalog(): ProductItem[] {
  return [
    ...['S', 'M', 'L'].map((size) =>
      makeProduct({
        sku: `DR01-RED-${size}`,
        name: '真丝连衣裙',
        category: '连衣裙',
        styleCode: 'DR01',
        sizeKind: 'dress',
        size,
        colour: '红色',
        price: 89_900,
        stock: size === 'M' ? 2 : 0,
      }),
    ),
    makeProduct({
      sku: 'BG02-BLK-OS',
      name: '托特包',
      category: '包袋',
      styleCode: 'BG02',
      size: null,
      colour: '黑色',
      price: 45_900,
      stock: 3,
    }),
    makeProduct({ sku: 'SC03-GRY', name: '羊绒围巾', styleCode: null, size: null, stock: 0 }),
  ];
}

async function setup(consent: MarketingConsent) {
  const h = createHarness();
  await h.seedProducts(catalog());
  const profile: CustomerProfile = await makeProfile({
    name: '王芳',
    gender: 'female',
    sizes: { dress: 'M' },
    marketingConsent: consent,
    online: {
      // She looked at the dress in S (not her size); wish-listed the bag and the sold-out scarf.
      viewed: [{ sku: 'DR01-RED-S', at: '2026-11-01T02:00:00Z' }],
      carted: [],
      wishlisted: [
        { sku: 'BG02-BLK-OS', at: '2026-11-01T03:00:00Z' },
        { sku: 'SC03-GRY', at: '2026-11-01T04:00:00Z' },
      ],
      onlineOrders: 0,
      onlineSpend: 0,
    },
  });
  await h.seedCustomers([profile]);
  h.hub.upsertCustomer(profile);
  return { h, profile };
}

describe('发送推荐 (outreach)', () => {
  it('is closed to a member who has not agreed, says why, and opens once the member agrees after the notice', async () => {
    const { h, profile } = await setup({ granted: false, at: null, noticeVersion: null });
    h.show(<OutreachScreen customerId={profile.id} />);

    const why = await screen.findByRole('alert');
    expect(why.textContent).toBe(
      '该会员未同意接收营销信息，不能发送推荐。请先出示告知并记录会员的选择。',
    );
    const copy = screen.getByRole('button', { name: '复制文字' });
    expect(copy).toHaveProperty('disabled', true);
    expect(copy.getAttribute('aria-describedby')).toBe(why.id);
    expect(screen.queryByRole('img')).toBeNull();

    // The counter is offline: the answer must still count at once.
    h.hub.faults.offline = true;
    await userEvent.click(screen.getByRole('button', { name: '营销授权' }));
    const dialog = screen.getByRole('dialog', { name: '营销授权 · 王芳' });
    // The member reads English better: the notice is shown in English, and that is recorded.
    await userEvent.click(within(dialog).getByRole('radio', { name: 'English' }));
    expect(within(dialog).getByText(noticeText('2026-12', 'en'))).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: '会员同意' }));

    // Offline-first: the screen opens at once, the change waits in the outbox.
    await waitFor(() =>
      expect(screen.getByRole('button', { name: '复制文字' })).toHaveProperty('disabled', false),
    );
    const [entry] = await pendingEntries(h.db, 10);
    expect(entry).toMatchObject({
      kind: 'consent_change',
      consentChange: {
        customerId: profile.id,
        guideId: h.guide.id,
        granted: true,
        noticeVersion: '2026-12',
        noticeLocale: 'en',
        at: '2026-11-02T10:05:00.000Z',
      },
    });
    h.hub.faults.offline = false;
    await h.engine.drain();
    await h.engine.drain();
    expect([...h.hub.consentChanges.values()]).toEqual([
      entry!.kind === 'consent_change' && entry!.consentChange,
    ]);
    expect(await pendingEntries(h.db, 10)).toEqual([]);
  });

  it('offers what is sellable here in her size, with price, as text to copy and a QR code per pick', async () => {
    const { h, profile } = await setup({
      granted: true,
      at: '2026-10-20T02:00:00.000Z',
      noticeVersion: '2026-12',
    });
    h.hub.outreach = { miniStoreUrlPattern: PATTERN };
    await h.engine.pullSettings();
    h.show(<OutreachScreen customerId={profile.id} />);

    // Her size M of the dress she looked at in S, and the bag; the sold-out scarf is left out.
    const picks = await screen.findAllByRole('checkbox');
    expect(picks.map((p) => p.closest('label')?.textContent)).toEqual([
      '托特包 · 均码 · ¥459.00 · 本店 3 件',
      '真丝连衣裙 · M · ¥899.00 · 本店 2 件',
    ]);
    const message = screen.getByRole('textbox', { name: '推荐文字' }) as HTMLTextAreaElement;
    const guideLink = `guide=${h.guide.id}`;
    expect(message.value).toBe(
      [
        '王女士您好！我是上海南京西路店的导购李娜，给您挑了几件您关注过的款，本店都有货：',
        '1. 托特包（均码）¥459.00',
        `   https://m.example.com/p/BG02?sku=BG02-BLK-OS&${guideLink}`,
        '2. 真丝连衣裙（M）¥899.00',
        `   https://m.example.com/p/DR01?sku=DR01-RED-M&${guideLink}`,
        '欢迎到店试穿，也可以扫码或点链接在小程序下单。回复“退订”即不再收到推荐。',
      ].join('\n'),
    );
    const codes = screen.getAllByRole('img');
    expect(codes.map((c) => c.getAttribute('alt'))).toEqual([
      '托特包 的小程序码',
      '真丝连衣裙 的小程序码',
    ]);
    expect(codes[0]!.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);

    // Untick the bag: it leaves the text and the codes.
    await userEvent.click(picks[0]!);
    expect(message.value).not.toContain('托特包');
    expect(screen.getAllByRole('img')).toHaveLength(1);

    await userEvent.click(screen.getByRole('button', { name: '复制文字' }));
    expect(await screen.findByRole('status')).toHaveProperty(
      'textContent',
      '已复制，可粘贴到企业微信或短信。',
    );
    expect(h.bridge.copied).toEqual([message.value]);
  });

  it('from a follow-up task: the task says why, and its wish-listed item comes first', async () => {
    const { h, profile } = await setup({ granted: true, at: null, noticeVersion: null });
    const taskId = newId();
    h.hub.upsertFollowUp({
      id: taskId,
      storeId: h.storeId,
      customerId: profile.id,
      guideId: h.guide.id,
      kind: 'wishlist',
      dueAt: '2026-11-01T16:00:00.000Z',
      detail: { sku: 'DR01-RED-S', change: 'restocked' },
      status: 'open',
      outcome: null,
      doneAt: null,
    });
    await h.engine.pullFollowUps();
    h.show(<OutreachScreen customerId={profile.id} taskId={taskId} />);
    expect(await screen.findByText('跟进任务：心愿单商品')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByRole('checkbox')).toHaveLength(2));
    expect(screen.getAllByRole('checkbox')[0]!.closest('label')?.textContent).toBe(
      '真丝连衣裙 · M · ¥899.00 · 本店 2 件',
    );
  });

  it('without a link pattern at head office: the text still copies, and it says why there is no QR code', async () => {
    const { h, profile } = await setup({ granted: true, at: null, noticeVersion: null });
    h.show(<OutreachScreen customerId={profile.id} />, 'en');
    expect(
      await screen.findByText('Head office has not set a mini-store link yet: no QR codes.'),
    ).toBeTruthy();
    const message = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    await waitFor(() => expect(message.value).toContain('¥459.00'));
    expect(message.value.split('\n')[0]).toBe(
      'Hello Ms 王, this is 李娜 at 上海南京西路店. A few pieces you looked at are in stock here:',
    );
    expect(message.value).not.toContain('https://');
    expect(screen.queryByRole('img')).toBeNull();
  });
});
