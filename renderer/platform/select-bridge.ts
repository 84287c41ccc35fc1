import { BRIDGE_GLOBAL, type ShopGuideBridge } from '../../shared/bridge';
import { browserEnvironment, createBrowserBridge } from './browser/browser-bridge';

/**
 * Picks the platform once at start-up: the Electron preload's bridge when it is there, the
 * browser implementation otherwise. The rest of the renderer only ever sees `ShopGuideBridge`.
 */
export function selectBridge(
  global: Record<string, unknown>,
  makeBrowserBridge: () => ShopGuideBridge,
): ShopGuideBridge {
  const exposed = global[BRIDGE_GLOBAL];
  if (
    exposed !== null &&
    typeof exposed === 'object' &&
    (exposed as { platform?: unknown }).platform === 'electron'
  ) {
    return exposed as ShopGuideBridge;
  }
  return makeBrowserBridge();
}

/** The bridge of this page. */
export function platformBridge(version: string): ShopGuideBridge {
  return selectBridge(globalThis as unknown as Record<string, unknown>, () =>
    createBrowserBridge(browserEnvironment(version)),
  );
}
