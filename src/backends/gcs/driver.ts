import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File, Storage } from '@google-cloud/storage';
import { StateStoreError } from '../../errors.js';
import { withRetry, type RetryPolicy } from '../../vfs/retry.js';
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
import { collect, compareKeys, toBytes } from '../driver-utils.js';
import { resumableBody } from '../resume.js';
import { watchStall } from './stall-watch.js';
import { mapGcsError, type SentCondition } from './errors.js';
import type { GcsBackendOptions } from './types.js';

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

  constructor(
    private readonly storage: Storage,
    bucket: string,
    prefix: string,
    private readonly options: GcsBackendOptions,
    private readonly retry: RetryPolicy,
  ) {
    this.bucket = storage.bucket(bucket);
    this.root = prefix === '' ? '' : `${prefix}/`;
    this.url = `gs://${bucket}${prefix === '' ? '' : `/${prefix}`}`;
    this.threshold = options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const { body, info } = await this.readStream(key, options);
    const bytes = await collect(body); // fails with the body's StateStoreError
    return { body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), info };
  }

  async readStream(key: string, options: ReadOptions = {}): Promise<ReadStreamResult> {
    return this.pinned(key, options, async (file, info) => {
      const first = await this.openRead(file, 0);
      const body = resumableBody(first, {
        size: info.size,
        backend: 'gcs',
        key,
        retry: this.retry,
        // The SDK's HTTP client (node-fetch 2) never reports a Content-Length body cut mid-way:
        // the stream just stops. A silent body is therefore treated as a cut connection.
        idleMs: this.timeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        mapError: (err) => mapGcsError(err, key, 'none', 'read'),
        // The rest of the same generation; once it is gone, the object changed: Conflict (read again).
        reopen: async (offset) => {
          try {
            return await this.answered(this.openRead(file, offset), key, 'read');
          } catch (err) {
            const mapped = mapGcsError(err, key, 'none', 'read');
            if (mapped.code !== 'NotFound') throw mapped;
            throw new StateStoreError(
              'Conflict',
              `gcs: read ${JSON.stringify(key)}: the object changed while it was read`,
              { key, backend: 'gcs', cause: err },
            );
          }
        },
      });
      return { body, info };
    });
  }

  async stat(key: string, options: ReadOptions = {}): Promise<ObjectInfo> {
    const info = await this.call(key, 'none', 'stat', async () =>
      this.toInfo((await this.file(key).getMetadata())[0] as GcsObjectMeta),
    );
    if (options.ifMatch !== undefined && info.version !== options.ifMatch) throw this.changed(key);
    return info;
  }

  async write(key: string, body: Uint8Array | string, options: WriteOptions = {}): Promise<ObjectInfo> {
    const bytes = toBytes(body);
    const sent = sentOf(options);
    const file = this.file(key);
    // Both upload kinds carry the precondition; the size only picks one request or a session.
    await this.call(key, sent, 'write', () =>
      file.save(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
        resumable: bytes.byteLength > this.threshold,
        validation: 'md5',
        ...this.uploadOptions(options),
      }),
    );
    return this.toInfo(file.metadata as GcsObjectMeta);
  }

  async writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: WriteStreamOptions = {},
  ): Promise<ObjectInfo> {
    if (options.size !== undefined && options.size <= this.threshold)
      return this.write(key, await collect(body), options);
    const sent = sentOf(options);
    const file = this.file(key);
    // Not retried: a consumed stream cannot be replayed. A stalled upload fails (retryably)
    // rather than waiting forever; so does one whose body stops coming for `timeoutMs`.
    const stall = watchStall(this.timeoutMs, key);
    const signal = options.signal === undefined ? stall.signal : AbortSignal.any([options.signal, stall.signal]);
    try {
      await pipeline(
        body instanceof Readable ? body : Readable.from(body),
        stall.meter,
        file.createWriteStream({ resumable: true, validation: false, ...this.uploadOptions(options) }),
        { signal },
      );
    } catch (err) {
      if (options.signal?.aborted === true)
        throw new StateStoreError('Aborted', `gcs: write ${JSON.stringify(key)}: aborted`, {
          key,
          backend: 'gcs',
          cause: err,
        });
      if (stall.error !== undefined) throw stall.error;
      throw mapGcsError(err, key, sent, 'write');
    } finally {
      stall.stop();
    }
    return this.toInfo(file.metadata as GcsObjectMeta);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    if (options.ifMatch === undefined) {
      await this.call(key, 'none', 'delete', () => this.file(key).delete({ ignoreNotFound: true }));
      return;
    }
    const ifGenerationMatch = options.ifMatch;
    try {
      await this.call(key, 'generation', 'delete', () => this.file(key).delete({ ifGenerationMatch }));
    } catch (err) {
      // A compare-and-delete of a missing object lost its race: the version it named is gone.
      if (err instanceof StateStoreError && err.code === 'NotFound') throw this.changed(key);
      throw err;
    }
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = this.root + (options.prefix ?? '');
    const [files, next, response] = await this.call(undefined, 'none', 'list', () =>
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

  async copy(sourceKey: string, destinationKey: string, options: WriteOptions = {}): Promise<ObjectInfo> {
    const sent = sentOf(options);
    const destination = this.file(destinationKey);
    const ifGenerationMatch = generationCondition(options);
    await this.call(destinationKey, sent, 'copy', async () => {
      try {
        await this.file(sourceKey).copy(destination, {
          ...(ifGenerationMatch === undefined ? {} : { preconditionOpts: { ifGenerationMatch } }),
          ...(this.options.kmsKeyName === undefined ? {} : { destinationKmsKeyName: this.options.kmsKeyName }),
          ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
        });
      } catch (err) {
        const mapped = mapGcsError(err, sourceKey, sent, 'copy');
        if (mapped.code === 'NotFound')
          throw new StateStoreError('NotFound', `gcs: copy: source ${JSON.stringify(sourceKey)} not found`, {
            key: sourceKey,
            backend: 'gcs',
            cause: err,
          });
        throw mapGcsError(err, destinationKey, sent, 'copy');
      }
    });
    return this.toInfo(
      (await this.call(destinationKey, 'none', 'copy', () => destination.getMetadata()))[0] as GcsObjectMeta,
    );
  }

  async close(): Promise<void> {
    // The SDK keeps no sockets open beyond its agent's keep-alive; nothing to release.
  }

  /**
   * Starts a download of the pinned `file` from byte `start`; resolves with the body once the answer
   * is a success. This is the request `File.createReadStream` makes, without its answer handling:
   * for an error status it reads the error body with no rejection handler (an unhandled rejection,
   * and a stream that never ends, when that body is cut), and it emits 'response' before checking
   * the status.
   */
  private async openRead(file: File, start: number): Promise<Readable> {
    const request = file.requestStream({
      uri: '',
      qs: { alt: 'media', generation: file.generation },
      headers: { 'Cache-Control': 'no-store', ...(start > 0 ? { Range: `bytes=${start}-` } : {}) },
    }) as unknown as Readable;
    // As in createReadStream: the bytes are read from the answer the 'response' event carries, and
    // the request stream itself is drained. Its errors reach the answer too.
    request.on('error', () => undefined);
    const body = new PassThrough();
    try {
      const answer = await new Promise<Readable & { statusCode?: number }>((resolve, reject) => {
        request.once('response', resolve);
        request.once('error', reject);
        request.resume();
      });
      answer.on('error', (err) => body.destroy(err));
      answer.pipe(body);
      body.once('close', () => {
        if (!answer.readableEnded) answer.destroy(); // a reader that stopped early frees the connection
      });
      const status = answer.statusCode ?? 200;
      if (status < 300) return body;
      // The status is what counts; the body only adds the service's message, if it arrives whole.
      const message = await collect(body).then(
        (bytes) => bytes.toString('utf8'),
        () => '',
      );
      throw Object.assign(new Error(message === '' ? `HTTP ${status}` : message), { code: status });
    } catch (err) {
      request.destroy();
      body.destroy();
      throw err;
    }
  }

  /** `pending`, or Unavailable once it has had no answer for {@link timeoutMs}. */
  private answered<T>(pending: Promise<T>, key: string | undefined, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const where = key === undefined ? what : `${what} ${JSON.stringify(key)}`;
        reject(
          new StateStoreError('Unavailable', `gcs: ${where}: no answer within ${this.timeoutMs} ms`, {
            ...(key === undefined ? {} : { key }),
            backend: 'gcs',
            retryable: true,
          }),
        );
      }, this.timeoutMs);
    });
    pending.catch(() => undefined); // a late failure of an abandoned request is not news
    return Promise.race([pending, late]).finally(() => clearTimeout(timer));
  }

  /** Stats, checks `ifMatch`, then runs `fn` on the object pinned to that generation (retrying if it moved on). */
  private async pinned<T>(
    key: string,
    options: ReadOptions,
    fn: (file: File, info: ObjectInfo) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const info = await this.stat(key, options);
      try {
        return await this.call(key, 'none', 'read', () =>
          fn(this.bucket.file(this.root + key, { generation: Number(info.version) }), info),
        );
      } catch (err) {
        if (!(err instanceof StateStoreError && err.code === 'NotFound')) throw err;
        if (options.ifMatch !== undefined) throw this.changed(key);
        if (attempt >= READ_ATTEMPTS)
          throw new StateStoreError('Conflict', `gcs: read ${JSON.stringify(key)}: the object kept changing`, {
            key,
            backend: 'gcs',
            retryable: true,
          });
      }
    }
  }

  private uploadOptions(options: WriteOptions): Record<string, unknown> {
    const ifGenerationMatch = generationCondition(options);
    return {
      ...(ifGenerationMatch === undefined ? {} : { preconditionOpts: { ifGenerationMatch } }),
      ...(this.options.kmsKeyName === undefined ? {} : { kmsKeyName: this.options.kmsKeyName }),
      ...(options.contentType === undefined
        ? {}
        : { contentType: options.contentType, metadata: { contentType: options.contentType } }),
    };
  }

  /**
   * One request with its retries. Each attempt must be answered within {@link timeoutMs}: the SDK's
   * HTTP client (node-fetch 2) waits forever for the rest of an answer whose connection was cut
   * mid-body, and uploads have no timeout of their own in the SDK.
   */
  private async call<T>(key: string | undefined, sent: SentCondition, what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(async () => {
      try {
        return await this.answered(fn(), key, what);
      } catch (err) {
        throw mapGcsError(err, key, sent, what);
      }
    }, this.retry);
  }

  private file(key: string): File {
    return this.bucket.file(this.root + key);
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

function sentOf(options: WriteOptions): SentCondition {
  if (options.ifNoneMatch === '*') return 'absent';
  return options.ifMatch === undefined ? 'none' : 'generation';
}

/** GCS's `ifGenerationMatch`: 0 means "no live object". */
function generationCondition(options: WriteOptions): number | undefined {
  if (options.ifNoneMatch === '*') return 0;
  if (options.ifMatch === undefined) return undefined;
  const generation = Number(options.ifMatch);
  if (!Number.isSafeInteger(generation) || generation <= 0) {
    throw new StateStoreError(
      'PreconditionFailed',
      `gcs: ifMatch ${JSON.stringify(options.ifMatch)} is not a generation of this store`,
      { backend: 'gcs' },
    );
  }
  return generation;
}
