// First: tells zod there is no eval here, before any module parses (shared/web/no-eval.ts).
import '../shared/web/no-eval';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { APP_VERSION } from './platform/app-version';
import { platformBridge } from './platform/select-bridge';

const bridge = platformBridge(APP_VERSION);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App bridge={bridge} storage={window.localStorage} />
  </StrictMode>,
);
