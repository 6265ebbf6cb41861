import { StateStoreError } from '../../errors.js';
import type { ListOptions, ListPage, ObjectInfo } from '../../vfs/types.js';
import { decodePageToken, encodePageToken } from '../common/paging.js';
import type { SwiftClient } from './client.js';
import { containerPath, type SwiftLocation } from './url.js';

/** Swift's default `container_listing_limit`: the most one listing request returns. */
const MAX_PAGE = 10_000;
const DEFAULT_PAGE = 1000;

/** One entry of a JSON container listing: an object, or (with a delimiter) a rolled-up prefix. */
interface ListingEntry {
  name?: string;
  bytes?: number;
  hash?: string;
  content_type?: string;
  last_modified?: string;
  subdir?: string;
}

/**
 * One page of a container listing (`GET /container?format=json&prefix&delimiter&marker&limit`).
 * Swift lists in UTF-8 byte order (its container databases compare names as bytes) and resumes
 * after `marker` through its index, so each page costs the same however far the walk got; with
 * a delimiter, a marker equal to a rolled-up prefix skips the whole prefix. The page token is
 * that marker (the last name or prefix returned), base64url-encoded.
 */
export async function listPage(client: SwiftClient, location: SwiftLocation, options: ListOptions): Promise<ListPage> {
  const limit = Math.min(options.pageSize ?? DEFAULT_PAGE, MAX_PAGE);
  const marker = options.pageToken === undefined ? undefined : decodeToken(options.pageToken, location.root);
  const response = await client.send({
    method: 'GET',
    path: containerPath(location.container),
    query: {
      format: 'json',
      prefix: location.root + (options.prefix ?? ''),
      delimiter: options.delimiter,
      marker,
      limit: String(limit),
    },
    headers: { Accept: 'application/json' },
    target: 'container',
    signal: options.signal,
  });
  // An empty container answers 204 with no body.
  const text = response.status === 204 ? '[]' : await response.text();
  const entries = JSON.parse(text === '' ? '[]' : text) as ListingEntry[];
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  for (const entry of entries) {
    if (entry.subdir !== undefined) {
      prefixes.push(entry.subdir.slice(location.root.length));
      last = entry.subdir;
    } else if (entry.name !== undefined) {
      objects.push(infoOf(entry, location.root));
      last = entry.name;
    }
  }
  // A full page may have more behind it; the next (possibly empty) page tells.
  const token = entries.length >= limit && last !== undefined ? encodePageToken(last) : undefined;
  return { objects, prefixes, ...(token === undefined ? {} : { nextPageToken: token }) };
}

function infoOf(entry: ListingEntry, root: string): ObjectInfo {
  const hash = entry.hash ?? '';
  // Swift lists UTC times without a zone: `2026-11-30T23:31:15.685940`.
  const stamp = entry.last_modified ?? '';
  const contentType = entry.content_type?.split(';swift_bytes=')[0];
  return {
    key: entry.name!.slice(root.length),
    size: entry.bytes ?? 0,
    version: hash,
    ...(/^[0-9a-f]{32}$/.test(hash) ? { md5: hash } : {}),
    lastModified: new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(stamp) ? stamp : `${stamp}Z`),
    ...(contentType === undefined ? {} : { contentType }),
  };
}

/** The marker of a token this store gave: one naming a name outside the store's root is not one. */
function decodeToken(token: string, root: string): string {
  const marker = decodePageToken(token);
  if (!marker.startsWith(root) || marker === '') {
    throw new StateStoreError('InvalidArgument', 'swift: malformed page token', { backend: 'swift' });
  }
  return marker;
}
