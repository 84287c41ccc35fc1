/** Strings every screen shares. zh-CN first; `en` must have the same keys. */
const zh = {
  appName: '导购助手',
  back: '返回',
  cancel: '取消',
  confirm: '确认',
  save: '保存',
  retry: '重试',
  loading: '加载中…',
  empty: '暂无数据',
  offline: '离线',
  online: '在线',
  noValue: '—',
  language: '语言',
  minutesAgo: '{{count}} 分钟前',
  justNow: '刚刚',
};

export const commonLocales: { 'zh-CN': typeof zh; en: typeof zh } = {
  'zh-CN': zh,
  en: {
    appName: 'ShopGuide',
    back: 'Back',
    cancel: 'Cancel',
    confirm: 'Confirm',
    save: 'Save',
    retry: 'Retry',
    loading: 'Loading…',
    empty: 'Nothing here yet',
    offline: 'Offline',
    online: 'Online',
    noValue: '—',
    language: 'Language',
    minutesAgo: '{{count}} min ago',
    justNow: 'just now',
  },
};
