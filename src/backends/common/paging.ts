import { StateStoreError } from '../../errors.js';
import type { ListOptions, ListPage, ObjectInfo } from '../../vfs/types.js';

/** Listing order and page tokens, as object stores have them. */

/**
 * Compares keys in UTF-8 byte order, the order S3, GCS and Azure list in, without encoding them:
 * UTF-16 code units compare in code point order except that surrogates (code points above
 * U+FFFF) must sort after U+E000-FFFF. Keys are well-formed Unicode (validateKey), so this is
 * exactly the order of their UTF-8 bytes. Only the sign of the result means anything.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Pages a sorted key set the way object stores do: for backends that can enumerate everything
 * under a prefix cheaply. `entries` must be sorted by {@link compareKeys}. The page token is the
 * last key or prefix returned ({@link encodePageToken}).
 */
export function pageSorted(entries: readonly ObjectInfo[], options: ListOptions, maxPageSize = 1000): ListPage {
  const prefix = options.prefix ?? '';
  const pageSize = Math.min(options.pageSize ?? maxPageSize, maxPageSize);
  const after = options.pageToken === undefined ? undefined : decodePageToken(options.pageToken);
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  for (const entry of entries) {
    if (!entry.key.startsWith(prefix)) continue;
    const cut = options.delimiter === '/' ? entry.key.indexOf('/', prefix.length) : -1;
    const isPrefix = cut !== -1;
    const name = isPrefix ? entry.key.slice(0, cut + 1) : entry.key;
    if (after !== undefined && compareKeys(name, after) <= 0) continue;
    if (isPrefix && name === last) continue;
    if (objects.length + prefixes.length >= pageSize) {
      return { objects, prefixes, nextPageToken: encodePageToken(last!) };
    }
    if (isPrefix) prefixes.push(name);
    else objects.push(entry);
    last = name;
  }
  return { objects, prefixes };
}

/** A page token for "after this key": the key, base64url-encoded. */
export function encodePageToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The key of a {@link encodePageToken} token; InvalidArgument for anything that is not one. */
export function decodePageToken(token: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) throw new StateStoreError('InvalidArgument', 'malformed page token');
  return Buffer.from(token, 'base64url').toString('utf8');
}
