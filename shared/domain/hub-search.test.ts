import { describe, expect, it } from 'vitest';
import { customerSearchRequest } from '../protocol';
import { hubSearchQuery } from './hub-search';

describe('hubSearchQuery (what the counter may ask the hub for)', () => {
  it.each([
    ['13800138000', { by: 'phone', phone: '13800138000' }],
    ['138 0013 8000', { by: 'phone', phone: '138 0013 8000' }],
    ['8888 王芳', { by: 'tailName', phoneLast4: '8888', name: '王芳' }],
    ['王芳  8888', { by: 'tailName', phoneLast4: '8888', name: '王芳' }],
    ['M0001234567', { by: 'memberCode', memberCode: 'M0001234567' }],
    ['VIP-20391', { by: 'memberCode', memberCode: 'VIP-20391' }],
  ])('%s → %o, which the hub schema accepts', (input, expected) => {
    expect(hubSearchQuery(input)).toEqual(expected);
    expect(customerSearchRequest.safeParse(expected).success).toBe(true);
  });

  it.each(['', '8888', '王芳', 'wf', 'abcdef', '王 芳', '12 34'])(
    'never asks the hub by a fragment: %j stays local',
    (input) => {
      expect(hubSearchQuery(input)).toBeNull();
    },
  );
});
