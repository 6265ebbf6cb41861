import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobHTTPHeaders, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
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
import { collectCapped } from '../../vfs/read-cap.js';
import type {
  Capabilities,
  ListOptions,
  ListPage,
  ObjectInfo,
  ReadResult,
  ReadStreamResult,
  StoreFacts,
} from '../../vfs/types.js';
import { describeContainer } from './describe.js';
import { collect, toBytes } from '../common/bytes.js';
import { compareKeys } from '../common/paging.js';
import { AZURE_NAME_LIMIT, prefixedName } from '../common/key-limit.js';
import { resumableBody } from '../resume.js';
import { stageBlocks } from './blocks.js';
import { isContainerNotFound, mapAzureError } from './errors.js';
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

  async read(key: string, options: DriverReadOptions): Promise<ReadResult> {
    const { body, info } = await this.readStream(key, options);
    const bytes = await collectCapped(body, info, 'azure', options.maxBytes); // fails with the body's StateStoreError
    return { body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), info };
  }

  async readStream(key: string, options: DriverReadOptions): Promise<ReadStreamResult> {
    const blob = this.blob(key);
    const context: ErrorContext = { op: 'readStream', key, condition: options.condition, signal: options.signal };
    // The SDK's own resumption of a cut download is switched off (maxRetryRequests: 0): on Node it
    // gives up on the first cut anyway (the response's 'aborted' event ends it), and resumptions
    // are bounded by this store's retry policy instead, in resumableBody.
    const response = await this.call(context, () =>
      blob.download(0, undefined, { ...this.readOptions(options), maxRetryRequests: 0 }),
    );
    const info = this.toInfo(key, response);
    const body = resumableBody(response.readableStreamBody as Readable, {
      size: info.size,
      backend: 'azure',
      key,
      retry: this.retry,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      mapError: (err) => this.bodyError(err, context),
      reopen: (offset) => this.reopen(blob, offset, info.version, context),
    });
    return { body, info };
  }

  async stat(key: string, options: DriverReadOptions): Promise<ObjectInfo> {
    const context: ErrorContext = { op: 'stat', key, condition: options.condition, signal: options.signal };
    return this.call(context, async () =>
      this.toInfo(key, await this.blob(key).getProperties(this.readOptions(options))),
    );
  }

  async write(key: string, body: Uint8Array | string, options: DriverWriteOptions): Promise<ObjectInfo> {
    const bytes = Buffer.from(toBytes(body));
    const md5 = createHash('md5').update(bytes).digest();
    const response = await this.call({ op: 'write', key, condition: options.condition, signal: options.signal }, () =>
      this.blob(key).upload(bytes, bytes.byteLength, this.writeOptions(options, md5)),
    );
    return this.writtenInfo(key, response, bytes.byteLength, md5, options);
  }

  async writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: DriverWriteStreamOptions,
  ): Promise<ObjectInfo> {
    if (options.size !== undefined && options.size <= this.blockSize)
      return this.write(key, await collect(body), options);
    // Staged blocks at bounded memory; nothing is visible until the commit, which carries the
    // condition, so a lost race leaves the object untouched. Not retried as a whole: a consumed
    // stream cannot be replayed (each block call is retried). A failure of the caller's stream
    // goes to the portable layer, which maps it once.
    const blob = this.blob(key);
    const staging: ErrorContext = { op: 'writeStream', key, condition: NO_CONDITION, signal: options.signal };
    const staged = await stageBlocks(
      body,
      this.blockSize,
      async (id, block) => {
        await this.call(staging, () =>
          blob.stageBlock(id, block, block.byteLength, {
            ...this.signalOf(options),
            ...(this.options.encryptionScope === undefined ? {} : { encryptionScope: this.options.encryptionScope }),
          }),
        );
      },
      { key, ...(options.signal === undefined ? {} : { signal: options.signal }) },
    );
    const response = await this.call({ ...staging, condition: options.condition }, () =>
      blob.commitBlockList(staged.ids, this.writeOptions(options, staged.md5)),
    );
    return this.writtenInfo(key, response, staged.size, staged.md5, options);
  }

  /**
   * What a write wrote, from its own response (ETag, time) and what was sent (size, MD5, type).
   * Not a HEAD after it: another writer's compare-and-swap on top of this write may land first,
   * and its ETag would be reported as this write's (16 racing merges on Azurite showed it: a
   * history entry named the next writer's version, which made this write's look external).
   */
  private writtenInfo(
    key: string,
    response: { etag?: string; lastModified?: Date },
    size: number,
    md5: Buffer,
    options: DriverWriteOptions,
  ): ObjectInfo {
    return this.toInfo(key, {
      etag: response.etag,
      lastModified: response.lastModified ?? new Date(),
      contentLength: size,
      contentMD5: md5,
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    });
  }

  async delete(key: string, options: DriverDeleteOptions): Promise<void> {
    const context: ErrorContext = { op: 'delete', key, condition: options.condition, signal: options.signal };
    // Under `version`, a missing blob answers 404, which mapError reports as PreconditionFailed:
    // the version the compare-and-delete named is gone.
    await this.call(context, () =>
      options.condition.kind === 'version'
        ? this.blob(key).delete({ ...this.signalOf(options), conditions: { ifMatch: options.condition.version } })
        : this.blob(key).deleteIfExists(this.signalOf(options)),
    );
  }

  async list(options: ListOptions): Promise<ListPage> {
    const prefix = this.root + (options.prefix ?? '');
    const page = {
      maxPageSize: Math.min(options.pageSize ?? 1000, 5000),
      ...(options.pageToken === undefined ? {} : { continuationToken: options.pageToken }),
    };
    const signal = this.signalOf(options);
    return this.call({ op: 'list', condition: NO_CONDITION, signal: options.signal }, async () => {
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
    });
  }

  async copy(sourceKey: string, destinationKey: string, options: DriverWriteOptions): Promise<ObjectInfo> {
    const context: ErrorContext = {
      op: 'copy',
      key: destinationKey,
      condition: options.condition,
      signal: options.signal,
    };
    const plain = { condition: NO_CONDITION, signal: options.signal };
    // A requested type is set after the copy; the source is checked first so a missing one fails
    // before anything is written.
    if (options.contentType !== undefined) await this.stat(sourceKey, plain);
    await this.call(context, () => this.copyBlob(sourceKey, destinationKey, options));
    if (options.contentType !== undefined) {
      // Copy keeps the source's headers; the requested type replaces them (MD5 kept as copied).
      const info = await this.stat(destinationKey, plain);
      await this.call({ ...context, condition: { kind: 'version', version: info.version } }, () =>
        this.blob(destinationKey).setHTTPHeaders(
          {
            blobContentType: options.contentType,
            ...(info.md5 === undefined ? {} : { blobContentMD5: Buffer.from(info.md5, 'hex') }),
          },
          { ...this.signalOf(options), conditions: { ifMatch: info.version } },
        ),
      );
    }
    return this.stat(destinationKey, plain);
  }

  /** Maps by the status, the service's error code and the condition sent (see ./errors.ts). */
  mapError(err: unknown, context: ErrorContext): StateStoreError {
    return mapAzureError(err, context);
  }

  describeStore(options: { signal?: AbortSignal }): Promise<StoreFacts> {
    return describeContainer(this.container, options.signal);
  }

  async close(): Promise<void> {
    // The SDK's HTTP client keeps only keep-alive sockets; nothing else to release.
  }

  /**
   * One server-side copy, the conditions on the destination. Same-account copy: the service
   * authorises the source with this request's credential. A 404 that is not the container is the
   * source missing (a missing destination under a condition answers 412).
   */
  private async copyBlob(sourceKey: string, destinationKey: string, options: DriverWriteOptions): Promise<void> {
    try {
      const poller = await this.blob(destinationKey).beginCopyFromURL(this.blob(sourceKey).url, {
        conditions: conditionsOf(options.condition),
        ...(this.options.encryptionScope === undefined ? {} : { encryptionScope: this.options.encryptionScope }),
        ...this.signalOf(options),
        intervalInMs: COPY_POLL_MS,
      } as Parameters<BlockBlobClient['beginCopyFromURL']>[1]);
      await poller.pollUntilDone();
    } catch (err) {
      const f = this.mapError(err, { op: 'copy', key: sourceKey, condition: NO_CONDITION });
      if (f.code !== 'NotFound' || isContainerNotFound(err)) throw err;
      throw new StateStoreError('NotFound', `azure: copy: source ${JSON.stringify(sourceKey)} not found`, {
        key: sourceKey,
        backend: 'azure',
        cause: err,
      });
    }
  }

  /** The rest of the same version from `offset`: a changed blob answers 412 (or 404), reported as Conflict (read again). */
  private async reopen(
    blob: BlockBlobClient,
    offset: number,
    version: string,
    context: ErrorContext,
  ): Promise<Readable> {
    const pinned: ErrorContext = { ...context, condition: { kind: 'version', version } };
    try {
      const rest = await blob.download(offset, undefined, {
        ...this.signalOf(context),
        conditions: { ifMatch: version },
        maxRetryRequests: 0,
      });
      return rest.readableStreamBody as Readable;
    } catch (err) {
      const mapped = this.mapError(err, pinned);
      if (mapped.code !== 'PreconditionFailed' || isContainerNotFound(err)) throw mapped;
      throw new StateStoreError(
        'Conflict',
        `azure: read ${JSON.stringify(context.key)}: the object changed while it was read`,
        { key: context.key, backend: 'azure', cause: err },
      );
    }
  }

  /**
   * A failure of a body whose answer already arrived with a success status. The SDK's download
   * stream reports a body that ended short with a plain Error (no status, no code): whatever
   * mapError cannot name there is the connection cut mid-body, so it is resumed.
   */
  private bodyError(err: unknown, context: ErrorContext): StateStoreError {
    if (isStateStoreError(err)) return err;
    const mapped = this.mapError(err, context);
    if (mapped.code !== 'Unknown') return mapped;
    return new StateStoreError(
      'Unavailable',
      `azure: read ${JSON.stringify(context.key)}: the connection was cut before the whole answer arrived`,
      { key: context.key, backend: 'azure', cause: err },
    );
  }

  private readOptions(options: DriverReadOptions): { conditions?: { ifMatch: string }; abortSignal?: AbortSignal } {
    return {
      ...this.signalOf(options),
      ...(options.condition.kind === 'version' ? { conditions: { ifMatch: options.condition.version } } : {}),
    };
  }

  private writeOptions(
    options: DriverWriteOptions,
    md5: Buffer,
  ): {
    conditions: { ifMatch?: string; ifNoneMatch?: string };
    blobHTTPHeaders: BlobHTTPHeaders;
    encryptionScope?: string;
    abortSignal?: AbortSignal;
  } {
    return {
      conditions: conditionsOf(options.condition),
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

  /**
   * One request with its retries, each failure mapped by {@link mapError} so that `withRetry` sees
   * its code. The call's signal also ends a retry wait (up to `maxDelayMs`) at once.
   */
  private async call<T>(context: ErrorContext, fn: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await fn();
        } catch (err) {
          throw isStateStoreError(err) ? err : this.mapError(err, context);
        }
      },
      { ...this.retry, signal: context.signal },
    );
  }

  private blob(key: string): BlockBlobClient {
    return this.container.getBlockBlobClient(prefixedName(this.root, key, AZURE_NAME_LIMIT));
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

/** Azure's request conditions for a {@link Condition}. */
function conditionsOf(condition: Condition): { ifMatch?: string; ifNoneMatch?: string } {
  if (condition.kind === 'absent') return { ifNoneMatch: '*' };
  if (condition.kind === 'version') return { ifMatch: condition.version };
  return {};
}
