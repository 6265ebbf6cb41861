import { link, open, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { createReadStream, type BigIntStats, type ReadStream } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { isStateStoreError, StateStoreError } from '../../errors.js';
import {
  NO_CONDITION,
  type Condition,
  type DriverDeleteOptions,
  type DriverReadOptions,
  type DriverWriteOptions,
  type DriverWriteStreamOptions,
  type ErrorContext,
  type VfsDriver,
} from '../../vfs/driver.js';
import type { Capabilities, ListOptions, ListPage, ObjectInfo, ReadResult, ReadStreamResult } from '../../vfs/types.js';
import { collectCapped, readTooLarge } from '../../vfs/read-cap.js';
import { md5Hex, toBytes } from '../common/bytes.js';
import { fsyncDir, TEMP_PREFIX, writeTemp, type TempFile } from './atomic.js';
import { DirCache } from './dir-cache.js';
import { listFilePage, type ListEntry } from './list.js';
import { errnoOf, mapFsError } from './errors.js';
import { RESERVED_PREFIX, withFileLock } from './lock.js';
import { registerLocalRoot } from './local-root.js';
import { PendingSyncs } from './pending-syncs.js';
import { FileRoot } from './root.js';
import { fileStamp, fileVersion } from './stamp.js';
import type { FileBackendOptions } from './types.js';

type Body = Uint8Array | Readable | AsyncIterable<Uint8Array>;

/**
 * Buffered writes up to this size are read back once published, through the descriptor that
 * wrote them, and return the MD5 of what was read (see {@link FileDriver.write}): a move then
 * verifies its copy without opening the file again (issue #17).
 */
const READ_BACK_MAX = 64 * 1024;

/**
 * The local-disk backend. Writes are atomic (temp file, fsync, rename); create-if-absent uses
 * `link()`, which fails if the name exists, atomically, across processes; compare-and-swap and
 * deletes hold a lock file so that other processes, not only this one, are excluded. Methods throw
 * Node's fs errors as they are; the portable layer maps them once with {@link FileDriver.mapError}.
 */
export class FileDriver implements VfsDriver {
  readonly backend = 'file';
  readonly capabilities: Capabilities = {
    ifMatch: true,
    ifNoneMatch: true,
    deleteIfMatch: true,
    serverSideCopy: true,
    md5: false,
  };
  readonly url: string;
  private readonly root: FileRoot;
  private readonly options: Required<FileBackendOptions>;
  private readonly listCache = new DirCache<ListEntry>();
  private readonly pending = new PendingSyncs();

  constructor(dir: string, options: FileBackendOptions = {}) {
    const absolute = path.resolve(dir);
    this.root = new FileRoot(absolute);
    this.url = pathToFileURL(absolute).href;
    this.options = {
      lockTimeoutMs: 10_000,
      staleLockMs: 30_000,
      fsync: true,
      tempMaxAgeMs: 24 * 60 * 60 * 1000,
      ...options,
    };
    if (!(this.options.tempMaxAgeMs >= 0))
      throw new StateStoreError('InvalidArgument', 'file: tempMaxAgeMs must be a number of milliseconds >= 0', {
        backend: 'file',
      });
    const pathOf = (key: string) => {
      try {
        return this.root.pathOf(key);
      } catch {
        return undefined;
      }
    };
    const { fsync, tempMaxAgeMs } = this.options;
    const reservedPrefix = RESERVED_PREFIX;
    registerLocalRoot(this, { dir: absolute, fsync, tempPrefix: TEMP_PREFIX, reservedPrefix, tempMaxAgeMs, pathOf });
  }

  async read(key: string, options: DriverReadOptions): Promise<ReadResult> {
    const handle = await open(await this.root.resolve(key), 'r');
    try {
      const info = await this.infoOf(handle, key, options.condition);
      const body = await readToEnd(handle, info, options.signal, options.maxBytes);
      return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), info };
    } finally {
      await handle.close();
    }
  }

  async readStream(key: string, options: DriverReadOptions): Promise<ReadStreamResult> {
    const handle = await open(await this.root.resolve(key), 'r');
    let info: ObjectInfo;
    try {
      info = await this.infoOf(handle, key, options.condition);
    } catch (err) {
      await handle.close();
      throw err;
    }
    const raw = createReadStream('', { fd: handle, autoClose: true });
    const context: ErrorContext = { op: 'readStream', key, condition: options.condition, signal: options.signal };
    return { body: mappedStream(raw, (err) => this.mapError(err, context), options.signal), info };
  }

  async stat(key: string, options: DriverReadOptions): Promise<ObjectInfo> {
    const info = await stat(await this.root.resolve(key), { bigint: true });
    if (!info.isFile()) throw notAFile();
    const result = this.infoFromStats(key, info);
    this.checkVersion(result, options.condition);
    return result;
  }

  /**
   * Writes atomically (temp file, rename or link). A body of up to 64 KiB is also read back once
   * published, through the descriptor that wrote it, after a stat of that descriptor: the result
   * then carries `md5`, the MD5 of the bytes read back (not of the bytes sent), and the
   * `changeStamp` of that stat, taken before the read.
   */
  write(key: string, body: Uint8Array | string, options: DriverWriteOptions): Promise<ObjectInfo> {
    return this.commit(key, toBytes(body), options);
  }

  writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: DriverWriteStreamOptions,
  ): Promise<ObjectInfo> {
    return this.commit(key, body, options);
  }

  async delete(key: string, options: DriverDeleteOptions): Promise<void> {
    const full = await this.root.resolve(key);
    try {
      await withFileLock(full, this.lockOptions(key, options.signal), async () => {
        if (options.condition.kind === 'version') await this.stat(key, { condition: options.condition });
        await unlink(full);
      });
    } catch (err) {
      const errno = errnoOf(err);
      // Idempotent: deleting what is not there succeeds, unless a version was asked for (mapError).
      if ((errno === 'ENOENT' || errno === 'ENOTDIR') && options.condition.kind === 'none') return;
      throw err;
    }
    await this.removeEmptyParents(path.dirname(full));
  }

  async copy(sourceKey: string, destinationKey: string, options: DriverWriteOptions): Promise<ObjectInfo> {
    const source = await this.root.resolve(sourceKey);
    const destination = await this.root.resolve(destinationKey);
    // The source's own failures are about the source (NotFound), whatever the destination's condition.
    const sourceContext: ErrorContext = { op: 'stat', key: sourceKey, condition: NO_CONDITION };
    const found = await stat(source).catch((err: unknown) => {
      throw this.mapError(err, sourceContext);
    });
    if (!found.isFile()) throw this.mapError(notAFile(), sourceContext);
    await this.root.prepareParent(destination, destinationKey);
    // Through writeTemp, not copyFile: copyFile gives the copy the source's mode (0644 for a file
    // put there by hand), while every file this backend writes is 0600 (issue #14.8).
    const handle = await open(source, 'r').catch((err: unknown) => {
      throw errnoOf(err) === 'ENOENT' ? this.mapError(err, sourceContext) : err;
    });
    const temp = await writeTemp(destination, createReadStream('', { fd: handle, autoClose: true }), {
      fsync: this.options.fsync && options.durability !== 'deferred',
      signal: options.signal,
      key: destinationKey,
      remakeFolder: () => this.root.prepareParent(destination, destinationKey),
    });
    const info = await this.publish(destinationKey, destination, temp, options);
    await temp.close();
    return info;
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = options.prefix ?? '';
    const slash = prefix.lastIndexOf('/');
    if (slash !== -1) await this.root.resolve(prefix.slice(0, slash));
    return listFilePage(
      {
        dir: this.root.dir,
        tempMaxAgeMs: this.options.tempMaxAgeMs,
        toInfo: (key, stats) => this.infoFromStats(key, stats),
        cache: this.listCache,
      },
      options,
    );
  }

  /** Maps by errno, operation and condition sent (see mapFsError). */
  mapError(err: unknown, context: ErrorContext): StateStoreError {
    return mapFsError(err, context);
  }

  /** Makes the deferred writes durable (WriteOptions.durability). */
  async close(): Promise<void> {
    await this.pending.flush();
  }

  /** Writes the temp file, then publishes it under the condition asked for. */
  private async commit(key: string, body: Body, options: DriverWriteOptions): Promise<ObjectInfo> {
    // Create-only: link() fails on any name already there; the key is checked then (publish).
    const full = await this.root.resolveForWrite(key, options.condition.kind !== 'absent');
    const fsync = this.options.fsync && options.durability !== 'deferred';
    const remakeFolder = () => this.root.prepareParent(full, key);
    const temp = await writeTemp(full, body, { fsync, signal: options.signal, key, remakeFolder });
    const info = await this.publish(key, full, temp, options);
    if (body instanceof Uint8Array && body.byteLength <= READ_BACK_MAX) await this.readBack(info, temp.handle);
    await temp.close();
    return info;
  }

  /**
   * Adds to a published write's info the MD5 of its bytes as read back from the file, and the
   * stamp of the stat taken just before (so that the pair is true of one state of the file).
   * The write has taken effect: a failure here only leaves the info without them.
   */
  private async readBack(info: ObjectInfo, handle: FileHandle): Promise<void> {
    try {
      const stats = await handle.stat({ bigint: true });
      if (stats.size > BigInt(READ_BACK_MAX)) return; // rewritten in place meanwhile: not ours to vouch for
      const buffer = Buffer.allocUnsafe(Number(stats.size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, 0);
      const bytes = buffer.subarray(0, bytesRead);
      info.md5 = md5Hex(bytes);
      info.changeStamp = fileStamp(stats);
    } catch {
      // The caller verifies by reading the file again (no md5 given).
    }
  }

  /**
   * Moves the temp file to its name: `link()` for create-if-absent (EEXIST when the name is
   * taken, which mapError makes AlreadyExists), else `rename()` under the lock, after checking
   * the version for a compare-and-swap. The temp file never outlives a failure. A durable write
   * first makes the deferred writes before it durable; a deferred one joins them (PendingSyncs).
   */
  private async publish(key: string, full: string, temp: TempFile, options: DriverWriteOptions): Promise<ObjectInfo> {
    const { condition } = options;
    const deferred = this.options.fsync && options.durability === 'deferred';
    try {
      if (this.options.fsync && !deferred) await this.pending.flush();
      if (condition.kind === 'absent') {
        await link(temp.path, full).catch(async (err: unknown) => {
          if (errnoOf(err) === 'EEXIST') await this.root.assertKeyInside(full, key);
          throw err;
        });
        // Only the temp name goes: the handle stays open for the read-back.
        await unlink(temp.path).catch(() => undefined);
      } else {
        await withFileLock(full, this.lockOptions(key, options.signal), async () => {
          if (condition.kind === 'version') await this.stat(key, { condition });
          await rename(temp.path, full);
        });
      }
      if (deferred) this.pending.add(full);
      else if (this.options.fsync) await fsyncDir(path.dirname(full));
      return this.toInfo(key, temp.ino, temp.mtimeNs, temp.size);
    } catch (err) {
      await temp.discard();
      throw err;
    }
  }

  private async removeEmptyParents(dir: string): Promise<void> {
    const root = path.resolve(this.root.dir);
    while (dir.startsWith(root + path.sep)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty, or gone
      }
      dir = path.dirname(dir);
    }
  }

  private async infoOf(
    handle: import('node:fs/promises').FileHandle,
    key: string,
    condition: Condition,
  ): Promise<ObjectInfo> {
    const info = await handle.stat({ bigint: true });
    if (!info.isFile()) throw notAFile();
    const result = this.infoFromStats(key, info);
    this.checkVersion(result, condition);
    return result;
  }

  private checkVersion(info: ObjectInfo, condition: Condition): void {
    if (condition.kind === 'version' && info.version !== condition.version) {
      throw new StateStoreError(
        'PreconditionFailed',
        `file: precondition failed: ${JSON.stringify(info.key)} changed`,
        { key: info.key, backend: 'file' },
      );
    }
  }

  /** The info of a stat of the file (with its change stamp). */
  private infoFromStats(key: string, stats: BigIntStats): ObjectInfo {
    return { ...this.toInfo(key, stats.ino, stats.mtimeNs, stats.size), changeStamp: fileStamp(stats) };
  }

  private toInfo(key: string, ino: bigint, mtimeNs: bigint, size: bigint | number): ObjectInfo {
    return {
      key,
      size: Number(size),
      version: fileVersion(ino, mtimeNs, size),
      lastModified: new Date(Number(mtimeNs / 1_000_000n)),
    };
  }

  private lockOptions(key: string, signal: AbortSignal | undefined) {
    return { key, signal, timeoutMs: this.options.lockTimeoutMs, staleMs: this.options.staleLockMs };
  }
}

