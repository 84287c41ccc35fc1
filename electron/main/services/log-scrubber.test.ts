import { scrubText, scrubValue } from './log-scrubber';

describe('log scrubber', () => {
  it('removes mainland mobile numbers in every usual spelling', () => {
    for (const phone of [
      '13812345678',
      '138 1234 5678',
      '138-1234-5678',
      '+86 138 1234 5678',
      '+8613812345678',
      '008613812345678',
      '138****5678',
    ]) {
      const out = scrubText(`lookup ${phone} failed`);
      expect(out).toBe('lookup [phone] failed');
    }
  });

  it('removes foreign E.164 numbers, e-mails and ID numbers', () => {
    expect(scrubText('call +44 20 7946 0958 now')).toBe('call [phone] now');
    expect(scrubText('mail zhang.san@example.cn')).toBe('mail [email]');
    expect(scrubText('id 11010519491231002X ok')).toBe('id [id] ok');
  });

  it('removes labelled Chinese names', () => {
    expect(scrubText('顾客: 张三 到店')).toBe('顾客: [redacted] 到店');
    expect(scrubText('姓名：欧阳娜娜')).toBe('姓名：[redacted]');
  });

  it('removes tokens', () => {
    expect(scrubText('Authorization: Bearer abcdef0123456789')).toBe(
      'Authorization: Bearer [redacted]',
    );
    expect(scrubText('--enrol-token=s3cr3t-token-value')).toBe('--enrol-token=[redacted]');
  });

  it('keeps what support needs: ids, counts, times, amounts', () => {
    const line =
      'alert 0193a6c2-7d3e-7c4b-9f00-0123456789ab claimed 2026-11-22T14:05:00Z total 12345 fen';
    expect(scrubText(line)).toBe(line);
  });

  it('redacts personal fields of logged objects by key, recursively', () => {
    const customer = {
      customerId: '0193a6c2-7d3e-7c4b-9f00-0123456789ab',
      name: 'Li Lei',
      tier: 'gold',
      phoneE164: '+8613812345678',
      nested: { guideName: '王芳', note: 'prefers 13912345678 on weekends' },
      lines: [{ name: 'Wool coat', sku: 'WC-01' }],
    };
    expect(scrubValue(customer)).toEqual({
      customerId: customer.customerId,
      name: '[redacted]',
      tier: 'gold',
      phoneE164: '[redacted]',
      nested: { guideName: '[redacted]', note: 'prefers [phone] on weekends' },
      lines: [{ name: '[redacted]', sku: 'WC-01' }],
    });
  });

  it('scrubs error messages and stacks', () => {
    const error = scrubValue(new Error('no customer with phone 13812345678')) as Error;
    expect(error.message).toBe('no customer with phone [phone]');
    expect(error.stack).not.toContain('13812345678');
  });
});
