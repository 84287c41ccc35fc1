/** Strings of the Connect-this-terminal and initial-sync screens. */
const zh = {
  title: '连接本终端',
  intro: '请输入总部服务器地址和 IT 提供的终端令牌。',
  hubUrl: '服务器地址',
  token: '终端令牌',
  connect: '连接',
  connecting: '正在连接…',
  preseeded: '本终端已由 IT 预先配置，正在验证…',
  browserWarning:
    '浏览器模式：终端凭证保存在本浏览器中，保护弱于桌面应用。仅在门店管控的设备上使用。',
  errors: {
    bad_url: '服务器地址格式不对，应类似 http://192.168.1.20:4600',
    unreachable: '连不上服务器。请检查地址和网络，或联系 IT。',
    bad_token: '令牌无效或已停用，请向 IT 确认。',
    bad_response: '服务器的回应无法识别，请联系 IT。',
    storage: '无法保存凭证：{{message}}',
    sync: '首次同步失败：{{message}}',
  },
  revoked: '本终端已被总部停用，本地数据已清除。如需继续使用，请重新连接。',
  syncTitle: '首次同步',
  syncIntro: '正在把门店的顾客、商品和导购资料下载到本机，完成后断网也能使用。',
  rows: '已下载 {{done, number}} / {{total, number}} 条',
  rowsUnknown: '已下载 {{done, number}} 条',
  timeLeft: '预计还需 {{time}}',
  estimating: '正在估算剩余时间…',
  seconds: '{{count}} 秒',
  minutes: '{{count}} 分钟',
  ready: '同步完成，可以开始使用了',
  retry: '重试',
};

export const enrolLocales: { 'zh-CN': typeof zh; en: typeof zh } = {
  'zh-CN': zh,
  en: {
    title: 'Connect this terminal',
    intro: 'Enter the head-office hub address and the terminal token from IT.',
    hubUrl: 'Hub address',
    token: 'Terminal token',
    connect: 'Connect',
    connecting: 'Connecting…',
    preseeded: 'IT has pre-configured this terminal; checking…',
    browserWarning:
      'Browser mode: the terminal credentials are kept in this browser and are less protected than in the desktop app. Use only on store-controlled devices.',
    errors: {
      bad_url: 'That address is not valid; it looks like http://192.168.1.20:4600',
      unreachable: 'Cannot reach the hub. Check the address and the network, or call IT.',
      bad_token: 'The token is wrong or no longer active; check with IT.',
      bad_response: 'The hub answered something unexpected; call IT.',
      storage: 'Could not store the credentials: {{message}}',
      sync: 'The first sync failed: {{message}}',
    },
    revoked:
      'Head office has deactivated this terminal and its local data was wiped. Connect again to continue.',
    syncTitle: 'First sync',
    syncIntro:
      'Downloading the store’s customers, products and guides to this device, so it also works offline.',
    rows: '{{done, number}} of {{total, number}} rows',
    rowsUnknown: '{{done, number}} rows',
    timeLeft: 'About {{time}} left',
    estimating: 'Estimating time left…',
    seconds: '{{count}} s',
    minutes: '{{count}} min',
    ready: 'Sync complete — ready to go',
    retry: 'Retry',
  },
};
