import { joinKey, validateKey, validatePrefix } from '../../src/vfs/keys.js';
import { errorCodeSync, SUCCEEDED } from '../helpers/index.js';

describe('keys', () => {
  it.each(['config', 'a/b/c', 'with space', 'ü/日本', 'a+b', '%2e%2e', '..a', 'a..', '.hidden', 'k'.repeat(1024)])(
    'accepts %s',
    (key) => {
      expect(errorCodeSync(() => validateKey(key))).toBe(SUCCEEDED);
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
    expect(errorCodeSync(() => validateKey(key))).toBe('InvalidArgument');
  });

  it('refuses non-strings', () => {
    expect(errorCodeSync(() => validateKey(42))).toBe('InvalidArgument');
    expect(errorCodeSync(() => validateKey(undefined))).toBe('InvalidArgument');
  });

  it('accepts prefixes ending in "/" or mid-segment, and refuses escaping ones', () => {
    for (const prefix of ['', 'a/', 'a/b', 'clusters/x/'])
      expect(errorCodeSync(() => validatePrefix(prefix))).toBe(SUCCEEDED);
    for (const prefix of ['/', '../', 'a//', '/a', 'a/../'])
      expect(errorCodeSync(() => validatePrefix(prefix))).toBe('InvalidArgument');
  });

  it('joins parts without doubling slashes', () => {
    expect(joinKey('a/', '/b/', '', 'c')).toBe('a/b/c');
  });
});
