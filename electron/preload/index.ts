import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  BRIDGE_GLOBAL,
  BridgeChannels as C,
  BridgeEvents,
  type BridgeChannel,
  type BridgeResult,
  type BridgeValues,
  type ShopGuideBridge,
} from '../../shared/bridge';

/*
 * The preload exposes exactly the bridge type and nothing else: no `ipcRenderer`, no generic
 * `invoke(channel)`, so a compromised page can only make the calls the type names, and the main
 * process validates those again.
 */

const call = <K extends BridgeChannel>(
  channel: K,
  args?: unknown,
): Promise<BridgeResult<BridgeValues[K]>> =>
  ipcRenderer.invoke(channel, args) as Promise<BridgeResult<BridgeValues[K]>>;

const bridge = {
  platform: 'electron',
  appInfo: () => call(C.appInfo),
  deployment: () => call(C.deploymentGet),
  setHubUrl: (hubUrl) => call(C.deploymentSetHubUrl, { hubUrl }),
  getSecret: (name) => call(C.secretGet, { name }),
  setSecret: (name, value) => call(C.secretSet, { name, value }),
  clearSecrets: () => call(C.secretsClear),
  dataKey: async () => {
    const result = await call(C.dataKeyGet);
    return result.ok ? { ok: true, value: { kind: 'raw', base64: result.value } } : result;
  },
  notifyAlert: (notification) =>
    call(C.notifyAlert, { alertId: notification.alertId, tier: notification.tier }),
  onAlertFocus: (listener) => {
    const wrapped = (_event: IpcRendererEvent, alertId: unknown): void => {
      if (typeof alertId === 'string') listener(alertId);
    };
    ipcRenderer.on(BridgeEvents.alertFocus, wrapped);
    return () => {
      ipcRenderer.removeListener(BridgeEvents.alertFocus, wrapped);
    };
  },
  setKiosk: (on) => call(C.kioskSet, { on }),
  launchAtLogin: () => call(C.launchAtLoginGet),
  setLaunchAtLogin: (on) => call(C.launchAtLoginSet, { on }),
  printReceipt: (receipt) => call(C.printReceipt, receipt),
  copyText: (text) => call(C.clipboardWrite, { text }),
} satisfies ShopGuideBridge;

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
