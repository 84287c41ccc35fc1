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
  /** her size for an item she showed interest in (ui/her-size.tsx) */
  herSize: {
    in: '她的 {{size}} 码有货 {{count}} 件',
    inColour: '她的 {{size}} 码有货（{{colour}}）{{count}} 件',
    out: '她的 {{size}} 码本店无货',
    notMade: '此款没有 {{size}} 码',
    unknown: '未记录她的尺码',
    oneSize: '均码',
    oneSizeIn: '均码 · 本店有货 {{count}} 件',
    oneSizeOut: '均码 · 本店无货',
    add: '加 {{size}} 码',
    addOneSize: '加入订单',
    addLabel: '把 {{name}}（{{colour}} {{size}}）加入订单',
    sizeUnits: '{{size}} {{count}} 件',
    otherSizes: '其他尺码',
    otherColours: '其他颜色',
    otherStores: '其他门店库存',
    storesLoading: '正在查询其他门店…',
    storesError: '查询失败：{{message}}',
    storesNone: '其他门店均无货',
    storeLine: '{{name}} · {{km}} 公里 · {{count}} 件',
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
    herSize: {
      in: 'Her size {{size}}: {{count}} here',
      inColour: 'Her size {{size}} in {{colour}}: {{count}} here',
      out: 'Her size {{size}}: none here',
      notMade: 'Not made in {{size}}',
      unknown: 'Her size is not on file',
      oneSize: 'one size',
      oneSizeIn: 'One size: {{count}} here',
      oneSizeOut: 'One size: none here',
      add: 'Add {{size}}',
      addOneSize: 'Add to order',
      addLabel: 'Add {{name}} ({{colour}} {{size}}) to the order',
      sizeUnits: '{{size}} ×{{count}}',
      otherSizes: 'Other sizes',
      otherColours: 'Other colours',
      otherStores: 'Other stores',
      storesLoading: 'Checking other stores…',
      storesError: 'Could not check: {{message}}',
      storesNone: 'No other store has it',
      storeLine: '{{name}} · {{km}} km · {{count}}',
    },
  },
};
