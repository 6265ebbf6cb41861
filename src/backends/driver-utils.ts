import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StateStoreError } from '../errors.js';
import type { ListOptions, ListPage, ObjectInfo } from '../vfs/types.js';

/** Helpers several drivers share. */

/** A body as bytes (strings are UTF-8). */
export function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** Lowercase hex MD5. */
export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Reads a whole stream into one buffer. Only for bodies known to be small. */
export async function collect(stream: Readable | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Compares keys in UTF-8 byte order, the order S3, GCS and Azure list in. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Pages a sorted key set the way object stores do: for backends that can enumerate everything
 * under a prefix cheaply (memory, file). `entries` must be sorted by {@link compareKeys}.
 * The page token is the last key or prefix returned, base64url-encoded.
 */
export function pageSorted(entries: readonly ObjectInfo[], options: ListOptions, maxPageSize = 1000): ListPage {
  const prefix = options.prefix ?? '';
  const pageSize = Math.min(options.pageSize ?? maxPageSize, maxPageSize);
  const after = options.pageToken === undefined ? undefined : decodeToken(options.pageToken);
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  for (const entry of entries) {
    if (!entry.key.startsWith(prefix)) continue;
    let name = entry.key;
    let isPrefix = false;
    if (options.delimiter === '/') {
      const cut = entry.key.indexOf('/', prefix.length);
      if (cut !== -1) {
        name = entry.key.slice(0, cut + 1);
        isPrefix = true;
      }
    }
    if (after !== undefined && compareKeys(name, after) <= 0) continue;
    if (isPrefix && name === last) continue;
    if (objects.length + prefixes.length >= pageSize) {
      return { objects, prefixes, nextPageToken: encodeToken(last!) };
    }
    if (isPrefix) prefixes.push(name);
    else objects.push(entry);
    last = name;
  }
  return { objects, prefixes };
}

function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) throw new StateStoreError('InvalidArgument', 'malformed page token');
  return Buffer.from(token, 'base64url').toString('utf8');
}
