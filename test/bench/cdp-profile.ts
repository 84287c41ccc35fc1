/**
 * CPU profiles of a bench Chromium's pages and their workers, for a while: run a bench with
 * `BENCH_CDP_PORT=<port>`, then `npx tsx test/bench/cdp-profile.ts <port> <seconds> <out dir>`.
 * Attaches only the profiler (no network domain, which slows the page, bench-support.ts), to every
 * page and to every worker they start meanwhile; writes one `.cpuprofile` per page or worker
 * (DevTools and `node --cpu-prof` tooling read them). A diagnostic, not a benchmark.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

type Message = {
  id?: number;
  method?: string;
  params?: { sessionId: string; targetInfo: { type: string; url: string } };
  result?: unknown;
  error?: unknown;
};

async function main(): Promise<void> {
  const [port, seconds, outDir] = process.argv.slice(2);
  if (!port || !seconds || !outDir)
    throw new Error('usage: cdp-profile <port> <seconds> <out dir>');
  mkdirSync(outDir, { recursive: true });
  const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as {
    webSocketDebuggerUrl: string;
  };
  const ws = new WebSocket(version.webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise((resolve) => ws.once('open', resolve));
  let nextId = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const profiled = new Map<string, string>();
  const send = <T>(method: string, params: object = {}, sessionId?: string) =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const profile = async (sessionId: string, label: string) => {
    profiled.set(sessionId, label);
    await send('Profiler.enable', {}, sessionId);
    await send('Profiler.setSamplingInterval', { interval: 500 }, sessionId);
    await send('Profiler.start', {}, sessionId);
    // Workers started from here on wait for this before they run a line.
    await send('Runtime.runIfWaitingForDebugger', {}, sessionId).catch(() => undefined);
    if (label.startsWith('page'))
      await send(
        'Target.setAutoAttach',
        { autoAttach: true, waitForDebuggerOnStart: true, flatten: true },
        sessionId,
      );
  };
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as Message;
    const call = message.id === undefined ? undefined : waiting.get(message.id);
    if (call) {
      waiting.delete(message.id!);
      if (message.error) call.reject(new Error(JSON.stringify(message.error)));
      else call.resolve(message.result);
    } else if (message.method === 'Target.attachedToTarget' && message.params) {
      const { sessionId, targetInfo } = message.params;
      const name = targetInfo.url.split('/').pop() ?? '';
      void profile(sessionId, `${targetInfo.type}-${name}-${sessionId.slice(0, 6)}`).catch(
        (error: unknown) => console.error('could not profile', name, error),
      );
    }
  });
  const { targetInfos } = await send<{ targetInfos: { type: string; targetId: string }[] }>(
    'Target.getTargets',
  );
  for (const target of targetInfos.filter((t) => t.type === 'page')) {
    const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', {
      targetId: target.targetId,
      flatten: true,
    });
    await profile(sessionId, `page-${sessionId.slice(0, 6)}`);
  }
  await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
  for (const [sessionId, label] of profiled) {
    try {
      const { profile: cpu } = await send<{ profile: unknown }>('Profiler.stop', {}, sessionId);
      writeFileSync(join(outDir, `${label}.cpuprofile`), JSON.stringify(cpu));
      console.log('wrote', label);
    } catch (error) {
      console.error(label, 'ended before its profile was taken', error);
    }
  }
  ws.close();
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
