import { StateStoreError } from '../../errors.js';
import type { ListOptions, ListPage, ObjectInfo } from '../../vfs/types.js';

/** Listing order and page tokens, as object stores have them. */

/** Compares keys in UTF-8 byte order, the order S3, GCS and Azure list in. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
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
