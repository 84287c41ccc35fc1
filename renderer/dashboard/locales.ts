/** Dashboard strings. zh-CN is what a store manager reads; `en` has the same keys. */
const zh = {
  title: '门店经营看板',
  managerOnly: '店长专用',
  managerOnlyHint: '经营数据仅店长可查看，请用店长账号登录。',
};

export const dashboardLocales: { 'zh-CN': typeof zh; en: typeof zh } = {
  'zh-CN': zh,
  en: {
    title: 'Store dashboard',
    managerOnly: 'Managers only',
    managerOnlyHint: 'Store figures are for the store manager. Sign in with a manager PIN.',
  },
};
