import { describe, expect, it } from 'vitest';
import { CURRENT_NOTICE_VERSION, noticeHash, noticeText } from '../domain/marketing-notice';
import { miniStoreUrl, outreachSettings, urlPatternProblem } from './outreach';

const PATTERN = 'https://m.example.com/p/{styleCode}?sku={sku}&guide={guideId}';

describe('the mini-store link pattern', () => {
  it('accepts an https pattern with known placeholders and fills them URL-encoded', () => {
    expect(urlPatternProblem(PATTERN)).toBeNull();
    expect(
      miniStoreUrl(PATTERN, { styleCode: 'DR-01', sku: 'DR 01/M&x', guideId: 'g1', storeId: 's' }),
    ).toBe('https://m.example.com/p/DR-01?sku=DR%2001%2FM%26x&guide=g1');
  });

  it('gives no link when there is no pattern or the item lacks a placeholder it names', () => {
    expect(miniStoreUrl(null, { sku: 'A' })).toBeNull();
    expect(miniStoreUrl(PATTERN, { styleCode: null, sku: 'A', guideId: 'g' })).toBeNull();
  });

  it.each([
    ['http://m.example.com/p/{sku}', 'https'],
    ['https://m.example.com/p/{sku}?p={phone}', 'unknown placeholder {phone}'],
    ['https://{sku}.example.com/', 'not the host'],
    ['https://m.example.com/p/', '{sku} or {styleCode}'],
    ['https://m.example.com/p/{sku', 'unbalanced'],
    ['https://user:pw@m.example.com/{sku}', 'credentials'],
    ['javascript:alert(1)//{sku}', 'https'],
  ])('refuses %s (%s)', (pattern, why) => {
    expect(urlPatternProblem(pattern)).toContain(why);
    expect(outreachSettings.safeParse({ miniStoreUrlPattern: pattern }).success).toBe(false);
  });

  it('null turns QR codes off; unknown keys are refused', () => {
    expect(outreachSettings.parse({ miniStoreUrlPattern: null })).toEqual({
      miniStoreUrlPattern: null,
    });
    expect(outreachSettings.safeParse({ miniStoreUrlPattern: null, x: 1 }).success).toBe(false);
  });
});

describe('the marketing notice', () => {
  it('has both languages and a stable hash per version and language', async () => {
    expect(noticeText(CURRENT_NOTICE_VERSION, 'zh-CN')).toContain('撤回');
    expect(noticeText(CURRENT_NOTICE_VERSION, 'en')).toContain('withdraw');
    const zh = await noticeHash(CURRENT_NOTICE_VERSION, 'zh-CN');
    expect(zh).toMatch(/^[0-9a-f]{64}$/);
    expect(await noticeHash(CURRENT_NOTICE_VERSION, 'en')).not.toBe(zh);
  });
});
