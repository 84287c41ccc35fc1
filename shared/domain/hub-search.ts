import type { CustomerSearchRequest } from '../protocol/customer-search';
import { looksLikeFullPhone } from './phone';

const TAIL_THEN_NAME = /^(\d{4})\s+(\D.*)$/u;
const NAME_THEN_TAIL = /^(\D.*?)\s+(\d{4})$/u;
const CODE = /^[\p{L}\p{N}_-]{5,64}$/u;

/**
 * What the counter's search box can ask the hub for when nothing in this store's cache matches
 * (issue #17): a full phone number, 尾号 + name ("8888 王芳" or "王芳 8888"), or a member code
 * (one word of 5 or more characters with a digit in it). Anything else — a bare 尾号, part of a
 * name, pinyin initials — is answered from the cache only: the hub never searches by a fragment.
 */
export function hubSearchQuery(input: string): CustomerSearchRequest | null {
  const text = input.trim().replace(/\s+/gu, ' ');
  if (text.length === 0) return null;
  if (looksLikeFullPhone(text)) return { by: 'phone', phone: text };
  const tailFirst = TAIL_THEN_NAME.exec(text);
  if (tailFirst) return { by: 'tailName', phoneLast4: tailFirst[1]!, name: tailFirst[2]!.trim() };
  const nameFirst = NAME_THEN_TAIL.exec(text);
  if (nameFirst) return { by: 'tailName', phoneLast4: nameFirst[2]!, name: nameFirst[1]!.trim() };
  if (CODE.test(text) && /\d/u.test(text)) return { by: 'memberCode', memberCode: text };
  return null;
}
