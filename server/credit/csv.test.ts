import { describe, expect, it } from 'vitest';
import { textCell, yuan } from './csv';

describe('Excel-safe CSV cells', () => {
  it('defuses what a spreadsheet would run as a formula, and quotes every cell', () => {
    expect(textCell('=HYPERLINK("http://evil","click")')).toBe(
      `"'=HYPERLINK(""http://evil"",""click"")"`,
    );
    expect(textCell('+86 138')).toBe(`"'+86 138"`);
    expect(textCell('-2+3')).toBe(`"'-2+3"`);
    expect(textCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(textCell('\t=1')).toBe(`"'\t=1"`);
    expect(textCell('\r=1')).toBe(`"'\r=1"`);
  });
  it('leaves ordinary text as it is, commas and line breaks inside the quotes', () => {
    expect(textCell('王芳')).toBe('"王芳"');
    expect(textCell('a, b\nc')).toBe('"a, b\nc"');
    expect(textCell('1=1')).toBe('"1=1"');
    expect(textCell('')).toBe('""');
  });
  it('writes fen as yuan exactly, negatives included', () => {
    expect(yuan(0)).toBe('0.00');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(-1250)).toBe('-12.50');
    expect(yuan(12_345_678_901)).toBe('123456789.01');
    expect(yuan(-99)).toBe('-0.99');
  });
});
