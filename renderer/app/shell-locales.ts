/** Strings of the shell (header, navigation, shortcuts). */
const zh = {
  nav: { arrivals: '到店', lookup: '查找', order: '开单', dashboard: '看板' },
  navLabel: '主导航',
  shortcuts: { lookup: 'F2', order: 'F3', claim: 'F4 认领最新到店' },
  signedInAs: '当前导购：{{name}}',
  switchGuide: '换人',
  language: '语言',
  back: '返回',
  claimedNewest: '已认领：{{name}}',
  noOpenArrival: '没有待接待的到店顾客',
  claimLost: '慢了一步：已有同事接待',
  claimOffline: '离线中，暂时无法认领',
  startFailed: '终端启动失败：{{message}}',
  starting: '正在启动…',
  loadingScreen: '正在打开…',
  upgrading: '正在升级本机数据（仅此一次，可能需要一分钟），请不要关闭…',
  waiting: '{{count}} 位顾客待接待',
  draftKept: '你上次未完成的订单已保留，点「开单」继续',
};

export const shellLocales: { 'zh-CN': typeof zh; en: typeof zh } = {
  'zh-CN': zh,
  en: {
    nav: { arrivals: 'Arrivals', lookup: 'Lookup', order: 'New order', dashboard: 'Dashboard' },
    navLabel: 'Main navigation',
    shortcuts: { lookup: 'F2', order: 'F3', claim: 'F4 claims the newest arrival' },
    signedInAs: 'Signed in: {{name}}',
    switchGuide: 'Switch',
    language: 'Language',
    back: 'Back',
    claimedNewest: 'Claimed: {{name}}',
    noOpenArrival: 'No arrival waiting',
    claimLost: 'Too late: a colleague has this customer',
    claimOffline: 'Offline: cannot claim right now',
    startFailed: 'The terminal could not start: {{message}}',
    starting: 'Starting…',
    loadingScreen: 'Opening…',
    upgrading:
      'Upgrading the data on this computer (once only, may take a minute). Please keep the app open…',
    waiting: '{{count}} waiting for a guide',
    draftKept: 'Your unfinished order was kept: open New order to continue',
  },
};
