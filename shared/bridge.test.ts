import { tier } from './protocol';
import {
  alertNotification,
  alertNotificationText,
  bridgeArgs,
  bridgeChannelList,
  hubUrl,
} from './bridge';

describe('bridge contract', () => {
  it('names every tier in the notification title and never a person', () => {
    for (const t of tier.options) {
      const text = alertNotificationText({
        alertId: '0193a6c2-7d3e-7c4b-9f00-0123456789ab',
        tier: t,
      });
      expect(text.title).toMatch(/^会员到店 · \S+$/);
      expect(text.body).toBe('点击查看顾客卡片');
    }
    expect(
      alertNotificationText({ alertId: '0193a6c2-7d3e-7c4b-9f00-0123456789ab', tier: 'gold' })
        .title,
    ).toBe('会员到店 · 金卡');
  });

  it('cannot carry a name or phone into a notification', () => {
    const withPii = {
      alertId: '0193a6c2-7d3e-7c4b-9f00-0123456789ab',
      tier: 'gold',
      name: '张三',
      phone: '13812345678',
    };
    expect(alertNotification.safeParse(withPii).success).toBe(false);
  });

  it('has an argument schema for every channel and unique channel names', () => {
    expect(Object.keys(bridgeArgs).sort()).toEqual([...bridgeChannelList].sort());
    expect(new Set(bridgeChannelList).size).toBe(bridgeChannelList.length);
  });

  it('accepts only plain http(s) hub URLs', () => {
    expect(hubUrl.safeParse('http://192.168.1.20:4600').success).toBe(true);
    expect(hubUrl.safeParse('https://hub.example.cn/base').success).toBe(true);
    expect(hubUrl.safeParse('ws://hub:4600').success).toBe(false);
    expect(hubUrl.safeParse('https://a:b@hub').success).toBe(false);
  });
});
