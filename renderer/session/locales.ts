/** Strings of guide sign-in. */
const zh = {
  loading: '正在读取导购名单…',
  whoAreYou: '请选择你的名字',
  guides: '导购',
  noGuides: '本店还没有导购资料。请确认终端已同步，或联系店长在总部添加导购。',
  manager: '店长',
  pinFor: '{{name}}，请输入 PIN 码',
  pinEntered: '已输入 {{count}} 位',
  pinPad: 'PIN 键盘',
  erase: '删除',
  signIn: '登录',
  notMe: '不是我，返回',
  wrongPin_one: 'PIN 码不对，还可以再试 {{count}} 次',
  wrongPin_other: 'PIN 码不对，还可以再试 {{count}} 次',
  locked: '错误次数过多，已锁定，请在 {{time}} 之后再试',
  deactivated: '该导购已停用，请联系店长',
  switchGuide: '换人',
  signOut: '退出',
};

export const sessionLocales: { 'zh-CN': typeof zh; en: typeof zh } = {
  'zh-CN': zh,
  en: {
    loading: 'Loading the guides…',
    whoAreYou: 'Who are you?',
    guides: 'Guides',
    noGuides:
      'No guides for this store yet. Check the terminal has synced, or ask the manager to add guides at head office.',
    manager: 'Manager',
    pinFor: '{{name}}, enter your PIN',
    pinEntered: '{{count}} digits entered',
    pinPad: 'PIN pad',
    erase: 'Delete',
    signIn: 'Sign in',
    notMe: 'Not me, go back',
    wrongPin_one: 'Wrong PIN, {{count}} try left',
    wrongPin_other: 'Wrong PIN, {{count}} tries left',
    locked: 'Too many wrong PINs. Locked until {{time}}',
    deactivated: 'This guide has been deactivated. Please contact the store manager.',
    switchGuide: 'Switch',
    signOut: 'Sign out',
  },
};
