import { createContext, useContext, type ReactNode } from 'react';

/** Wraps a manager-only screen: renders `children` once the manager is confirmed. */
export type ManagerGate = (children: ReactNode) => ReactNode;

const ManagerGateContext = createContext<ManagerGate | null>(null);

/**
 * The composition root plugs the session's PIN step-up in here (app-shell.tsx), so a feature can
 * guard a manager action without importing the session feature (features never import each other).
 */
export function ManagerGateProvider({
  gate,
  children,
}: {
  gate: ManagerGate;
  children: ReactNode;
}) {
  return <ManagerGateContext.Provider value={gate}>{children}</ManagerGateContext.Provider>;
}

/**
 * Shows `children` only past the manager gate. Without a provider it shows nothing: a screen
 * rendered outside the app must never show manager figures unguarded.
 */
export function ManagerOnly({ children }: { children: ReactNode }) {
  const gate = useContext(ManagerGateContext);
  return gate ? gate(children) : null;
}
