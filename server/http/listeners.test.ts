import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortFree, listenerCount, nodeHasReusePort } from './listeners';

describe('nodeHasReusePort', () => {
  it('is true from Node 22.12 and 23.1 on, false before', () => {
    const answers = Object.fromEntries(
      ['20.20.2', '22.11.0', '22.12.0', 'v22.23.5', '23.0.0', '23.1.0', '24.0.0', '26.1.0'].map(
        (version) => [version, nodeHasReusePort(version)],
      ),
    );
    expect(answers).toEqual({
      '20.20.2': false,
      '22.11.0': false,
      '22.12.0': true,
      'v22.23.5': true,
      '23.0.0': false,
      '23.1.0': true,
      '24.0.0': true,
      '26.1.0': true,
    });
  });
});

describe('listenerCount', () => {
  it('auto: 8 on a Node with reusePort, 1 without; a number as asked, refused above 1 without it', () => {
    expect(listenerCount('auto', '22.12.0', 'linux')).toEqual({ count: 8 });
    expect(listenerCount('auto', '20.19.0', 'linux')).toEqual({ count: 1 });
    expect(listenerCount(1, '20.19.0', 'linux')).toEqual({ count: 1 });
    expect(listenerCount(1, '24.0.0', 'linux')).toEqual({ count: 1 });
    expect(listenerCount(4, '22.12.0', 'linux')).toEqual({ count: 4 });
    expect(listenerCount(8, '20.19.0', 'linux')).toEqual({
      problem:
        'HUB_LISTENERS=8: several listening sockets need SO_REUSEPORT, which needs Node 22.12 (or 23.1) or later; this is Node 20.19.0. Upgrade Node or set HUB_LISTENERS=1.',
    });
  });
});

describe('listenerCount off Linux', () => {
  it('auto: 1 where Node refuses reusePort whatever its version (macOS, Windows); more refused in one line', () => {
    expect(listenerCount('auto', '24.0.0', 'darwin')).toEqual({ count: 1 });
    expect(listenerCount('auto', '24.0.0', 'win32')).toEqual({ count: 1 });
    expect(listenerCount('auto', '24.0.0', 'freebsd')).toEqual({ count: 8 });
    expect(listenerCount(1, '24.0.0', 'win32')).toEqual({ count: 1 });
    expect(listenerCount(8, '24.0.0', 'darwin')).toEqual({
      problem:
        'HUB_LISTENERS=8: several listening sockets need SO_REUSEPORT, which Node offers on Linux and FreeBSD only; this is darwin. Set HUB_LISTENERS=1.',
    });
  });
});

describe('assertPortFree', () => {
  let blocker: Server | undefined;
  afterEach(() => {
    blocker?.close();
    blocker = undefined;
  });

  it('refuses a port something listens on (EADDRINUSE), and leaves nothing bound on a free one', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    await expect(assertPortFree({ host: '127.0.0.1', port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });

    blocker.close();
    blocker = undefined;
    await assertPortFree({ host: '127.0.0.1', port });
    // the probe let go of it: a listener without SO_REUSEPORT binds it again
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(port, '127.0.0.1', resolve));
    expect((blocker.address() as AddressInfo).port).toBe(port);
  });

  it('lets port 0 (any free port) through', async () => {
    await expect(assertPortFree({ host: '127.0.0.1', port: 0 })).resolves.toBeUndefined();
  });
});