/**
 * A file just opened, whose stat said `info.size` bytes, read to its end. A small file is read with
 * one call of `size + 1` bytes, which also tells that it did not grow since the stat (a larger one,
 * or one that grew, goes through readFile as before). Within a `cap` (Vfs.read's maxBytes), a file
 * whose stat says more is refused unread, and a large one or one that grew is read from its start
 * by a stream given up once past the cap.
 */
async function readToEnd(handle: FileHandle, info: ObjectInfo, signal?: AbortSignal, cap = Infinity): Promise<Buffer> {
  const { size } = info;
  if (size > cap) throw readTooLarge(info, 'file', cap, String(size));
  if (size <= READ_BACK_MAX) {
    const buffer = Buffer.allocUnsafe(size + 1);
    const { bytesRead } = await handle.read(buffer, 0, size + 1, null);
    if (bytesRead <= size) return buffer.subarray(0, bytesRead);
    if (cap === Infinity) return Buffer.concat([buffer, await handle.readFile({ signal })]);
  } else if (cap === Infinity) return handle.readFile({ signal });
  const stream = handle.createReadStream({ start: 0, autoClose: false, ...(signal === undefined ? {} : { signal }) });
  return collectCapped(stream, info, 'file', cap);
}

/** A folder where a file was asked for: the same as no file (mapError makes it NotFound or PreconditionFailed). */
function notAFile(): Error {
  return Object.assign(new Error('not a file'), { code: 'ENOENT' });
}

/**
 * A file's bytes as the Vfs promises them: failures are StateStoreErrors (by the driver's
 * mapError, which the portable layer does not see for a stream), and the caller's abort ends the
 * stream at once, as Aborted (mapError's rule for a fired signal).
 */
function mappedStream(raw: ReadStream, mapError: (err: unknown) => StateStoreError, signal?: AbortSignal): Readable {
  const onAbort = () => raw.destroy(Object.assign(new Error('aborted'), { code: 'ABORT_ERR', cause: signal?.reason }));
  signal?.addEventListener('abort', onAbort, { once: true });
  const release = () => {
    signal?.removeEventListener('abort', onAbort);
    raw.destroy();
  };
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of raw) yield chunk as Buffer;
    } catch (err) {
      // A StateStoreError is the reason the stream was destroyed with (the store's close()): kept.
      throw isStateStoreError(err) ? err : mapError(err);
    } finally {
      release();
    }
  }
  // A stream destroyed before it is read never runs the generator's `finally`: release on close
  // too, so one long-lived signal does not collect a listener per unread stream.
  return Readable.from(chunks(), { objectMode: false }).once('close', release);
}
