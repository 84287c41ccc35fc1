import type { ShopGuideBridge } from '../../shared/bridge';
import { err, ok, type Result } from '../../shared/result';
import { dataKeyFromBase64, importDataKey, singleKeySealer, type Sealer } from '../data/sealed';

/**
 * The sealer for the terminal's database, from the platform's data key (issue #13 item 3), made
 * BEFORE the database opens: a Dexie upgrade transaction cannot wait for a bridge call, so the key
 * is in hand when the v10 pass (data/at-rest.ts) seals what older versions stored in clear.
 * Desktop: raw bytes from OS-protected storage, imported at once as a non-extractable CryptoKey.
 * Browser mode: the non-extractable CryptoKey the browser bridge keeps.
 * Fails (the app shows the message and stays there) when the OS cannot protect the key: customer
 * data is then not kept on this PC at all, rather than in clear.
 */
/**
 * The seal worker (data/seal-worker.ts; issue #17 item 4): customer blocks are deflated and
 * encrypted off the page's thread. Where there are no workers (unit tests), sealing stays here.
 */
const sealWorker = (): (() => Worker) | undefined =>
  typeof Worker === 'undefined'
    ? undefined
    : () => new Worker(new URL('../data/seal-worker.ts', import.meta.url), { type: 'module' });

export async function openDataKey(bridge: ShopGuideBridge): Promise<Result<Sealer, string>> {
  const material = await bridge.dataKey();
  if (!material.ok) return err(material.error.message);
  try {
    const key =
      material.value.kind === 'key'
        ? material.value.key
        : await importDataKey(dataKeyFromBase64(material.value.base64));
    return ok(singleKeySealer(key, sealWorker()));
  } catch {
    return err('the data key could not be imported');
  }
}
