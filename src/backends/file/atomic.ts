import { randomBytes } from 'node:crypto';
import { open, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { throwIfAborted } from '../../errors.js';
import { errnoOf } from './errors.js';
import { RESERVED_PREFIX } from './lock.js';

/** Every temp file's name starts with this (writes, copies, lock candidates). */
export const TEMP_PREFIX = `${RESERVED_PREFIX}tmp-`;

/**
 * Removes `file`, a temp file, if nothing has written to it for `maxAgeMs`: its writer died (a
 * live writer's stream keeps the modification time moving). Never fails: on a read-only store,
 * or when another process removed it first, the file is simply left or already gone.
 */
export async function removeIfAbandoned(file: string, maxAgeMs: number): Promise<void> {
  try {
    if (Date.now() - (await stat(file)).mtimeMs > maxAgeMs) await unlink(file);
  } catch {
    // gone already, or not ours to remove
  }
}

/**
 * A fully written (and, if asked, fsynced) temporary file next to its target, ready to be renamed
 * or linked; still open, so that it can be read back once published (FileDriver.publish).
 */
export interface TempFile {
  path: string;
  /** Open for reading and writing; closed by {@link TempFile.discard} or {@link TempFile.close}. */
  handle: FileHandle;
  /** Identity and size of the written file (survive rename and link). */
  ino: bigint;
  mtimeNs: bigint;
  size: number;
  /** Closes the handle and removes the temp name (a published file keeps its other name). */
  discard(): Promise<void>;
  /** Closes the handle. */
  close(): Promise<void>;
}

/**
 * Writes `body` to a temp file in the target's own folder (so rename and link stay on one
 * filesystem and are atomic), mode 0600, fsynced before it can become visible.
 */
export async function writeTemp(
  target: string,
  body: Uint8Array | Readable | AsyncIterable<Uint8Array>,
  options: { fsync: boolean; signal?: AbortSignal; key: string; remakeFolder?: () => Promise<void> },
): Promise<TempFile> {
  const tempPath = path.join(path.dirname(target), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  let handle: FileHandle | undefined;
  try {
    handle = await openTemp(tempPath, options.remakeFolder);
    if (body instanceof Uint8Array) {
      await handle.writeFile(body);
    } else {
      for await (const chunk of body) {
        throwIfAborted(options.signal, options.key, 'file');
        await handle.write(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
      }
    }
    throwIfAborted(options.signal, options.key, 'file');
    if (options.fsync) await handle.sync();
    const info = await handle.stat({ bigint: true });
    const open = handle;
    const close = () => open.close().catch(() => undefined);
    const discard = () => Promise.all([close(), unlink(tempPath).catch(() => undefined)]).then(() => undefined);
    return { path: tempPath, handle, ino: info.ino, mtimeNs: info.mtimeNs, size: Number(info.size), discard, close };
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await unlink(tempPath).catch(() => undefined);
    throw err;
  }
}

/**
 * Opens a new temp file. A delete of the folder's last file removes the emptied folder (object
 * stores have no folders), so a writer that found the folder may see it gone when it creates its
 * temp file (ENOENT): the folder is made again and the open retried, a few times. Nothing of the
 * body has been read yet at that point, so a stream body is still whole.
 */
async function openTemp(tempPath: string, remakeFolder: (() => Promise<void>) | undefined): Promise<FileHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Read-write: a published file is read back through this same descriptor.
      return await open(tempPath, 'wx+', 0o600);
    } catch (err) {
      if (remakeFolder === undefined || errnoOf(err) !== 'ENOENT' || attempt >= 5) throw err;
      await remakeFolder();
    }
  }
}

/** Flushes a folder's entries (the rename or link itself) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
