import {
  alertNotificationText,
  type AppInfo,
  type DeploymentInfo,
  type Receipt,
} from '../../../shared/bridge';
import type { DataKeyService } from '../services/data-key';
import type { SecretStore } from '../services/secret-store';
import type { BridgeHandlers } from './registrar';

/** What the handlers need from the rest of the main process; Electron lives behind these. */
export type MainServices = {
  appInfo(): AppInfo;
  deployment(): DeploymentInfo;
  /** checks the hub answers, saves the URL, re-applies the CSP and reloads the window */
  setHubUrl(hubUrl: string): Promise<DeploymentInfo>;
  secrets: SecretStore;
  dataKey: DataKeyService;
  windowFocused(): boolean;
  showNotification(text: { title: string; body: string }, alertId: string): void;
  setKiosk(on: boolean): boolean;
  launchAtLogin(): { on: boolean; supported: boolean };
  setLaunchAtLogin(on: boolean): { on: boolean; supported: boolean };
  printReceipt(receipt: Receipt): Promise<{ silent: boolean }>;
  copyText(text: string): void;
};

/** One handler per allow-listed channel; arguments arrive validated by the registrar. */
export function createHandlers(services: MainServices): BridgeHandlers {
  return {
    'app:info': () => services.appInfo(),
    'deployment:get': () => services.deployment(),
    'deployment:set-hub-url': ({ hubUrl }) => services.setHubUrl(hubUrl),
    'secret:get': ({ name }) => services.secrets.get(name),
    'secret:set': async ({ name, value }) => {
      await services.secrets.set(name, value);
      return null;
    },
    'secret:clear-all': async () => {
      // Un-enrolment / revocation: the data key goes with the secrets (cryptographic erasure).
      await services.secrets.clear();
      await services.dataKey.erase();
      return null;
    },
    'data-key:get': () => services.dataKey.get(),
    'notify:alert': (notification) => {
      // The guide is looking at the app: the in-app alert is enough, a toast would be noise.
      if (services.windowFocused()) return { shown: false };
      services.showNotification(alertNotificationText(notification), notification.alertId);
      return { shown: true };
    },
    'window:set-kiosk': ({ on }) => ({ kiosk: services.setKiosk(on) }),
    'app:launch-at-login:get': () => services.launchAtLogin(),
    'app:launch-at-login:set': ({ on }) => services.setLaunchAtLogin(on),
    'print:receipt': (receipt) => services.printReceipt(receipt),
    'clipboard:write-text': ({ text }) => {
      services.copyText(text);
      return null;
    },
  };
}
