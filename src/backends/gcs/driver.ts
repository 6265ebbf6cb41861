import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File, Storage } from '@google-cloud/storage';
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
import { withRetry, type RetryPolicy } from '../../vfs/retry.js';
import type {
  Capabilities,
  ListOptions,
  ListPage,
  ObjectInfo,
  ReadResult,
  ReadStreamResult,
  StoreFacts,
} from '../../vfs/types.js';
import { collect, toBytes } from '../common/bytes.js';
import { compareKeys } from '../common/paging.js';
import { GCS_NAME_LIMIT, prefixedName } from '../common/key-limit.js';
import { resumableBody } from '../resume.js';
import { describeBucket } from './describe.js';
import { answered, openRead, uploadAgent } from './download.js';
import { watchStall } from './stall-watch.js';
import { mapGcsError } from './errors.js';
import type { GcsBackendOptions } from './types.js';
import { redactInspection } from '../../vfs/redact.js';
import { collectCapped } from '../../vfs/read-cap.js';

const DEFAULT_RESUMABLE_THRESHOLD = 8 * 1024 * 1024;
/** The SDK's own per-request timeout. */
const DEFAULT_TIMEOUT_MS = 60_000;
/** Attempts to read a consistent (metadata, content) pair when the object changes in between. */
const READ_ATTEMPTS = 5;

/** The object metadata fields this driver reads (a subset of GCS's object resource). */
interface GcsObjectMeta {
  name?: string;
  size?: string | number;
  generation?: string | number;
  md5Hash?: string;
  updated?: string;
  timeCreated?: string;
  contentType?: string;
}

/**
 * The Vfs over one GCS bucket and prefix. The version is the object generation; conditions are
 * GCS's `ifGenerationMatch` (0 for create-if-absent), decided by the service. Reads pin the
 * generation they stat'ed, so content and info always belong together.
 */
export class GcsDriver implements VfsDriver {
  readonly backend = 'gcs';
  readonly capabilities: Capabilities = {
    ifMatch: true,
    ifNoneMatch: true,
    deleteIfMatch: true,
    serverSideCopy: true,
    md5: true,
  };
  readonly url: string;
  private readonly bucket: Bucket;
  private readonly root: string;
  private readonly threshold: number;
  private readonly timeoutMs: number;
  /**
   * Transfers left to the SDK's own HTTP handling (its agent, interceptors and proxy): for a
   * caller's own Storage, or behind a proxy from the store's environment (`proxy`, set on the
   * Storage by ./proxy.ts). Otherwise downloads are this driver's own requests and each streamed
   * upload has an agent of its own (see ./download.ts).
   */
  private readonly sdkTransport: boolean;

  constructor(
    private readonly storage: Storage,
    bucket: string,
    prefix: string,
    private readonly options: GcsBackendOptions,
    private readonly retry: RetryPolicy,
    /** The proxy set on the Storage (./proxy.ts), as messages name it; undefined for none. */
    private readonly proxy?: string,
  ) {
    // Ours even with a caller's Storage, which it references (and with it the credentials).
    this.bucket = redactInspection(storage.bucket(bucket), 'Bucket', () => ({ name: bucket }));
    this.root = prefix === '' ? '' : `${prefix}/`;
    this.url = `gs://${bucket}${prefix === '' ? '' : `/${prefix}`}`;
    this.threshold = options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.sdkTransport = options.storage !== undefined || proxy !== undefined;
  }

