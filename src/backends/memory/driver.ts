import { Readable } from 'node:stream';
import { StateStoreError } from '../../errors.js';
import type {
  Condition,
  DriverDeleteOptions,
  DriverReadOptions,
  DriverWriteOptions,
  DriverWriteStreamOptions,
  ErrorContext,
  VfsDriver,
} from '../../vfs/driver.js';
import type {
  Capabilities,
  ListOptions,
  ListPage,
  ObjectInfo,
  ObjectVersion,
  ReadResult,
  ReadStreamResult,
  StoreFacts,
} from '../../vfs/types.js';
import type { StoreUrl } from '../../vfs/url.js';
import { readTooLarge } from '../../vfs/read-cap.js';
import type { BackendFactory } from '../factory.js';
import { collect, md5Hex, toBytes } from '../common/bytes.js';
import type { Entry } from './entry.js';
import { listPage } from './list.js';
import { SortedKeys } from './sorted-keys.js';
import { ObjectVersions } from './versions.js';

/** One named store: its objects, their keys in listing order, and (when on) every version kept. */
interface MemStore {
  objects: Map<string, Entry>;
  keys: SortedKeys;
  versions?: ObjectVersions;
}

/**
 * Named in-process stores: `memfs://a` opened twice is the same store, as in kops. Kept on
 * `globalThis` under a registered symbol, so that the ESM and the CommonJS copies of this package
 * loaded in one process share them too, as the README promises (issue #14.9); the version counter
 * is shared for the same reason (two copies must never hand out the same version).
 */
const registry: { stores: Map<string, MemStore>; version: number } = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('statestore.memfs.v1')
] ??= {
  stores: new Map<string, MemStore>(),
  version: 0,
}) as { stores: Map<string, MemStore>; version: number };

/**
 * The `memfs://name` backend: everything in one Map, every operation synchronous between awaits,
 * so conditions are trivially atomic. For tests, examples and dry runs.
 */
export class MemoryDriver implements VfsDriver {
  readonly backend = 'memory';
  readonly capabilities: Capabilities = {
    ifMatch: true,
    ifNoneMatch: true,
    deleteIfMatch: true,
    serverSideCopy: true,
    md5: true,
  };
  readonly url: string;
  private readonly objects: Map<string, Entry>;
  private readonly keys: SortedKeys;

  /** `memfs://name/some/prefix`: the store `name`, seen from below `some/prefix/`. */
  private readonly prefix: string;

  private readonly store: MemStore;

  constructor(name: string, prefix = '', versioning = false) {
    this.url = prefix === '' ? `memfs://${name}` : `memfs://${name}/${prefix}`;
    this.prefix = prefix === '' ? '' : `${prefix}/`;
    let store = registry.stores.get(name);
    if (store === undefined) {
      store = { objects: new Map(), keys: new SortedKeys() };
      registry.stores.set(name, store);
    }
    if (versioning) store.versions ??= new ObjectVersions();
    this.store = store;
    this.objects = store.objects;
    this.keys = store.keys;
  }

  async listObjectVersions(key: string): Promise<ObjectVersion[]> {
    return this.versioned(key).list(this.prefix + key);
  }

  async readObjectVersion(key: string, versionId: string): Promise<ReadResult> {
    const entry = this.versioned(key).read(this.prefix + key, versionId);
    return { body: new Uint8Array(entry.body), info: this.relative(entry.info) };
  }

  async deleteObjectVersion(key: string, versionId: string): Promise<void> {
    const now = this.versioned(key).remove(this.prefix + key, versionId);
    if (now === undefined) return;
    // The version before the deleted newest one is the object again (or none, as after a delete).
    if (now === null) {
      if (this.objects.delete(this.prefix + key)) this.keys.remove();
      return;
    }
    if (!this.objects.has(this.prefix + key)) this.keys.add(this.prefix + key);
    this.objects.set(this.prefix + key, now);
  }

  /** Whether the store keeps versions (`memory: { versioning: true }`), as a bucket's versioning is told. */
  async describeStore(): Promise<StoreFacts> {
    return { versioning: this.store.versions === undefined ? 'off' : 'enabled' };
  }

  private versioned(key: string): ObjectVersions {
    if (this.store.versions === undefined)
      throw new StateStoreError(
        'Unsupported',
        'memory: this store keeps no versions (open it with memory.versioning)',
        {
          key,
          backend: this.backend,
        },
      );
    return this.store.versions;
  }

