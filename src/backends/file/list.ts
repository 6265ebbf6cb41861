import { readdir, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import type { ListOptions, ListPage, ObjectInfo } from '../../vfs/types.js';
import { compareKeys, decodePageToken, encodePageToken } from '../common/paging.js';
import { removeIfAbandoned, TEMP_PREFIX } from './atomic.js';
import type { DirCache } from './dir-cache.js';
import { errnoOf, fsError } from './errors.js';
import { RESERVED_PREFIX } from './lock.js';

const MAX_PAGE_SIZE = 1000;
/**
 * Files of a folder stat-ed at once: one after the other, a listing waited on 2,000 round trips
 * to the thread pool (issue #17, a file:// rerun is two listings).
 */
const STATS_AT_ONCE = 32;

/** What a listing needs from the driver. */
export interface ListContext {
  /** The store's root folder. */
  dir: string;
  tempMaxAgeMs: number;
  toInfo(key: string, stats: BigIntStats): ObjectInfo;
  /** Sorted listings of large folders, kept between pages (the listing's continuation). */
  cache?: DirCache<ListEntry>;
}

/** A file or folder as a listing orders it. */
export interface ListEntry {
  key: string;
  /** The key for ordering: a folder stands for its keys, which all start with `key/`. */
  sortKey: string;
  isDir: boolean;
}

type Item = { object: ObjectInfo } | { prefix: string };

/**
 * One page of a file-store listing in one sorted walk: each folder's entries are sorted (a folder
 * `a` sorts as `a/`, which puts every key in UTF-8 byte order), the walk goes straight down to
 * the page token by binary search and stats only the files it returns. Listing n keys page by
 * page is then linear; it re-walked and stat-ed the whole tree per page before (20k keys: 25 s,
 * issue #14.8). The token is the last key or common prefix returned, base64url.
 */
export async function listFilePage(ctx: ListContext, options: ListOptions): Promise<ListPage> {
  const prefix = options.prefix ?? '';
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const after = options.pageToken === undefined ? undefined : decodePageToken(options.pageToken);
  const shallow = options.delimiter === '/';
  const slash = prefix.lastIndexOf('/');
  const base = slash === -1 ? '' : prefix.slice(0, slash);
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  // The walk stats no more files ahead than the page can still take (plus the one that shows more).
  const room = () => pageSize + 1 - objects.length - prefixes.length;
  for await (const item of walk(ctx, { prefix, shallow, room }, base, after)) {
    if (objects.length + prefixes.length >= pageSize)
      return { objects, prefixes, nextPageToken: encodePageToken(last!) };
    if ('prefix' in item) prefixes.push((last = item.prefix));
    else {
      objects.push(item.object);
      last = item.object.key;
    }
  }
  return { objects, prefixes };
}

/** What stays the same through one page's walk. */
interface Walk {
  prefix: string;
  shallow: boolean;
  /** How many more items the page takes. */
  room(): number;
}

async function* walk(ctx: ListContext, w: Walk, dirKey: string, after: string | undefined): AsyncGenerator<Item> {
  const entries = await sortedEntries(ctx, dirKey);
  let stated: Array<Promise<ObjectInfo | undefined>> = [];
  let next = 0; // the first entry not yet in `stated`
  for (let i = startIndex(entries, after, w.shallow); i < entries.length; i++) {
    const entry = entries[i]!;
    if (!entry.sortKey.startsWith(w.prefix) && !w.prefix.startsWith(entry.sortKey)) continue;
    if (entry.isDir && w.shallow) {
      if (await hasObjectUnder(ctx, entry.key)) yield { prefix: entry.sortKey };
    } else if (entry.isDir) {
      yield* walk(ctx, w, entry.key, after !== undefined && after.startsWith(entry.sortKey) ? after : undefined);
    } else if (entry.key.startsWith(w.prefix)) {
      if (i >= next) {
        // This file and the next ones of the folder, stat-ed together (see STATS_AT_ONCE).
        const files = entries.slice(i, i + Math.max(1, Math.min(STATS_AT_ONCE, w.room())));
        const batch = files.findIndex((file) => file.isDir || !file.key.startsWith(w.prefix));
        const run = batch === -1 ? files : files.slice(0, batch);
        stated = run.map((file) => statFile(ctx, file.key));
        stated.forEach((promise) => promise.catch(() => undefined)); // awaited below, in order
        next = i + run.length;
      }
      const object = await stated[i - (next - stated.length)]!;
      if (object !== undefined) yield { object };
    }
  }
}

/** A file's info; undefined when it is gone (deleted while listing) or no file. */
async function statFile(ctx: ListContext, key: string): Promise<ObjectInfo | undefined> {
  try {
    const info = await stat(path.join(ctx.dir, ...key.split('/')), { bigint: true });
    return info.isFile() ? ctx.toInfo(key, info) : undefined;
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw fsError(err, key);
    return undefined;
  }
}

/**
 * The first entry that can hold a key after `after`: past every entry sorting at or before it,
 * except the folder `after` lies in (its later keys come next), unless a delimiter listing
 * already returned that folder as a prefix.
 */
function startIndex(entries: readonly ListEntry[], after: string | undefined, shallow: boolean): number {
  if (after === undefined) return 0;
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys(entries[mid]!.sortKey, after) <= 0) low = mid + 1;
    else high = mid;
  }
  const previous = entries[low - 1];
  if (!shallow && previous !== undefined && previous.isDir && after.startsWith(previous.sortKey)) return low - 1;
  return low;
}

/** A folder's files and subfolders in listing order, from the cache when it provably did not change. */
function sortedEntries(ctx: ListContext, dirKey: string): Promise<ListEntry[]> {
  const dir = dirKey === '' ? ctx.dir : path.join(ctx.dir, ...dirKey.split('/'));
  return ctx.cache === undefined
    ? readSorted(ctx, dir, dirKey)
    : ctx.cache.get(dir, () => readSorted(ctx, dir, dirKey));
}

/** Reads a folder: reserved names skipped (abandoned temp files removed), the rest sorted. */
async function readSorted(ctx: ListContext, dir: string, dirKey: string): Promise<ListEntry[]> {
  let names: import('node:fs').Dirent[];
  try {
    names = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') return [];
    throw fsError(err, dirKey || undefined);
  }
  const entries: ListEntry[] = [];
  for (const entry of names) {
    if (entry.name.startsWith(RESERVED_PREFIX)) {
      // A listing passing by is where a dead writer's temp file gets noticed and removed.
      if (entry.isFile() && entry.name.startsWith(TEMP_PREFIX))
        await removeIfAbandoned(path.join(dir, entry.name), ctx.tempMaxAgeMs);
      continue;
    }
    if (!entry.isDirectory() && !entry.isFile()) continue; // symlinks and devices are not objects
    const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
    entries.push({ key, sortKey: entry.isDirectory() ? `${key}/` : key, isDir: entry.isDirectory() });
  }
  return entries.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
}

/** For a delimiter listing: an empty folder (left by a crashed writer, say) is not a prefix. */
async function hasObjectUnder(ctx: ListContext, dirKey: string): Promise<boolean> {
  for (const entry of await sortedEntries(ctx, dirKey)) {
    if (!entry.isDir || (await hasObjectUnder(ctx, entry.key))) return true;
  }
  return false;
}