  async read(key: string, options: DriverReadOptions): Promise<ReadResult> {
    const { body, info } = await this.readStream(key, options);
    const bytes = await collectCapped(body, info, 'gcs', options.maxBytes); // fails with the body's StateStoreError
    return { body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), info };
  }

  async readStream(key: string, options: DriverReadOptions): Promise<ReadStreamResult> {
    const context: ErrorContext = { op: 'readStream', key, condition: NO_CONDITION, signal: options.signal };
    return this.pinned(key, options, async (file, info) => {
      const first = await openRead(file, 0, this.sdkTransport);
      const body = resumableBody(first, {
        size: info.size,
        backend: 'gcs',
        key,
        retry: this.retry,
        // The SDK's HTTP client (node-fetch 2) never reports a Content-Length body cut mid-way:
        // the stream just stops. A silent body is therefore treated as a cut connection.
        idleMs: this.timeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        mapError: (err) => (isStateStoreError(err) ? err : this.mapError(err, context)),
        reopen: (offset) => this.reopen(file, offset, context),
      });
      return { body, info };
    });
  }

  async stat(key: string, options: DriverReadOptions): Promise<ObjectInfo> {
    // Under a `version` condition a missing object is PreconditionFailed (mapError maps the 404).
    const context: ErrorContext = { op: 'stat', key, condition: options.condition, signal: options.signal };
    const info = await this.call(context, async () =>
      this.toInfo((await this.file(key).getMetadata())[0] as GcsObjectMeta),
    );
    if (options.condition.kind === 'version' && info.version !== options.condition.version) throw this.changed(key);
    return info;
  }

  async write(key: string, body: Uint8Array | string, options: DriverWriteOptions): Promise<ObjectInfo> {
    const bytes = toBytes(body);
    const file = this.file(key);
    const upload = this.uploadOptions(key, options);
    // Both upload kinds carry the precondition; the size only picks one request or a session.
    await this.call({ op: 'write', key, condition: options.condition, signal: options.signal }, () =>
      file.save(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
        resumable: bytes.byteLength > this.threshold,
        validation: 'md5',
        ...upload,
      }),
    );
    return this.toInfo(file.metadata as GcsObjectMeta);
  }

  async writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: DriverWriteStreamOptions,
  ): Promise<ObjectInfo> {
    if (options.size !== undefined && options.size <= this.threshold)
      return this.write(key, await collect(body), options);
    const file = this.file(key);
    const upload = this.uploadOptions(key, options);
    const connections = this.sdkTransport ? undefined : uploadAgent(file);
    // Not retried: a consumed stream cannot be replayed. A stalled upload fails (retryably)
    // rather than waiting forever; so does one whose body stops coming for `timeoutMs`.
    const stall = watchStall(this.timeoutMs, key);
    const signal = options.signal === undefined ? stall.signal : AbortSignal.any([options.signal, stall.signal]);
    try {
      await pipeline(
        body instanceof Readable ? body : Readable.from(body),
        stall.meter,
        file.createWriteStream({ resumable: true, validation: false, ...upload }),
        { signal },
      );
    } catch (err) {
      if (stall.error !== undefined && options.signal?.aborted !== true) throw stall.error;
      throw err; // the portable layer maps it, with this call's condition (and Aborted once the signal fired)
    } finally {
      stall.stop();
      connections?.close();
    }
    return this.toInfo(file.metadata as GcsObjectMeta);
  }

  async delete(key: string, options: DriverDeleteOptions): Promise<void> {
    const context: ErrorContext = { op: 'delete', key, condition: options.condition, signal: options.signal };
    const ifGenerationMatch = this.generationOf(key, options.condition);
    // Under `version`, a missing object answers 404, which mapError reports as PreconditionFailed:
    // the version the compare-and-delete named is gone.
    await this.call(context, () =>
      this.file(key).delete(ifGenerationMatch === undefined ? { ignoreNotFound: true } : { ifGenerationMatch }),
    );
  }

  async list(options: ListOptions): Promise<ListPage> {
    const prefix = this.root + (options.prefix ?? '');
    const context: ErrorContext = { op: 'list', condition: NO_CONDITION, signal: options.signal };
    const [files, next, response] = await this.call(context, () =>
      this.bucket.getFiles({
        prefix,
        autoPaginate: false,
        ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
        ...(options.pageSize === undefined ? {} : { maxResults: options.pageSize }),
        ...(options.pageToken === undefined ? {} : { pageToken: options.pageToken }),
      }),
    );
    const objects = files
      .map((file) => this.toInfo(file.metadata as GcsObjectMeta))
      .sort((a, b) => compareKeys(a.key, b.key));
    const prefixes = (((response ?? {}) as { prefixes?: string[] }).prefixes ?? [])
      .map((p) => p.slice(this.root.length))
      .sort(compareKeys);
    const token = (next as { pageToken?: string } | null | undefined)?.pageToken;
    return { objects, prefixes, ...(token === undefined || token === '' ? {} : { nextPageToken: token }) };
  }

  async copy(sourceKey: string, destinationKey: string, options: DriverWriteOptions): Promise<ObjectInfo> {
    const context: ErrorContext = {
      op: 'copy',
      key: destinationKey,
      condition: options.condition,
      signal: options.signal,
    };
    const destination = this.file(destinationKey);
    const ifGenerationMatch = this.generationOf(destinationKey, options.condition);
    await this.call(context, async () => {
      try {
        await this.file(sourceKey).copy(destination, {
          ...(ifGenerationMatch === undefined ? {} : { preconditionOpts: { ifGenerationMatch } }),
          ...(this.options.kmsKeyName === undefined ? {} : { destinationKmsKeyName: this.options.kmsKeyName }),
          ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
        });
      } catch (err) {
        // The destination's condition never answers 404 (a missing destination is a 412): the
        // source is missing.
        const asRead = this.mapError(err, { ...context, key: sourceKey, condition: NO_CONDITION });
        if (asRead.code !== 'NotFound') throw err;
        throw new StateStoreError('NotFound', `gcs: copy: source ${JSON.stringify(sourceKey)} not found`, {
          key: sourceKey,
          backend: 'gcs',
          cause: err,
        });
      }
    });
    const [meta] = await this.call({ ...context, condition: NO_CONDITION }, () => destination.getMetadata());
    return this.toInfo(meta as GcsObjectMeta);
  }

  /** Maps by the HTTP status and the condition sent (see ./errors.ts). */
  mapError(err: unknown, context: ErrorContext): StateStoreError {
    return mapGcsError(err, context, this.proxy);
  }

  describeStore(): Promise<StoreFacts> {
    return describeBucket(this.bucket);
  }

  async close(): Promise<void> {
    // The SDK keeps no sockets open beyond its agent's keep-alive; nothing to release.
  }

  /** The rest of the same generation from `offset`; once it is gone, the object changed: Conflict (read again). */
  private async reopen(file: File, offset: number, context: ErrorContext): Promise<Readable> {
    try {
      return await answered(openRead(file, offset, this.sdkTransport), this.timeoutMs, context.key, 'read');
    } catch (err) {
      const mapped = isStateStoreError(err) ? err : this.mapError(err, context);
      if (mapped.code !== 'NotFound') throw mapped;
      throw new StateStoreError(
        'Conflict',
        `gcs: read ${JSON.stringify(context.key)}: the object changed while it was read`,
        { key: context.key, backend: 'gcs', cause: err },
      );
    }
  }

  /** Stats, checks the condition, then runs `fn` on the object pinned to that generation (retrying if it moved on). */
  private async pinned<T>(
    key: string,
    options: DriverReadOptions,
    fn: (file: File, info: ObjectInfo) => Promise<T>,
  ): Promise<T> {
    const context: ErrorContext = { op: 'read', key, condition: NO_CONDITION, signal: options.signal };
    for (let attempt = 1; ; attempt++) {
      const info = await this.stat(key, options);
      try {
        return await this.call(context, () =>
          fn(
            this.bucket.file(prefixedName(this.root, key, GCS_NAME_LIMIT), { generation: Number(info.version) }),
            info,
          ),
        );
      } catch (err) {
        if (!isStateStoreError(err, 'NotFound')) throw err;
        if (options.condition.kind === 'version') throw this.changed(key);
        if (attempt >= READ_ATTEMPTS)
          throw new StateStoreError('Conflict', `gcs: read ${JSON.stringify(key)}: the object kept changing`, {
            key,
            backend: 'gcs',
            retryable: true,
          });
      }
    }
  }

  private uploadOptions(key: string, options: DriverWriteOptions): Record<string, unknown> {
    const ifGenerationMatch = this.generationOf(key, options.condition);
    return {
      ...(ifGenerationMatch === undefined ? {} : { preconditionOpts: { ifGenerationMatch } }),
      ...(this.options.kmsKeyName === undefined ? {} : { kmsKeyName: this.options.kmsKeyName }),
      ...(options.contentType === undefined
        ? {}
        : { contentType: options.contentType, metadata: { contentType: options.contentType } }),
    };
  }

  /** GCS's `ifGenerationMatch` for a condition: 0 means "no live object". */
  private generationOf(key: string, condition: Condition): number | undefined {
    if (condition.kind === 'absent') return 0;
    if (condition.kind === 'none') return undefined;
    const generation = Number(condition.version);
    if (!Number.isSafeInteger(generation) || generation <= 0) {
      // No object of this store is at that version, so the compare-and-swap cannot hold.
      throw new StateStoreError(
        'PreconditionFailed',
        `gcs: ${JSON.stringify(key)}: ${JSON.stringify(condition.version)} is not a generation of this store`,
        { key, backend: 'gcs' },
      );
    }
    return generation;
  }

  /**
   * One request with its retries, each failure mapped by {@link mapError} so that `withRetry` sees
   * its code. Each attempt must be answered within `timeoutMs` (see {@link answered}); the call's
   * signal also ends a retry wait (up to `maxDelayMs`) at once.
   */
  private async call<T>(context: ErrorContext, fn: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await answered(fn(), this.timeoutMs, context.key, context.op);
        } catch (err) {
          throw isStateStoreError(err) ? err : this.mapError(err, context);
        }
      },
      { ...this.retry, signal: context.signal },
    );
  }

  private file(key: string): File {
    return this.bucket.file(prefixedName(this.root, key, GCS_NAME_LIMIT));
  }

  private changed(key: string): StateStoreError {
    return new StateStoreError(
      'PreconditionFailed',
      `gcs: ${JSON.stringify(key)}: the object changed (generation precondition not met)`,
      { key, backend: 'gcs' },
    );
  }

  private toInfo(meta: GcsObjectMeta): ObjectInfo {
    const info: ObjectInfo = {
      key: (meta.name ?? '').slice(this.root.length),
      size: Number(meta.size ?? 0),
      version: String(meta.generation ?? ''),
      lastModified: new Date(meta.updated ?? meta.timeCreated ?? 0),
    };
    if (meta.md5Hash !== undefined) info.md5 = Buffer.from(meta.md5Hash, 'base64').toString('hex');
    if (meta.contentType !== undefined) info.contentType = meta.contentType;
    return info;
  }
}
