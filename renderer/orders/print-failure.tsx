import { useTranslation } from 'react-i18next';
import type { BridgeError } from '../../shared/bridge';

/**
 * A receipt that did not print, said in the guide's language by the bridge's error code; the
 * printer's own words (Chromium's, in English) follow as a detail for IT, never as the message.
 */
export function PrintFailure({ error }: { error: BridgeError }) {
  const { t } = useTranslation('orders');
  const key = error.code === 'unavailable' ? 'unavailable' : 'other';
  return (
    <>
      <p role="alert" className="error">
        {t(`receipt.printFailed.${key}`)}
      </p>
      {error.message && (
        <p className="print-detail">{t('receipt.printDetail', { detail: error.message })}</p>
      )}
    </>
  );
}
