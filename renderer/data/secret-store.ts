/**
 * Secrets the terminal needs but must not keep in IndexedDB (a shared store PC can be copied):
 * the terminal token and the chain's phone-hash key. The platform bridge implements this with
 * OS-backed storage; tests and the browser fallback use `memorySecretStore`.
 */
export type SecretStore = {
  getToken(): Promise<string | null>;
  getPhoneHashKey(): Promise<string | null>;
  /** forget everything (revocation, un-enrolment) */
  clear(): Promise<void>;
};

export function memorySecretStore(initial: {
  token?: string | null;
  phoneHashKey?: string | null;
}): SecretStore & { cleared: boolean } {
  let token = initial.token ?? null;
  let phoneHashKey = initial.phoneHashKey ?? null;
  const store = {
    cleared: false,
    getToken: () => Promise.resolve(token),
    getPhoneHashKey: () => Promise.resolve(phoneHashKey),
    clear: () => {
      token = null;
      phoneHashKey = null;
      store.cleared = true;
      return Promise.resolve();
    },
  };
  return store;
}
