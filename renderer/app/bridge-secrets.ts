import type { ShopGuideBridge } from '../../shared/bridge';
import type { SecretStore } from '../data/secret-store';

/**
 * The data layer's `SecretStore` over the platform bridge (OS keychain in Electron, the browser
 * bridge's own store otherwise), so the token and the phone-hash key never sit in IndexedDB.
 */
export function bridgeSecretStore(bridge: ShopGuideBridge): SecretStore {
  const read = async (name: 'terminalToken' | 'phoneHashKey') => {
    const result = await bridge.getSecret(name);
    return result.ok ? result.value : null;
  };
  return {
    getToken: () => read('terminalToken'),
    getPhoneHashKey: () => read('phoneHashKey'),
    clear: async () => {
      await bridge.clearSecrets();
    },
  };
}
