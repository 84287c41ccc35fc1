import { sha256Hex } from './crypto';

/**
 * The marketing notice a guide shows (reads out, or turns the screen to) before recording a
 * member's consent or its withdrawal (PIPL art. 14, 17: informed, specific, withdrawable). Each
 * version is kept forever once shipped: the hub checks that the SHA-256 of the text a terminal
 * says it showed is the hash of this version's text in that language, so the trail proves which
 * words the member saw. A new wording is a new version, never an edit.
 */
export const MARKETING_NOTICES = {
  '2026-12': {
    'zh-CN':
      '我们（本品牌及其门店）将使用您的会员信息（姓名、尺码、购买与浏览记录）向您推荐商品，' +
      '并通过导购的企业微信、短信或小程序码发送新品、到货与优惠信息。' +
      '您可以随时在任一门店或小程序中撤回同意，撤回不影响此前基于同意已进行的处理，也不影响您的会员权益。' +
      '我们不会将这些信息出售给第三方。',
    en:
      'We (the brand and its stores) will use your membership details (name, sizes, purchases ' +
      'and browsing) to recommend products to you, and send you new arrivals, restocks and offers ' +
      "through your guide's WeChat Work, SMS or mini-store codes. You can withdraw at any time in " +
      'any store or in the mini-store; withdrawing does not affect processing already done with ' +
      'your consent, nor your membership benefits. We never sell this information to third parties.',
  },
} as const satisfies Record<string, Record<NoticeLocale, string>>;

export type NoticeLocale = 'zh-CN' | 'en';
export const NOTICE_LOCALES = ['zh-CN', 'en'] as const satisfies readonly NoticeLocale[];
export type NoticeVersion = keyof typeof MARKETING_NOTICES;
export const NOTICE_VERSIONS = Object.keys(MARKETING_NOTICES) as [
  NoticeVersion,
  ...NoticeVersion[],
];
/** The version terminals show today. */
export const CURRENT_NOTICE_VERSION: NoticeVersion = '2026-12';

/** The words of a notice version in a language. */
export const noticeText = (version: NoticeVersion, locale: NoticeLocale): string =>
  MARKETING_NOTICES[version][locale];

/** SHA-256 (hex) of the notice text as shown: what a consent change carries as evidence. */
export const noticeHash = (version: NoticeVersion, locale: NoticeLocale): Promise<string> =>
  sha256Hex(noticeText(version, locale));
