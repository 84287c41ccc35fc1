import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppShell } from './app/app-shell';
import { APP_VERSION } from './platform/app-version';
import { platformBridge } from './platform/select-bridge';
import './app/app-shell.css';

const bridge = platformBridge(APP_VERSION);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppShell bridge={bridge} />
  </StrictMode>,
);
