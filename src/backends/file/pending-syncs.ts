import { open } from 'node:fs/promises';
import path from 'node:path';
import { errnoOf } from './errors.js';
import { fsyncDir } from './atomic.js';
import { syncFilesystems } from './sync-fs.js';

/** Files and folders synced at once when a batch of deferred writes is made durable. */
const SYNCS_IN_FLIGHT = 32;

/**
 * A batch of at least this many files is made durable by one syncfs of its filesystems
 * (syncFilesystems; ~10 ms to run `sync -f`, where 64 fsyncs take ~10 ms too): fsyncs otherwise.
 */
const SYNCFS_FROM = 64;

/**
 * The file backend's deferred writes (`WriteOptions.durability: 'deferred'`): written and renamed
 * into place without an fsync, so a crashed process never leaves a part of a file, and made
 * durable together by {@link flush} before the next durable write and in `close()`. Syncing a
 * batch at once lets the filesystem commit its journal once for many files, and each folder is
 * synced once instead of once per file (issue #17: the per-file fsync of the file and its folder
 * was most of a file:// -> file:// move).
 */
export class PendingSyncs {
  private files = new Set<string>();
  /** The flush in progress: a later flush waits for it, since it may hold this caller's files. */
  private flushing: Promise<void> = Promise.resolve();

  /** Records a file written without fsync (its path after the rename). */
  add(file: string): void {
    this.files.add(file);
  }

  /** Makes every recorded file, and its folder entry, durable (and waits for flushes under way). */
  flush(): Promise<void> {
    if (this.files.size === 0) return this.flushing;
    const files = [...this.files];
    this.files = new Set();
    // A failed sync keeps its batch pending: no later durable write may succeed without it.
    const synced = syncBatch(files).catch((err: unknown) => {
      for (const file of files) this.files.add(file);
      throw err;
    });
    const current = Promise.all([this.flushing, synced]).then(() => undefined);
    this.flushing = current.catch(() => undefined);
    return current;
  }
}

async function syncBatch(files: readonly string[]): Promise<void> {
  const folders = [...new Set(files.map((file) => path.dirname(file)))];
  if (files.length >= SYNCFS_FROM && (await syncFilesystems(folders))) return;
  await syncAll(files);
}

/** Fsyncs every file (one gone since is skipped), then each of their folders once, a few at a time. */
export async function syncAll(files: readonly string[]): Promise<void> {
  await inBatches(files, syncFile);
  await inBatches([...new Set(files.map((file) => path.dirname(file)))], syncFolder);
}

async function inBatches(items: readonly string[], run: (item: string) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      await run(items[next++]!).catch((err: unknown) => {
        failed = true;
        throw err;
      });
    }
  };
  // Every worker stops before a failure is reported: no sync of this batch runs after it.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(SYNCS_IN_FLIGHT, items.length) }, worker));
  const rejected = settled.find((result) => result.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
}

/** A file replaced or deleted since is not ours to sync any more: its own writer's durability rules. */
async function syncFile(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r');
    await handle.sync();
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  } finally {
    await handle?.close();
  }
}

async function syncFolder(dir: string): Promise<void> {
  await fsyncDir(dir).catch((err: unknown) => {
    if (errnoOf(err) !== 'ENOENT') throw err;
  });
}
