import type { Readable } from 'node:stream';
import { StateStoreError, isStateStoreError, throwIfAborted } from '../errors.js';
import { validateKey, validatePrefix } from './keys.js';
import type {
  CallOptions,
  CopyFromOptions,
  DeleteOptions,
  ListAllOptions,
  ListOptions,
  ListPage,
  ObjectInfo,
  ReadOptions,
  ReadResult,
  ReadStreamResult,
  ServerSideLocation,
  Vfs,
  VfsDriver,
  WriteOptions,
  WriteStreamOptions,
} from './types.js';

/**
 * Wraps a driver into the portable {@link Vfs}: the checks every backend shares live here once,
 * like go-cloud's `blob.Bucket` around its `driver.Bucket`.
 */
export function portable(driver: VfsDriver): Vfs {
  return new PortableVfs(driver);
}

class PortableVfs implements Vfs {
  constructor(private readonly driver: VfsDriver) {}

  get url(): string {
    return this.driver.url;
  }
  get backend(): string {
    return this.driver.backend;
  }
  get capabilities() {
    return this.driver.capabilities;
  }

  read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    return this.guard(key, options, () => this.driver.read(key, options));
  }

  readStream(key: string, options: ReadOptions = {}): Promise<ReadStreamResult> {
    return this.guard(key, options, () => this.driver.readStream(key, options));
  }

  stat(key: string, options: ReadOptions = {}): Promise<ObjectInfo> {
    return this.guard(key, options, () => this.driver.stat(key, options));
  }

  write(key: string, body: Uint8Array | string, options: WriteOptions = {}): Promise<ObjectInfo> {
    return this.guard(key, options, () => {
      this.checkWriteConditions(key, options);
      if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
        throw new StateStoreError('InvalidArgument', 'body must be a string or a Uint8Array', {
          key,
          backend: this.backend,
        });
      }
      return this.driver.write(key, body, options);
    });
  }

  writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: WriteStreamOptions = {},
  ): Promise<ObjectInfo> {
    return this.guard(key, options, () => {
      this.checkWriteConditions(key, options);
      if (options.size !== undefined && (!Number.isSafeInteger(options.size) || options.size < 0)) {
        throw new StateStoreError('InvalidArgument', 'size must be a non-negative integer', {
          key,
          backend: this.backend,
        });
      }
      return this.driver.writeStream(key, body, options);
    });
  }

  delete(key: string, options: DeleteOptions = {}): Promise<void> {
    return this.guard(key, options, () => {
      if (options.ifMatch !== undefined) {
        this.checkVersion(key, options.ifMatch);
        if (!this.capabilities.deleteIfMatch) this.unsupported(key, 'delete with ifMatch');
      }
      return this.driver.delete(key, options);
    });
  }

  copy(sourceKey: string, destinationKey: string, options: WriteOptions = {}): Promise<ObjectInfo> {
    return this.guard(sourceKey, options, () => {
      validateKey(destinationKey, this.backend);
      this.checkWriteConditions(destinationKey, options);
      return this.driver.copy(sourceKey, destinationKey, options);
    });
  }

  copyFrom(
    source: Vfs,
    sourceKey: string,
    destinationKey: string,
    options: CopyFromOptions = {},
  ): Promise<ObjectInfo | undefined> {
    return this.guard(destinationKey, options, async () => {
      validateKey(sourceKey, this.backend);
      this.checkWriteConditions(destinationKey, options);
      const location = source.serverSideLocation?.(sourceKey);
      if (location === undefined || this.driver.copyFromLocation === undefined) return undefined;
      return this.driver.copyFromLocation(location, destinationKey, options);
    });
  }

  serverSideLocation(key: string): ServerSideLocation | undefined {
    validateKey(key, this.backend);
    return this.driver.serverSideLocation?.(key);
  }

  list(options: ListOptions = {}): Promise<ListPage> {
    return this.run(undefined, options, () => {
      validatePrefix(options.prefix ?? '', this.backend);
      if (options.delimiter !== undefined && options.delimiter !== '/') {
        throw new StateStoreError('InvalidArgument', 'the only delimiter is "/"', { backend: this.backend });
      }
      if (options.pageSize !== undefined && (!Number.isSafeInteger(options.pageSize) || options.pageSize < 1)) {
        throw new StateStoreError('InvalidArgument', 'pageSize must be a positive integer', { backend: this.backend });
      }
      return this.driver.list(options);
    });
  }

  async *listAll(options: ListAllOptions = {}): AsyncIterable<ObjectInfo> {
    let pageToken: string | undefined;
    do {
      const page = await this.list({
        prefix: options.prefix,
        pageSize: options.pageSize,
        pageToken,
        signal: options.signal,
      });
      yield* page.objects;
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  private checkWriteConditions(key: string, options: WriteOptions): void {
    if (options.ifMatch !== undefined && options.ifNoneMatch !== undefined) {
      throw new StateStoreError('InvalidArgument', 'ifMatch and ifNoneMatch are mutually exclusive', {
        key,
        backend: this.backend,
      });
    }
    if (options.ifNoneMatch !== undefined) {
      if (options.ifNoneMatch !== '*') {
        throw new StateStoreError('InvalidArgument', 'ifNoneMatch only accepts "*"', { key, backend: this.backend });
      }
      if (!this.capabilities.ifNoneMatch) this.unsupported(key, 'ifNoneMatch');
    }
    if (options.ifMatch !== undefined) {
      this.checkVersion(key, options.ifMatch);
      if (!this.capabilities.ifMatch) this.unsupported(key, 'ifMatch');
    }
  }

  private checkVersion(key: string, version: unknown): void {
    if (typeof version !== 'string' || version === '') {
      throw new StateStoreError('InvalidArgument', 'ifMatch must be a non-empty version string', {
        key,
        backend: this.backend,
      });
    }
  }

  private unsupported(key: string, what: string): never {
    throw new StateStoreError('Unsupported', `the ${this.backend} backend cannot enforce ${what}`, {
      key,
      backend: this.backend,
    });
  }

  private guard<T>(key: string, options: CallOptions, fn: () => Promise<T>): Promise<T> {
    return this.run(key, options, () => {
      validateKey(key, this.backend);
      return fn();
    });
  }

  /** Runs `fn` with the shared checks; anything that is not a StateStoreError becomes Unknown. */
  private async run<T>(key: string | undefined, options: CallOptions, fn: () => Promise<T>): Promise<T> {
    try {
      throwIfAborted(options.signal, key, this.backend);
      return await fn();
    } catch (err) {
      if (isStateStoreError(err)) throw err;
      if (options.signal?.aborted)
        throw new StateStoreError('Aborted', 'the operation was aborted', { key, backend: this.backend, cause: err });
      throw new StateStoreError(
        'Unknown',
        `${this.backend}: unexpected failure${key === undefined ? '' : ` for key ${JSON.stringify(key)}`}`,
        { key, backend: this.backend, cause: err },
      );
    }
  }
}
