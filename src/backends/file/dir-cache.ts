import { stat } from 'node:fs/promises';

/** Folders with fewer entries are re-read on every page: cheap, and never stale. */
const MIN_CACHED_ENTRIES = 256;
/** Folders remembered per store. */
const MAX_FOLDERS = 32;
/**
 * A folder's listing is reused only if the folder was last modified at least this long before it
 * was read. Any later change then moves its mtime past the cached one, even on filesystems whose
 * timestamps come from a coarse clock (a few ms), so an unchanged mtime proves an unchanged folder.
 */
const SETTLED_MS = 2000;

interface Cached<T> {
  mtimeNs: bigint;
  entries: T[];
}

/**
 * The continuation of a paged file listing: the sorted entries of the large folders a listing is
 * walking, so that the next page resumes with a binary search instead of re-reading and
 * re-sorting a folder of, say, 20,000 files (which made paging through it quadratic).
 */
export class DirCache<T> {
  private readonly folders = new Map<string, Cached<T>>();

  /** The folder's sorted entries: cached ones if the folder provably did not change, else `read()`. */
  async get(dir: string, read: () => Promise<T[]>): Promise<T[]> {
    const cached = this.folders.get(dir);
    const mtimeNs = await stat(dir, { bigint: true }).then(
      (info) => info.mtimeNs,
      () => undefined,
    );
    if (cached !== undefined && cached.mtimeNs === mtimeNs) return cached.entries;
    this.folders.delete(dir);
    const readAtNs = BigInt(Date.now()) * 1_000_000n;
    const entries = await read();
    if (
      mtimeNs !== undefined &&
      entries.length >= MIN_CACHED_ENTRIES &&
      readAtNs - mtimeNs >= BigInt(SETTLED_MS) * 1_000_000n
    ) {
      if (this.folders.size >= MAX_FOLDERS) this.folders.delete(this.folders.keys().next().value!);
      this.folders.set(dir, { mtimeNs, entries });
    }
    return entries;
  }
}
