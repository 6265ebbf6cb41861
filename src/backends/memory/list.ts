import type { ListOptions, ListPage, ObjectInfo } from '../../vfs/types.js';
import type { Entry } from './entry.js';
import { compareKeys, decodePageToken, encodePageToken } from '../common/paging.js';
import type { SortedKeys } from './sorted-keys.js';

const MAX_PAGE_SIZE = 1000;

/**
 * One page of a memfs listing, read from the sorted key index: it starts at the page token (the
 * last key or common prefix returned, base64url, the same token format as the other drivers') by
 * binary search and reads only what it returns, so listing n keys is O(n), not O(n^2 log n).
 * `root` is the driver's own prefix inside the named store (`memfs://name/root`).
 */
export function listPage(keys: SortedKeys, objects: Map<string, Entry>, root: string, options: ListOptions): ListPage {
  const prefix = root + (options.prefix ?? '');
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const after = options.pageToken === undefined ? undefined : root + decodePageToken(options.pageToken);
  const shallow = options.delimiter === '/';
  const objectsOut: ObjectInfo[] = [];
  const prefixes: string[] = [];
  const has = (key: string) => objects.has(key);
  // A token that is a common prefix (`a/`) resumes after everything under it: at `a0`.
  let start = after === undefined ? prefix : after.endsWith('/') && shallow ? successor(after) : after;
  if (compareKeys(start, prefix) < 0) start = prefix;
  let cursor = keys.from(start, has);
  let last: string | undefined;
  for (let next = cursor.next(); !next.done; next = cursor.next()) {
    const key = next.value;
    if (!key.startsWith(prefix)) break; // sorted: nothing further matches
    if (after !== undefined && compareKeys(key, after) <= 0) continue;
    const cut = shallow ? key.indexOf('/', prefix.length) : -1;
    const name = cut === -1 ? key : key.slice(0, cut + 1);
    if (objectsOut.length + prefixes.length >= pageSize)
      return { objects: objectsOut, prefixes, nextPageToken: encodePageToken(last!.slice(root.length)) };
    last = name;
    if (cut === -1) {
      const info = objects.get(key)!.info;
      objectsOut.push({ ...info, key: key.slice(root.length) });
      continue;
    }
    prefixes.push(name.slice(root.length));
    cursor = keys.from(successor(name), has); // skip the rest of the folder in one search
  }
  return { objects: objectsOut, prefixes };
}

/** The least string greater than every string that starts with `folder` (which ends in `/`). */
function successor(folder: string): string {
  return `${folder.slice(0, -1)}0`; // '0' is the character after '/'
}
