/** Strings of the shared components (namespace `ui`), moved here with them from customers/. */
const zh = {
  tier: {
    regular: '普通会员',
    silver: '银卡',
    gold: '金卡',
    platinum: '白金卡',
    diamond: '钻石卡',
  },
  /** what the counter shows of a phone: the last 4 digits only */
  phoneTail: '尾号 {{last4}}',
  /** whose customer this is (专属导购) */
  binding: {
    mine: '你的顾客',
    theirs: '{{name}}的顾客',
    pool: '门店客户（无专属导购）',
    since: '自 {{day}} 起',
  },
};

export const uiLocales: { 'zh-CN': typeof zh; en: typeof zh } = {
  'zh-CN': zh,
  en: {
    tier: {
      regular: 'Member',
      silver: 'Silver',
      gold: 'Gold',
      platinum: 'Platinum',
      diamond: 'Diamond',
    },
    phoneTail: 'ending {{last4}}',
    binding: {
      mine: 'Your customer',
      theirs: "{{name}}'s customer",
      pool: 'Store pool (no personal guide)',
      since: 'since {{day}}',
    },
  },
};