  async read(key: string, options: DriverReadOptions): Promise<ReadResult> {
    const entry = this.get(key, options.condition);
    const cap = options.maxBytes;
    if (cap !== undefined && entry.body.length > cap)
      throw readTooLarge(this.relative(entry.info), 'memory', cap, String(entry.body.length));
    return { body: new Uint8Array(entry.body), info: this.relative(entry.info) };
  }

  async readStream(key: string, options: DriverReadOptions): Promise<ReadStreamResult> {
    const entry = this.get(key, options.condition);
    return { body: Readable.from([Buffer.from(entry.body)]), info: this.relative(entry.info) };
  }

  async stat(key: string, options: DriverReadOptions): Promise<ObjectInfo> {
    return this.relative(this.get(key, options.condition).info);
  }

  async write(key: string, body: Uint8Array | string, options: DriverWriteOptions): Promise<ObjectInfo> {
    return this.put(key, new Uint8Array(toBytes(body)), options);
  }

  async writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: DriverWriteStreamOptions,
  ): Promise<ObjectInfo> {
    const bytes = await collect(body);
    options.signal?.throwIfAborted();
    return this.put(key, new Uint8Array(bytes), options);
  }

  async delete(key: string, options: DriverDeleteOptions): Promise<void> {
    if (options.condition.kind === 'version') this.get(key, options.condition);
    if (this.objects.delete(this.prefix + key)) {
      this.keys.remove();
      this.store.versions?.add(this.prefix + key, undefined);
    }
  }

  async list(options: ListOptions): Promise<ListPage> {
    return listPage(this.keys, this.objects, this.prefix, options);
  }

  async copy(sourceKey: string, destinationKey: string, options: DriverWriteOptions): Promise<ObjectInfo> {
    const source = this.get(sourceKey, { kind: 'none' });
    return this.put(destinationKey, new Uint8Array(source.body), {
      ...options,
      contentType: options.contentType ?? source.info.contentType,
    });
  }

  /** Nothing here calls a system or an SDK: only a bug can get here. */
  mapError(err: unknown, context: ErrorContext): StateStoreError {
    const code = context.signal?.aborted === true ? 'Aborted' : 'Unknown';
    return new StateStoreError(code, `memory: ${context.op} failed`, {
      key: context.key,
      backend: this.backend,
      cause: err,
    });
  }

  async close(): Promise<void> {}

  private get(key: string, condition: Condition): Entry {
    const entry = this.objects.get(this.prefix + key);
    const ifMatch = condition.kind === 'version' ? condition.version : undefined;
    if (entry === undefined) {
      if (ifMatch !== undefined)
        throw new StateStoreError('PreconditionFailed', `precondition failed: ${JSON.stringify(key)} does not exist`, {
          key,
          backend: this.backend,
        });
      throw new StateStoreError('NotFound', `not found: ${JSON.stringify(key)}`, { key, backend: this.backend });
    }
    if (ifMatch !== undefined && entry.info.version !== ifMatch) {
      throw new StateStoreError('PreconditionFailed', `precondition failed: ${JSON.stringify(key)} changed`, {
        key,
        backend: this.backend,
      });
    }
    return entry;
  }

  private put(key: string, body: Uint8Array, options: DriverWriteOptions): ObjectInfo {
    const existing = this.objects.get(this.prefix + key);
    if (options.condition.kind === 'absent' && existing !== undefined) {
      throw new StateStoreError('AlreadyExists', `already exists: ${JSON.stringify(key)}`, {
        key,
        backend: this.backend,
      });
    }
    if (options.condition.kind === 'version') this.get(key, options.condition);
    registry.version += 1;
    const info: ObjectInfo = {
      key: this.prefix + key,
      size: body.byteLength,
      version: `m${registry.version}`,
      md5: md5Hex(body),
      lastModified: new Date(),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    };
    if (existing === undefined) this.keys.add(this.prefix + key);
    this.objects.set(this.prefix + key, { body, info });
    this.store.versions?.add(this.prefix + key, { body, info });
    return this.relative(info);
  }

  private relative(info: ObjectInfo): ObjectInfo {
    return { ...info, key: info.key.slice(this.prefix.length) };
  }
}

/** Opens `memfs://name`. */
export const memoryBackend: BackendFactory = {
  schemes: ['memfs'],
  async open(url: StoreUrl, options) {
    return new MemoryDriver(url.host, url.path, options.memory?.versioning === true);
  },
};
