import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { ManagerApproval } from '../core/manager-approval';
import { useRefusalMessage } from './sign-in-screen';
import { usePinVerification } from './use-sign-in';

/**
 * The store manager's approval of one action, for `ManagerApprovalProvider`: their PIN checked
 * like a sign-in (at the hub online, against the cached verifier offline, both lockouts), and
 * only a manager's PIN approves. The signed-in guide stays signed in.
 */
export function useManagerApprovalCheck(): ManagerApproval {
  const { t } = useTranslation('session');
  const verify = usePinVerification();
  const refusal = useRefusalMessage();
  return useCallback(
    async (managerId, pin) => {
      const result = await verify({ id: managerId }, pin);
      if (result.kind === 'ok' || result.kind === 'changeRequired')
        return result.guide.role === 'manager'
          ? { ok: true, managerId: result.guide.id }
          : { ok: false, message: t('notManager') };
      return { ok: false, message: refusal(result) ?? t('notManager') };
    },
    [verify, refusal, t],
  );
}
