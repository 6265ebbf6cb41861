import { link, open, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { createReadStream, type ReadStream } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { StateStoreError, abortedError, isStateStoreError } from '../../errors.js';
import type {
  Capabilities,
  DeleteOptions,
  ListOptions,
  ListPage,
  ObjectInfo,
  ReadOptions,
  ReadResult,
  ReadStreamResult,
  VfsDriver,
  WriteOptions,
  WriteStreamOptions,
} from '../../vfs/types.js';
import { toBytes } from '../driver-utils.js';
import { fileVersion, fsyncDir, writeTemp, type TempFile } from './atomic.js';
import { DirCache } from './dir-cache.js';
import { listFilePage, type ListEntry } from './list.js';
import { errnoOf, fsError } from './errors.js';
import { withFileLock } from './lock.js';
import { FileRoot } from './root.js';
import type { FileBackendOptions } from './types.js';

type Body = Uint8Array | Readable | AsyncIterable<Uint8Array>;

/**
 * The local-disk backend. Writes are atomic (temp file, fsync, rename); create-if-absent uses
 * `link()`, which fails if the name exists, atomically, across processes; compare-and-swap and
 * deletes hold a lock file so that other processes, not only this one, are excluded.
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
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const full = await this.root.resolve(key);
    const handle = await open(full, 'r').catch((err) => {
      throw this.mapReadError(err, key, options.ifMatch);
    });
    try {
      const info = await this.infoOf(handle, key, options.ifMatch);
      const body = await handle.readFile({ signal: options.signal });
      return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), info };
    } catch (err) {
      throw this.mapReadError(err, key, options.ifMatch);
    } finally {
      await handle.close();
    }
  }

  async readStream(key: string, options: ReadOptions = {}): Promise<ReadStreamResult> {
    const full = await this.root.resolve(key);
    const handle = await open(full, 'r').catch((err) => {
      throw this.mapReadError(err, key, options.ifMatch);
    });
    try {
      const info = await this.infoOf(handle, key, options.ifMatch);
      return { body: mappedStream(createReadStream('', { fd: handle, autoClose: true }), key, options.signal), info };
    } catch (err) {
      await handle.close();
      throw this.mapReadError(err, key, options.ifMatch);
    }
  }

  async stat(key: string, options: ReadOptions = {}): Promise<ObjectInfo> {
    const full = await this.root.resolve(key);
    try {
      const info = await stat(full, { bigint: true });
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      const result = this.toInfo(key, info.ino, info.mtimeNs, info.size);
      this.checkVersion(result, options.ifMatch);
      return result;
    } catch (err) {
      throw this.mapReadError(err, key, options.ifMatch);
    }
  }

  write(key: string, body: Uint8Array | string, options: WriteOptions = {}): Promise<ObjectInfo> {
    return this.commit(key, toBytes(body), options);
  }

  writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: WriteStreamOptions = {},
  ): Promise<ObjectInfo> {
    return this.commit(key, body, options);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const full = await this.root.resolve(key);
    try {
      await withFileLock(full, this.lockOptions(key, options.signal), async () => {
        if (options.ifMatch !== undefined) await this.stat(key, { ifMatch: options.ifMatch });
        await unlink(full);
      });
    } catch (err) {
      if (isStateStoreError(err)) throw err;
      if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') {
        if (options.ifMatch === undefined) return; // idempotent
        throw new StateStoreError(
          'PreconditionFailed',
          `file: precondition failed: ${JSON.stringify(key)} does not exist`,
          { key, backend: 'file' },
        );
      }
      throw fsError(err, key);
    }
    await this.removeEmptyParents(path.dirname(full));
  }

  async copy(sourceKey: string, destinationKey: string, options: WriteOptions = {}): Promise<ObjectInfo> {
    const source = await this.root.resolve(sourceKey);
    const destination = await this.root.resolve(destinationKey);
    await this.stat(sourceKey);
    await this.root.prepareParent(destination, destinationKey).catch((err) => {
      throw fsError(err, destinationKey);
    });
    // Through writeTemp, not copyFile: copyFile gives the copy the source's mode (0644 for a file
    // put there by hand), while every file this backend writes is 0600 (issue #14.8).
    let temp: TempFile;
    try {
      const handle = await open(source, 'r');
      temp = await writeTemp(destination, createReadStream('', { fd: handle, autoClose: true }), {
        fsync: this.options.fsync,
        signal: options.signal,
        key: destinationKey,
      });
    } catch (err) {
      throw isStateStoreError(err) ? err : fsError(err, errnoOf(err) === 'ENOENT' ? sourceKey : destinationKey);
    }
    return this.publish(destinationKey, destination, temp, options);
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = options.prefix ?? '';
    const slash = prefix.lastIndexOf('/');
    if (slash !== -1) await this.root.resolve(prefix.slice(0, slash));
    return listFilePage(
      {
        dir: this.root.dir,
        tempMaxAgeMs: this.options.tempMaxAgeMs,
        toInfo: (key, ino, mtimeNs, size) => this.toInfo(key, ino, mtimeNs, size),
        cache: this.listCache,
      },
      options,
    );
  }

  async close(): Promise<void> {}

  /** Writes the temp file, then publishes it under the condition asked for. */
  private async commit(key: string, body: Body, options: WriteOptions): Promise<ObjectInfo> {
    const full = await this.root.resolve(key);
    try {
      await this.root.prepareParent(full, key);
      const temp = await writeTemp(full, body, { fsync: this.options.fsync, signal: options.signal, key });
      return await this.publish(key, full, temp, options);
    } catch (err) {
      throw isStateStoreError(err) ? err : fsError(err, key);
    }
  }

  private async publish(key: string, full: string, temp: TempFile, options: WriteOptions): Promise<ObjectInfo> {
    try {
      if (options.ifNoneMatch === '*') {
        await link(temp.path, full).catch((err) => {
          if (errnoOf(err) === 'EEXIST')
            throw new StateStoreError('AlreadyExists', `file: already exists: ${JSON.stringify(key)}`, {
              key,
              backend: 'file',
            });
          throw err;
        });
        await temp.discard();
      } else {
        await withFileLock(full, this.lockOptions(key, options.signal), async () => {
          if (options.ifMatch !== undefined) await this.stat(key, { ifMatch: options.ifMatch });
          await rename(temp.path, full);
        });
      }
      if (this.options.fsync) await fsyncDir(path.dirname(full));
      return this.toInfo(key, temp.ino, temp.mtimeNs, temp.size);
    } catch (err) {
      await temp.discard();
      throw isStateStoreError(err) ? err : fsError(err, key);
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
    ifMatch?: string,
  ): Promise<ObjectInfo> {
    const info = await handle.stat({ bigint: true });
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
    const result = this.toInfo(key, info.ino, info.mtimeNs, info.size);
    this.checkVersion(result, ifMatch);
    return result;
  }

  private checkVersion(info: ObjectInfo, ifMatch: string | undefined): void {
    if (ifMatch !== undefined && info.version !== ifMatch) {
      throw new StateStoreError(
        'PreconditionFailed',
        `file: precondition failed: ${JSON.stringify(info.key)} changed`,
        { key: info.key, backend: 'file' },
      );
    }
  }

  private toInfo(key: string, ino: bigint, mtimeNs: bigint, size: bigint | number): ObjectInfo {
    return {
      key,
      size: Number(size),
      version: fileVersion(ino, mtimeNs, size),
      lastModified: new Date(Number(mtimeNs / 1_000_000n)),
    };
  }

  private mapReadError(err: unknown, key: string, ifMatch: string | undefined): StateStoreError {
    if (isStateStoreError(err)) return err;
    const mapped = fsError(err, key);
    if (mapped.code === 'NotFound' && ifMatch !== undefined) {
      return new StateStoreError(
        'PreconditionFailed',
        `file: precondition failed: ${JSON.stringify(key)} does not exist`,
        { key, backend: 'file' },
      );
    }
    if (errnoOf(err) === 'EISDIR' || errnoOf(err) === 'ENOTDIR')
      return new StateStoreError('NotFound', `file: not found: ${JSON.stringify(key)}`, { key, backend: 'file' });
    return mapped;
  }

  private lockOptions(key: string, signal: AbortSignal | undefined) {
    return { key, signal, timeoutMs: this.options.lockTimeoutMs, staleMs: this.options.staleLockMs };
  }
}

/**
 * A file's bytes as the Vfs promises them: failures are StateStoreErrors, and the caller's abort
 * ends the stream with Aborted at once (Node's own `signal` option would fail with its AbortError).
 */
function mappedStream(raw: ReadStream, key: string, signal: AbortSignal | undefined): Readable {
  const onAbort = () => raw.destroy(abortedError(signal, key, 'file'));
  signal?.addEventListener('abort', onAbort, { once: true });
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of raw) yield chunk as Buffer;
    } catch (err) {
      throw isStateStoreError(err) ? err : fsError(err, key);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      raw.destroy();
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
