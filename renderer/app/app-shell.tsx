import { useEffect, useState } from 'react';
import type { AppInfo, DeploymentInfo, ShopGuideBridge } from '../../shared/bridge';

type HubStatus = 'checking' | 'online' | 'offline';

/**
 * A placeholder shell: who and where this terminal is, and the first-run hub form. The real UI
 * (alerts, customers, orders) replaces the body; the platform wiring stays.
 */
export function AppShell({ bridge }: { bridge: ShopGuideBridge }) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [deployment, setDeployment] = useState<DeploymentInfo | null>(null);
  const [hubStatus, setHubStatus] = useState<HubStatus>('checking');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void bridge.appInfo().then((r) => live && r.ok && setInfo(r.value));
    void bridge.deployment().then((r) => {
      if (!live) return;
      if (r.ok) setDeployment(r.value);
      else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [bridge]);

  const hubUrl = deployment?.hubUrl ?? null;
  useEffect(() => {
    if (hubUrl === null) return;
    let live = true;
    fetch(`${hubUrl}/healthz`)
      .then((r) => live && setHubStatus(r.ok ? 'online' : 'offline'))
      .catch(() => live && setHubStatus('offline'));
    return () => {
      live = false;
    };
  }, [hubUrl]);

  return (
    <main className="shell" aria-label="ShopGuide">
      <h1>ShopGuide</h1>
      {info?.secretProtection === 'browser-storage' && (
        <p role="note" className="warning">
          浏览器模式：终端凭证保存在本浏览器中，保护弱于桌面应用。仅在门店管控的设备上使用。
        </p>
      )}
      <dl>
        <dt>版本</dt>
        <dd>{info ? `${info.version} (${info.platform})` : '…'}</dd>
        <dt>Hub</dt>
        <dd>{hubUrl ?? '未配置'}</dd>
        {hubUrl !== null && (
          <>
            <dt>连接</dt>
            <dd role="status" aria-label="hub status">
              {hubStatus === 'checking'
                ? '检查中…'
                : hubStatus === 'online'
                  ? '已连接'
                  : '无法连接'}
            </dd>
          </>
        )}
      </dl>
      {deployment !== null && hubUrl === null && (
        <FirstRun bridge={bridge} onDone={setDeployment} onError={setError} />
      )}
      {error !== null && <p role="alert">{error}</p>}
    </main>
  );
}

function FirstRun({
  bridge,
  onDone,
  onError,
}: {
  bridge: ShopGuideBridge;
  onDone(deployment: DeploymentInfo): void;
  onError(message: string): void;
}) {
  const [url, setUrl] = useState('');
  return (
    <form
      className="first-run"
      onSubmit={(event) => {
        event.preventDefault();
        void bridge.setHubUrl(url).then((r) => (r.ok ? onDone(r.value) : onError(r.error.message)));
      }}
    >
      <label>
        Hub 地址
        <input
          type="url"
          required
          value={url}
          placeholder="http://192.168.1.20:4600"
          onChange={(event) => setUrl(event.target.value)}
        />
      </label>
      <button type="submit">连接</button>
    </form>
  );
}
