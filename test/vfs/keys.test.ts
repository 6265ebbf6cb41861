import { isStateStoreError } from '../../src/errors.js';
import { joinKey, validateKey, validatePrefix } from '../../src/vfs/keys.js';

function code(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isStateStoreError(err) ? err.code : 'not a StateStoreError';
  }
}

describe('keys', () => {
  it.each(['config', 'a/b/c', 'with space', 'ü/日本', 'a+b', '%2e%2e', '..a', 'a..', '.hidden', 'k'.repeat(1024)])(
    'accepts %s',
    (key) => {
      expect(code(() => validateKey(key))).toBeUndefined();
    },
  );

  it.each([
    '',
    '/',
    '/a',
    'a/',
    'a//b',
    '.',
    '..',
    '../a',
    'a/..',
    'a/./b',
    'a\0b',
    'k'.repeat(1025),
    'é'.repeat(513),
    '\ud800',
  ])('refuses %j', (key) => {
    expect(code(() => validateKey(key))).toBe('InvalidArgument');
  });

  it('refuses non-strings', () => {
    expect(code(() => validateKey(42))).toBe('InvalidArgument');
    expect(code(() => validateKey(undefined))).toBe('InvalidArgument');
  });

  it('accepts prefixes ending in "/" or mid-segment, and refuses escaping ones', () => {
    for (const prefix of ['', 'a/', 'a/b', 'clusters/x/']) expect(code(() => validatePrefix(prefix))).toBeUndefined();
    for (const prefix of ['/', '../', 'a//', '/a', 'a/../'])
      expect(code(() => validatePrefix(prefix))).toBe('InvalidArgument');
  });

  it('joins parts without doubling slashes', () => {
    expect(joinKey('a/', '/b/', '', 'c')).toBe('a/b/c');
  });
});
