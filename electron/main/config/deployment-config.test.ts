import {
  normaliseHubUrl,
  parseCommandLine,
  parseConfigFile,
  resolveDeploymentConfig,
  systemConfigDir,
} from './deployment-config';

const TOKEN = 'tok_0123456789abcdef0123';
const none = { path: '/etc/shopguide/shopguide.config.json', text: null };

describe('deployment config', () => {
  it('reads the hub URL and enrolment token from command-line switches', () => {
    const config = resolveDeploymentConfig({
      argv: [
        '/opt/ShopGuide/shopguide',
        `--hub-url=https://hub.example.cn/`,
        '--enrol-token',
        TOKEN,
      ],
      files: [none],
      savedHubUrl: null,
      isPackaged: true,
    });
    expect(config).toMatchObject({
      hubUrl: 'https://hub.example.cn',
      hubOrigin: 'https://hub.example.cn',
      source: 'command-line',
      enrolToken: TOKEN,
      updateFeedUrl: 'https://hub.example.cn/updates',
      autoUpdate: true,
      kiosk: false,
    });
  });

  it('lets IT pre-seed a fleet through a config file, command line winning per field', () => {
    const config = resolveDeploymentConfig({
      argv: ['exe', '--kiosk'],
      files: [
        { path: 'C:\\Program Files\\ShopGuide\\shopguide.config.json', text: null },
        {
          path: 'C:\\ProgramData\\ShopGuide\\shopguide.config.json',
          text:
            '\uFEFF' +
            JSON.stringify({ hubUrl: 'http://10.0.0.5:4600', enrolToken: TOKEN, kiosk: false }),
        },
      ],
      savedHubUrl: 'http://old-hub:4600',
      isPackaged: true,
    });
    expect(config.hubUrl).toBe('http://10.0.0.5:4600');
    expect(config.source).toBe('config-file');
    expect(config.enrolToken).toBe(TOKEN);
    expect(config.kiosk).toBe(true);
  });

  it('falls back to what the first-run screen saved, then to nothing', () => {
    const saved = resolveDeploymentConfig({
      argv: [],
      files: [none],
      savedHubUrl: 'http://hub.store:4600',
      isPackaged: true,
    });
    expect(saved).toMatchObject({ hubUrl: 'http://hub.store:4600', source: 'first-run' });
    const nothing = resolveDeploymentConfig({
      argv: [],
      files: [none],
      savedHubUrl: null,
      isPackaged: true,
    });
    expect(nothing).toMatchObject({
      hubUrl: null,
      hubOrigin: null,
      source: 'none',
      autoUpdate: false,
    });
  });

  it('keeps auto-update off in development and when IT turns it off', () => {
    const base = { files: [none], savedHubUrl: 'http://hub:4600' };
    expect(resolveDeploymentConfig({ ...base, argv: [], isPackaged: false }).autoUpdate).toBe(
      false,
    );
    expect(
      resolveDeploymentConfig({ ...base, argv: ['--no-auto-update'], isPackaged: true }).autoUpdate,
    ).toBe(false);
    const custom = resolveDeploymentConfig({
      ...base,
      argv: ['--update-feed-url=https://cdn.example.cn/shopguide/'],
      isPackaged: true,
    });
    expect(custom.updateFeedUrl).toBe('https://cdn.example.cn/shopguide');
  });

  it('ignores a broken config file with a warning that does not echo the token', () => {
    const broken = parseConfigFile(
      '{"hubUrl": "ftp://x", "enrolToken": "' + TOKEN + '"}',
      'f.json',
    );
    expect(broken.values).toEqual({});
    expect(broken.warnings.join()).toMatch(/hubUrl/);
    expect(broken.warnings.join()).not.toContain(TOKEN);
    expect(parseConfigFile('{not json', 'f.json').warnings[0]).toMatch(/not valid JSON/);
    expect(parseConfigFile('{"hubUrl":"http://h","colour":"red"}', 'f.json').values).toEqual({});
  });

  it('rejects hub URLs with credentials, queries or other schemes', () => {
    for (const bad of [
      'http://user:pw@hub:4600',
      'http://hub:4600/?x=1',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'hub:4600',
    ]) {
      expect(parseCommandLine([`--hub-url=${bad}`]).values.hubUrl).toBeUndefined();
    }
    expect(normaliseHubUrl(' https://hub.example.cn/base/ ')).toBe('https://hub.example.cn/base');
  });

  it('ignores Chromium switches it does not own', () => {
    expect(
      parseCommandLine(['--disable-gpu', '--lang=zh-CN', '--hub-url=http://h:1']).values,
    ).toEqual({
      hubUrl: 'http://h:1',
    });
  });

  it('knows the machine-wide config dir per platform', () => {
    expect(systemConfigDir('win32', { ProgramData: 'D:\\PD' })).toBe('D:\\PD\\ShopGuide');
    expect(systemConfigDir('linux', {})).toBe('/etc/shopguide');
    expect(systemConfigDir('darwin', {})).toBe('/Library/Application Support/ShopGuide');
  });
});
