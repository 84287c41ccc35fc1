/**
 * Logs land in a file on a shared store PC and get emailed to support: they must not carry
 * customer PII. The scrubber runs on every log message before it is written (an electron-log
 * hook), so a careless `log.info(customer)` cannot leak a name or a phone number.
 */

/** Keys whose values are personal (or secret) whatever they contain. */
const SENSITIVE_KEYS =
  /^(name|customername|fullname|nickname|firstname|lastname|guidename|phone|mobile|tel|telephone|e164|phonee164|phonemasked|email|address|addr|idcard|idnumber|birthday|membercode|token|terminaltoken|enroltoken|authorization|phonehashkey|password|pin|pinhash|secret)$/i;

const REDACTED = '[redacted]';

const PATTERNS: [RegExp, string][] = [
  // Bearer / token=… values (terminal tokens are secrets, not PII, but equally unwanted).
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/\b(token|enrol-token|enrolToken)(["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi, `$1$2${REDACTED}`],
  // e-mail addresses
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  // PRC resident ID numbers (18 characters, last may be X)
  [/(?<!\d)\d{17}[\dXx](?!\d)/g, '[id]'],
  // mainland mobiles, with or without +86 / 0086 and separators: 138 1234 5678, +86-138-1234-5678
  [/(?<![\d+])(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g, '[phone]'],
  // any other E.164-looking number (+ and 8–15 digits)
  [/\+\d(?:[\s-]?\d){7,14}(?!\d)/g, '[phone]'],
  // masked phones still identify a customer together with a time and store
  [/(?<!\d)1[3-9]\d\*{4}\d{4}(?!\d)/g, '[phone]'],
  // "姓名: 张三" / "顾客 李四" style labelled Chinese names
  [/((?:姓名|顾客|会员|客户|name)\s*[:：=]?\s*)[\u4e00-\u9fff·]{2,6}/gi, `$1${REDACTED}`],
];

/** Scrubs PII patterns from free text. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Scrubs any loggable value: strings by pattern, objects by key and pattern, recursively. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[deep]';
  if (value instanceof Error) {
    const copy = new Error(scrubText(value.message));
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : scrubText(value.stack);
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      SENSITIVE_KEYS.test(key) && v !== null && v !== undefined
        ? REDACTED
        : scrubValue(v, depth + 1);
  }
  return out;
}
