import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobHTTPHeaders, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
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
import { mapAzureError, type SentCondition } from './errors.js';
import type { AzureBackendOptions } from './types.js';

const DEFAULT_BLOCK_SIZE = 4 * 1024 * 1024;
const COPY_POLL_MS = 200;

/** The blob properties this driver reads (common to download, getProperties and list items). */
interface BlobProps {
  etag?: string;
  contentLength?: number;
  contentMD5?: Uint8Array;
  lastModified?: Date;
  contentType?: string;
}

/**
 * The Vfs over one Azure container and prefix. The version is the ETag; conditions are Azure's
 * `If-Match` / `If-None-Match: *`, decided by the service (on the commit for staged uploads).
 * A read is one GET, so content and ETag always belong together.
 */
export class AzureDriver implements VfsDriver {
  readonly backend = 'azure';
  readonly capabilities: Capabilities = {
    ifMatch: true,
    ifNoneMatch: true,
    deleteIfMatch: true,
    serverSideCopy: true,
    md5: true,
  };
  private readonly root: string;
  private readonly blockSize: number;

  constructor(
    private readonly container: ContainerClient,
    readonly url: string,
    prefix: string,
    private readonly options: AzureBackendOptions,
    private readonly retry: RetryPolicy,
  ) {
    this.root = prefix === '' ? '' : `${prefix}/`;
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const { body, info } = await this.readStream(key, options);
    const bytes = await collect(body); // fails with the body's StateStoreError
    return { body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), info };
  }

  async readStream(key: string, options: ReadOptions = {}): Promise<ReadStreamResult> {
    const blob = this.blob(key);
    // The SDK's own resumption of a cut download is switched off (maxRetryRequests: 0): on Node it
    // gives up on the first cut anyway (the response's 'aborted' event ends it), and resumptions
    // are bounded by this store's retry policy instead, in resumableBody.
    const response = await this.call(
      key,
      options.ifMatch === undefined ? 'none' : 'version',
      'read',
      () => blob.download(0, undefined, { ...this.readOptions(options), maxRetryRequests: 0 }),
      options.signal,
    );
    const info = this.toInfo(key, response);
    const mapError = (err: unknown) => mapAzureError(err, key, 'none', 'read', options.signal);
    const body = resumableBody(response.readableStreamBody as Readable, {
      size: info.size,
      backend: 'azure',
      key,
      retry: this.retry,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      mapError,
      // The rest of the same version: a changed blob answers 412, reported as Conflict (read again).
      reopen: async (offset) => {
        try {
          const rest = await blob.download(offset, undefined, {
            ...this.signalOf(options),
            conditions: { ifMatch: info.version },
            maxRetryRequests: 0,
          });
          return rest.readableStreamBody as Readable;
        } catch (err) {
          const mapped = mapAzureError(err, key, 'version', 'read', options.signal);
          if (mapped.code !== 'PreconditionFailed' && mapped.code !== 'NotFound') throw mapped;
          throw new StateStoreError(
            'Conflict',
            `azure: read ${JSON.stringify(key)}: the object changed while it was read`,
            { key, backend: 'azure', cause: err },
          );
        }
      },
    });
    return { body, info };
  }

  async stat(key: string, options: ReadOptions = {}): Promise<ObjectInfo> {
    return this.call(
      key,
      options.ifMatch === undefined ? 'none' : 'version',
      'stat',
      async () => this.toInfo(key, await this.blob(key).getProperties(this.readOptions(options))),
      options.signal,
    );
  }

  async write(key: string, body: Uint8Array | string, options: WriteOptions = {}): Promise<ObjectInfo> {
    const bytes = Buffer.from(toBytes(body));
    const md5 = createHash('md5').update(bytes).digest();
    await this.call(
      key,
      sentOf(options),
      'write',
      () =>
        this.blob(key).upload(bytes, bytes.byteLength, {
          ...this.writeOptions(options, md5),
        }),
      options.signal,
    );
    // The upload response carries no size or type: one HEAD gives the full, authoritative info.
    return this.stat(key);
  }

  async writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: WriteStreamOptions = {},
  ): Promise<ObjectInfo> {
    if (options.size !== undefined && options.size <= this.blockSize)
      return this.write(key, await collect(body), options);
    // Staged blocks at bounded memory (one block buffered at a time); nothing is visible until the
    // commit, which carries the condition, so a lost race leaves the object untouched.
    // Not retried as a whole: a consumed stream cannot be replayed (each block call is retried).
    const blob = this.blob(key);
    const hash = createHash('md5');
    const ids: string[] = [];
    const nonce = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const block = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      const id = Buffer.from(`${nonce}-${String(ids.length).padStart(6, '0')}`).toString('base64');
      ids.push(id);
      await this.call(
        key,
        'none',
        'write',
        () =>
          blob.stageBlock(id, block, block.byteLength, {
            ...(options.signal === undefined ? {} : { abortSignal: options.signal }),
            ...(this.options.encryptionScope === undefined ? {} : { encryptionScope: this.options.encryptionScope }),
          }),
        options.signal,
      );
    };
    try {
      for await (const chunk of body) {
        if (options.signal?.aborted === true)
          throw new StateStoreError('Aborted', `azure: write ${JSON.stringify(key)}: aborted`, {
            key,
            backend: 'azure',
          });
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
        hash.update(buffer);
        pending.push(buffer);
        pendingBytes += buffer.byteLength;
        if (pendingBytes >= this.blockSize) await flush();
      }
      await flush();
    } catch (err) {
      if (options.signal?.aborted === true)
        throw new StateStoreError('Aborted', `azure: write ${JSON.stringify(key)}: aborted`, {
          key,
          backend: 'azure',
          cause: err,
        });
      throw mapAzureError(err, key, 'none', 'write', options.signal);
    }
    const md5 = hash.digest();
    await this.call(
      key,
      sentOf(options),
      'write',
      () => blob.commitBlockList(ids, this.writeOptions(options, md5)),
      options.signal,
    );
    return this.stat(key);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    if (options.ifMatch === undefined) {
      await this.call(
        key,
        'none',
        'delete',
        () => this.blob(key).deleteIfExists(this.signalOf(options)),
        options.signal,
      );
      return;
    }
    try {
      await this.call(
        key,
        'version',
        'delete',
        () => this.blob(key).delete({ ...this.signalOf(options), conditions: { ifMatch: options.ifMatch } }),
        options.signal,
      );
    } catch (err) {
      // A compare-and-delete of a missing object lost its race: the version it named is gone.
      if (err instanceof StateStoreError && err.code === 'NotFound' && !err.message.endsWith(': container not found'))
        throw this.changed(key);
      throw err;
    }
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = this.root + (options.prefix ?? '');
    const page = {
      maxPageSize: Math.min(options.pageSize ?? 1000, 5000),
      ...(options.pageToken === undefined ? {} : { continuationToken: options.pageToken }),
    };
    const signal = this.signalOf(options);
    return this.call(
      undefined,
      'none',
      'list',
      async () => {
        const iterator =
          options.delimiter === '/'
            ? this.container.listBlobsByHierarchy('/', { prefix, ...signal }).byPage(page)
            : this.container.listBlobsFlat({ prefix, ...signal }).byPage(page);
        const result = await iterator.next();
        if (result.done === true) return { objects: [], prefixes: [] };
        const segment = result.value.segment as {
          blobItems: Array<{ name: string; properties: BlobProps }>;
          blobPrefixes?: Array<{ name: string }>;
        };
        const objects = segment.blobItems
          .map((item) => this.toInfo(item.name.slice(this.root.length), item.properties))
          .sort((a, b) => compareKeys(a.key, b.key));
        const prefixes = (segment.blobPrefixes ?? []).map((p) => p.name.slice(this.root.length)).sort(compareKeys);
        const token = result.value.continuationToken;
        return { objects, prefixes, ...(token === undefined || token === '' ? {} : { nextPageToken: token }) };
      },
      options.signal,
    );
  }

  async copy(sourceKey: string, destinationKey: string, options: WriteOptions = {}): Promise<ObjectInfo> {
    const sent = sentOf(options);
    const source = this.blob(sourceKey);
    const destination = this.blob(destinationKey);
    const headers = options.contentType === undefined ? undefined : await this.stat(sourceKey);
    await this.call(
      destinationKey,
      sent,
      'copy',
      async () => {
        try {
          // Same-account copy: the service authorises the source with this request's credential.
          // The conditions apply to the destination.
          const poller = await destination.beginCopyFromURL(source.url, {
            conditions: conditionsOf(options),
            ...(this.options.encryptionScope === undefined ? {} : { encryptionScope: this.options.encryptionScope }),
            ...(options.signal === undefined ? {} : { abortSignal: options.signal }),
            intervalInMs: COPY_POLL_MS,
          } as Parameters<BlockBlobClient['beginCopyFromURL']>[1]);
          await poller.pollUntilDone();
        } catch (err) {
          const mapped = mapAzureError(err, destinationKey, sent, 'copy', options.signal);
          if (mapped.code === 'NotFound' && !mapped.message.endsWith(': container not found')) {
            throw new StateStoreError('NotFound', `azure: copy: source ${JSON.stringify(sourceKey)} not found`, {
              key: sourceKey,
              backend: 'azure',
              cause: err,
            });
          }
          throw mapped;
        }
      },
      options.signal,
    );
    if (headers !== undefined && options.contentType !== undefined) {
      // Copy keeps the source's headers; a requested type is set afterwards (MD5 kept as copied).
      const info = await this.stat(destinationKey);
      await this.call(
        destinationKey,
        'version',
        'copy',
        () =>
          destination.setHTTPHeaders(
            {
              blobContentType: options.contentType,
              ...(info.md5 === undefined ? {} : { blobContentMD5: Buffer.from(info.md5, 'hex') }),
            },
            { conditions: { ifMatch: info.version } },
          ),
        options.signal,
      );
    }
    return this.stat(destinationKey);
  }

  async close(): Promise<void> {
    // The SDK's HTTP client keeps only keep-alive sockets; nothing else to release.
  }

  private readOptions(options: ReadOptions): { conditions?: { ifMatch: string }; abortSignal?: AbortSignal } {
    return {
      ...this.signalOf(options),
      ...(options.ifMatch === undefined ? {} : { conditions: { ifMatch: options.ifMatch } }),
    };
  }

  private writeOptions(
    options: WriteOptions,
    md5: Buffer,
  ): {
    conditions: { ifMatch?: string; ifNoneMatch?: string };
    blobHTTPHeaders: BlobHTTPHeaders;
    encryptionScope?: string;
    abortSignal?: AbortSignal;
  } {
    return {
      conditions: conditionsOf(options),
      blobHTTPHeaders: {
        blobContentMD5: md5,
        ...(options.contentType === undefined ? {} : { blobContentType: options.contentType }),
      },
      ...(this.options.encryptionScope === undefined ? {} : { encryptionScope: this.options.encryptionScope }),
      ...this.signalOf(options),
    };
  }

  private signalOf(options: { signal?: AbortSignal }): { abortSignal?: AbortSignal } {
    return options.signal === undefined ? {} : { abortSignal: options.signal };
  }

  private async call<T>(
    key: string | undefined,
    sent: SentCondition,
    what: string,
    fn: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return withRetry(async () => {
      try {
        return await fn();
      } catch (err) {
        throw mapAzureError(err, key, sent, what, signal);
      }
    }, this.retry);
  }

  private blob(key: string): BlockBlobClient {
    return this.container.getBlockBlobClient(this.root + key);
  }

  private changed(key: string): StateStoreError {
    return new StateStoreError(
      'PreconditionFailed',
      `azure: ${JSON.stringify(key)}: the object changed (ETag precondition not met)`,
      { key, backend: 'azure' },
    );
  }

  private toInfo(key: string, props: BlobProps): ObjectInfo {
    const info: ObjectInfo = {
      key,
      size: props.contentLength ?? 0,
      version: props.etag ?? '',
      lastModified: props.lastModified ?? new Date(0),
    };
    if (props.contentMD5 !== undefined && props.contentMD5.byteLength === 16)
      info.md5 = Buffer.from(props.contentMD5).toString('hex');
    if (props.contentType !== undefined && props.contentType !== '') info.contentType = props.contentType;
    return info;
  }
}

function conditionsOf(options: WriteOptions): { ifMatch?: string; ifNoneMatch?: string } {
  if (options.ifNoneMatch === '*') return { ifNoneMatch: '*' };
  if (options.ifMatch !== undefined) return { ifMatch: options.ifMatch };
  return {};
}

function sentOf(options: WriteOptions): SentCondition {
  if (options.ifNoneMatch === '*') return 'absent';
  return options.ifMatch === undefined ? 'none' : 'version';
}
