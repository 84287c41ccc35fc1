import { createContext, useContext, type ReactNode } from 'react';

/** What checking a manager's PIN for an approval gave: the manager, or a message to show. */
export type ApprovalResult = { ok: true; managerId: string } | { ok: false; message: string };

/**
 * Checks a store manager's PIN for one action (an after-sale refund above the hub's threshold):
 * at the hub when online, offline against the verifier the terminal caches for sign-in, with the
 * same lockouts. The guide stays signed in; the manager only types their PIN.
 */
export type ManagerApproval = (managerId: string, pin: string) => Promise<ApprovalResult>;

const ManagerApprovalContext = createContext<ManagerApproval | null>(null);

/**
 * The composition root plugs the session's PIN check in here (app-shell.tsx), so a feature can
 * ask for a manager's approval without importing the session feature.
 */
export function ManagerApprovalProvider({
  approve,
  children,
}: {
  approve: ManagerApproval;
  children: ReactNode;
}) {
  return (
    <ManagerApprovalContext.Provider value={approve}>{children}</ManagerApprovalContext.Provider>
  );
}

/** Without a provider every approval is refused: nothing above the threshold goes unchecked. */
const refuseAll: ManagerApproval = async () => ({ ok: false, message: 'no PIN check available' });

export function useManagerApproval(): ManagerApproval {
  return useContext(ManagerApprovalContext) ?? refuseAll;
}
