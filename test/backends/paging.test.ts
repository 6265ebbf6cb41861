import { describe, expect, it } from '@jest/globals';
import { compareKeys, decodePageToken, encodePageToken, pageSorted } from '../../src/backends/common/paging.js';
import type { ObjectInfo } from '../../src/vfs/types.js';

/** Keys mixing ASCII, BMP characters on both sides of the surrogate range, and astral characters. */
const ALPHABET = ['a', 'b', '/', '-', 'é', '中', '\u{e000}', '\u{ffff}', '\u{10000}', '😀', '\u{10ffff}'];

function randomKey(seed: number): string {
  let key = '';
  let state = seed;
  const length = 1 + (seed % 5);
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    key += ALPHABET[state % ALPHABET.length];
  }
  return key;
}

describe('compareKeys', () => {
  it('orders well-formed keys exactly as their UTF-8 bytes', () => {
    const keys = Array.from({ length: 300 }, (_, i) => randomKey(i + 1));
    const disagreements: string[][] = [];
    for (const a of keys.slice(0, 60)) {
      for (const b of keys) {
        const bytes = Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
        if (Math.sign(compareKeys(a, b)) !== bytes) disagreements.push([a, b]);
      }
    }
    expect(disagreements).toEqual([]);
    expect(new Set(keys).size).toBeGreaterThan(100);
  });
});

describe('page tokens', () => {
  it('round-trips any key and refuses what is not base64url', () => {
    for (const key of ['', 'a/b', 'é😀/x', 'a b+c']) expect(decodePageToken(encodePageToken(key))).toBe(key);
    expect(() => decodePageToken('not a token!')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('pages a sorted set with prefixes, resuming after the token', () => {
    const info = (key: string): ObjectInfo => ({ key, size: 0, version: key, lastModified: new Date(0) });
    const entries = ['a/1', 'a/2', 'b', 'c/1', 'd'].map(info);
    const first = pageSorted(entries, { delimiter: '/', pageSize: 2 });
    expect([first.prefixes, first.objects.map((o) => o.key)]).toEqual([['a/'], ['b']]);
    const second = pageSorted(entries, { delimiter: '/', pageSize: 2, pageToken: first.nextPageToken });
    expect([second.prefixes, second.objects.map((o) => o.key), second.nextPageToken]).toEqual([
      ['c/'],
      ['d'],
      undefined,
    ]);
  });
});
