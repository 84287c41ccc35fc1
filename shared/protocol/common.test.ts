import { describe, expect, it } from 'vitest';
import { isoDate, isoInstant, nonEmpty, sku, text, textProblem, uuid } from './common';
import { crmCustomer, customerRegistration } from './customers';
import { order } from './orders';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe('text', () => {
  it('accepts ordinary text in any script, emoji (surrogate pairs), tabs and line breaks', () => {
    for (const value of ['王芳', 'Zoë', '👗 dress', 'line 1\nline 2\r\n\tend', ''])
      expect(text.safeParse(value).success).toBe(true);
  });

  it('refuses NUL, other C0 controls and lone surrogates, naming the problem', () => {
    expect(messages(text.safeParse('a\u0000b'))).toEqual([
      'must not contain a NUL character (U+0000)',
    ]);
    expect(messages(text.safeParse('\u001b[31mred'))).toEqual([
      'must not contain the control character U+001B',
    ]);
    expect(messages(text.safeParse('x\ud800'))).toEqual([
      'must not contain a lone surrogate (U+D800); send valid Unicode',
    ]);
    // A low surrogate first, then a high one: both halves are lone.
    expect(textProblem('\udc00\ud800')).toMatch(/lone surrogate \(U\+DC00\)/);
  });

  it('keeps its checks when narrowed (nonEmpty, sku) and the zod path names the field', () => {
    expect(nonEmpty(64).safeParse('a\u0000').success).toBe(false);
    expect(sku.safeParse('SKU\ud83d').success).toBe(false);
    const r = customerRegistration.safeParse({
      id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      name: 'Li Na',
      phone: '13800138000',
      notes: 'VIP\u0000',
    });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['notes']);
  });

  it('guards every string of a CRM upsert, array items included', () => {
    const r = crmCustomer.safeParse({ crmId: 'c1', name: 'n', tags: ['ok', 'bad\u0007'] });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['tags.1']);
  });
});

describe('uuid', () => {
  it('lower-cases an id sent in upper case, so the hub matches the rows it stores', () => {
    expect(uuid.parse('0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B')).toBe(
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    );
  });

  it('refuses anything that is not a UUID', () => {
    for (const value of ['', 'not-a-uuid', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5\u0000', 42])
      expect(uuid.safeParse(value).success).toBe(false);
  });
});

describe('isoInstant', () => {
  it('accepts instants from 2000 to 2100 in UTC or with a real offset', () => {
    for (const value of [
      '2000-01-01T00:00:00Z',
      '2026-11-02T09:30:00.123Z',
      '2026-11-02T17:30:00+08:00',
      '2026-11-02T00:00:00+14:00',
      '2026-11-02T00:00:00-12:00',
      '2099-12-31T23:59:59.999Z',
      '2100-01-01T07:00:00+08:00',
    ])
      expect(isoInstant.safeParse(value).success, value).toBe(true);
  });

  it('refuses year 0000, impossible offsets, impossible dates and the far future', () => {
    const cases: [string, string][] = [
      ['0000-01-01T00:00:00Z', 'must be between 2000-01-01 and 2100-01-01'],
      ['1999-12-31T23:59:59Z', 'must be between 2000-01-01 and 2100-01-01'],
      ['2100-01-01T00:00:00Z', 'must be between 2000-01-01 and 2100-01-01'],
      // With an offset the instant, not its local year, is what counts.
      ['2000-01-01T07:00:00+08:00', 'must be between 2000-01-01 and 2100-01-01'],
      ['2099-12-31T23:00:00-02:00', 'must be between 2000-01-01 and 2100-01-01'],
      // No zone is further from UTC than +14:00 / -12:00; PostgreSQL errors on some beyond it.
      ['2026-01-01T00:00:00+23:59', 'time zone offset must be within ±14:00'],
      ['2026-01-01T00:00:00-14:30', 'time zone offset must be within ±14:00'],
    ];
    for (const [value, message] of cases)
      expect(messages(isoInstant.safeParse(value)), value).toEqual([message]);
    for (const value of ['2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', 'yesterday'])
      expect(isoInstant.safeParse(value).success, value).toBe(false);
  });
});

describe('isoDate', () => {
  it('accepts real calendar days from 1900 to 2100', () => {
    for (const value of ['1900-01-01', '2024-02-29', '2100-12-31'])
      expect(isoDate.safeParse(value).success, value).toBe(true);
  });

  it('refuses impossible days and years out of range', () => {
    for (const value of ['2026-02-30', '2023-02-29', '2026-13-01', '0000-01-01', '2101-01-01'])
      expect(isoDate.safeParse(value).success, value).toBe(false);
  });
});

describe('order', () => {
  it('normalises every id of an upper-case order, so its lines are stored under the same id', () => {
    const parsed = order.parse({
      id: '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B',
      storeId: '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C',
      terminalId: '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5D',
      guideId: '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5E',
      paymentMethod: 'cash',
      createdAt: '2026-11-02T10:00:00+08:00',
      lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 100 }],
    });
    expect([parsed.id, parsed.storeId, parsed.terminalId, parsed.guideId]).toEqual([
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c',
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d',
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5e',
    ]);
  });
});
