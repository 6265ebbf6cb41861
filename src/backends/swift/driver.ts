import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { isStateStoreError, StateStoreError } from '../../errors.js';
import type {
  Condition,
  DriverCopyOptions,
  DriverDeleteOptions,
  DriverReadOptions,
  DriverWriteOptions,
  DriverWriteStreamOptions,
  ErrorContext,
  VfsDriver,
} from '../../vfs/driver.js';
import type { RetryPolicy } from '../../vfs/retry.js';
import { readTooLarge } from '../../vfs/read-cap.js';
import type {
  Capabilities,
  ListOptions,
  ListPage,
  ObjectInfo,
  ReadResult,
  ReadStreamResult,
  ServerSideLocation,
} from '../../vfs/types.js';
import { md5Hex, toBytes } from '../common/bytes.js';
import { resumableBody } from '../resume.js';
import type { SwiftClient } from './client.js';
import type { SwiftBackendOptions } from './types.js';
import { mapSwiftError } from './errors.js';
import { listPage } from './list.js';
import { objectPath, type SwiftLocation } from './url.js';

/**
 * Create-if-absent writes in flight in this process, by account identity and object name. Under
 * `createIfAbsent: "best-effort"` they run one at a time per name, as kops's swiftfs `CreateFile`
 * holds a process-wide lock: racing creators of one process then see each other (exactly one
 * wins); creators in other processes still race (Swift's check is not atomic).
 */
const creating = new Map<string, Promise<unknown>>();

/** The type Swift would otherwise guess from the key's extension: stored when the caller gives none. */
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/**
 * The `swift://container/prefix` backend (OpenStack Swift, kops's swiftfs), over Swift's HTTP API.
 *
 * What Swift enforces, and so what {@link SwiftDriver.capabilities} promise:
 * - NO compare-and-swap: Swift ignores `If-Match` on `PUT` (and on `DELETE`), so `ifMatch` on
 *   write, writeStream, copy and delete is refused with Unsupported before any I/O. The store's
 *   merges then run under the cluster's lease when create-if-absent is claimed (best effort), and
 *   are refused with Unsupported otherwise (kops itself overwrites unconditionally there);
 * - NO atomic create-if-absent: `PUT` with `If-None-Match: *` answers 412 when the object exists
 *   as the request arrives, but racing creators can all succeed. Refused by default; the
 *   `createIfAbsent: "best-effort"` option claims it anyway (see {@link SwiftBackendOptions}).
 *   Swift applies a COPY's conditions to its source, so a create-if-absent copy streams the
 *   source through a conditional PUT instead of copying server-side;
 * - reads pinned to a version: `GET`/`HEAD` with `If-Match: <etag>` answer 412 when it changed;
 *   a streamed read is one `GET`, resumed after a cut with a ranged `GET` pinned by `If-Match`;
 * - server-side copy (`PUT` with `X-Copy-From`), within the account, between stores of one identity;
 * - streamed writes at bounded memory: one chunked `PUT` (Swift stores nothing until the body
 *   ended, so an aborted upload leaves nothing); Swift's object size limit (5 GiB by default) applies.
 * Versions are ETags, the MD5 of the content, so rewriting identical bytes keeps the version.
 */
export class SwiftDriver implements VfsDriver {
  readonly backend = 'swift';
  readonly capabilities: Capabilities;
  readonly url: string;

  constructor(
    private readonly location: SwiftLocation,
    private readonly client: SwiftClient,
    options: { retry?: RetryPolicy; createIfAbsent?: SwiftBackendOptions['createIfAbsent'] } = {},
  ) {
    this.url = location.url;
    this.retry = options.retry ?? {};
    this.capabilities = {
      ifMatch: false,
      ifNoneMatch: options.createIfAbsent === 'best-effort',
      deleteIfMatch: false,
      serverSideCopy: true,
      md5: true,
    };
  }

  private readonly retry: RetryPolicy;

  async read(key: string, options: DriverReadOptions): Promise<ReadResult> {
    const response = await this.get(key, options.condition, options.signal);
    const info = this.infoOf(key, response.headers);
    const cap = options.maxBytes;
    // By the announced size; a chunked answer past it is refused by the portable layer (read-cap.ts).
    if (cap !== undefined && info.size > cap) {
      await response.body?.cancel().catch(() => undefined);
      throw readTooLarge(info, 'swift', cap, String(info.size));
    }
    const body = new Uint8Array(await response.arrayBuffer());
    return { body, info: { ...info, size: body.byteLength } };
  }

  async readStream(key: string, options: DriverReadOptions): Promise<ReadStreamResult> {
    const response = await this.get(key, options.condition, options.signal);
    const info = this.infoOf(key, response.headers);
    const context: ErrorContext = { op: 'readStream', key, condition: options.condition, signal: options.signal };
    // Every resumed range is pinned to the ETag of the first answer: all bytes are of one version.
    const pinned: Condition = { kind: 'version', version: info.version };
    const body = resumableBody(toNodeStream(response), {
      size: info.size,
      reopen: async (offset) =>
        toNodeStream(await this.get(key, pinned, options.signal, { Range: `bytes=${offset}-` })),
      mapError: (err) => (isStateStoreError(err) ? err : this.mapError(err, context)),
      retry: this.retry,
      signal: options.signal,
      backend: this.backend,
      key,
    });
    return { body, info };
  }

  async stat(key: string, options: DriverReadOptions): Promise<ObjectInfo> {
    const response = await this.client.send({
      method: 'HEAD',
      path: this.path(key),
      headers: ifMatch(options.condition),
      signal: options.signal,
    });
    return this.infoOf(key, response.headers);
  }

  write(key: string, body: Uint8Array | string, options: DriverWriteOptions): Promise<ObjectInfo> {
    return this.oneCreator(key, options.condition, () => this.put(key, body, options));
  }

  private async put(key: string, body: Uint8Array | string, options: DriverWriteOptions): Promise<ObjectInfo> {
    const bytes = toBytes(body);
    const md5 = md5Hex(bytes);
    const response = await this.client.send({
      method: 'PUT',
      path: this.path(key),
      // Swift checks the body against the ETag sent and answers 422 when they differ.
      headers: { ...this.writeHeaders(options), ETag: md5 },
      body: bytes,
      signal: options.signal,
    });
    return this.written(key, response.headers, bytes.byteLength, md5, options.contentType);
  }

  writeStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: DriverWriteStreamOptions,
  ): Promise<ObjectInfo> {
    return this.oneCreator(key, options.condition, () => this.putStream(key, body, options));
  }

  private async putStream(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options: DriverWriteStreamOptions,
  ): Promise<ObjectInfo> {
    const hash = createHash('md5');
    let size = 0;
    const headers = await this.client.putStream(
      this.path(key),
      this.writeHeaders(options),
      body,
      (chunk) => {
        hash.update(chunk);
        size += chunk.byteLength;
      },
      options.signal,
    );
    const md5 = hash.digest('hex');
    if (stripQuotes(headers.get('etag')) !== md5) {
      throw new StateStoreError('IntegrityError', `swift: writeStream ${JSON.stringify(key)}: stored MD5 differs`, {
        key,
        backend: this.backend,
      });
    }
    return this.written(key, headers, size, md5, options.contentType);
  }

  async delete(key: string, options: DriverDeleteOptions): Promise<void> {
    await this.client.send({ method: 'DELETE', path: this.path(key), accept: [404], signal: options.signal });
  }

  list(options: ListOptions): Promise<ListPage> {
    return listPage(this.client, this.location, options);
  }

  async copy(sourceKey: string, destinationKey: string, options: DriverWriteOptions): Promise<ObjectInfo> {
    if (options.condition.kind === 'absent') {
      // Swift would apply If-None-Match to the COPY's source: stream through a conditional PUT.
      return this.oneCreator(destinationKey, options.condition, async () => {
        const source = await this.readStream(sourceKey, { condition: { kind: 'none' }, signal: options.signal });
        const contentType = options.contentType ?? source.info.contentType;
        return this.putStream(destinationKey, source.body, {
          ...options,
          size: source.info.size,
          ...(contentType === undefined ? {} : { contentType }),
        });
      });
    }
    return this.copyObject(
      objectPath(this.location.container, this.location.root + sourceKey),
      destinationKey,
      options,
    );
  }

  serverSideLocation(key: string): ServerSideLocation {
    return {
      service: 'swift',
      identity: this.client.identity(),
      bucket: this.location.container,
      key: this.location.root + key,
    };
  }

  /** `X-Copy-From` another store of the same identity (any container of the account). */
  async copyFromLocation(
    source: ServerSideLocation,
    destinationKey: string,
    options: DriverCopyOptions,
  ): Promise<ObjectInfo | undefined> {
    if (source.service !== 'swift' || source.identity !== this.client.identity()) return undefined;
    // A create-if-absent copy cannot be server-side (see copy): the caller streams instead, to a
    // conditional PUT, whatever `ifNoneMatchInService` says (enforcing is always allowed).
    if (options.condition.kind === 'absent') return undefined;
    return this.copyObject(objectPath(source.bucket, source.key), destinationKey, options);
  }

  /** Runs a create-if-absent write after the earlier ones for the same object (see {@link creating}). */
  private async oneCreator<T>(key: string, condition: Condition, write: () => Promise<T>): Promise<T> {
    if (condition.kind !== 'absent') return write();
    const lock = `${this.client.identity()}|${this.location.container}|${this.location.root}${key}`;
    const earlier = creating.get(lock) ?? Promise.resolve();
    const mine = earlier.catch(() => undefined).then(write);
    const settled = mine.catch(() => undefined);
    creating.set(lock, settled);
    try {
      return await mine;
    } finally {
      if (creating.get(lock) === settled) creating.delete(lock);
    }
  }

  mapError(err: unknown, context: ErrorContext): StateStoreError {
    return mapSwiftError(err, context, this.location.container);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  /**
   * A server-side copy: a PUT with `X-Copy-From`, conditions on the destination as on a write.
   * The answer has the new ETag but no size: a HEAD pinned to that ETag gives it.
   */
  private async copyObject(from: string, destinationKey: string, options: DriverWriteOptions): Promise<ObjectInfo> {
    const headers: Record<string, string> = { 'X-Copy-From': from };
    if (options.contentType !== undefined) headers['Content-Type'] = options.contentType;
    const response = await this.client.send({
      method: 'PUT',
      path: this.path(destinationKey),
      headers,
      body: new Uint8Array(0),
      signal: options.signal,
    });
    const version = stripQuotes(response.headers.get('etag'));
    const pinned: Condition = version === '' ? { kind: 'none' } : { kind: 'version', version };
    return this.stat(destinationKey, { condition: pinned, signal: options.signal });
  }

  private get(key: string, condition: Condition, signal?: AbortSignal, extra: Record<string, string> = {}) {
    return this.client.send({
      method: 'GET',
      path: this.path(key),
      headers: { ...ifMatch(condition), ...extra },
      signal,
    });
  }

  private path(key: string): string {
    return objectPath(this.location.container, this.location.root + key);
  }

  private writeHeaders(options: DriverWriteOptions): Record<string, string> {
    return {
      'Content-Type': options.contentType ?? DEFAULT_CONTENT_TYPE,
      ...(options.condition.kind === 'absent' ? { 'If-None-Match': '*' } : {}),
    };
  }

  private written(key: string, headers: Headers, size: number, md5: string, contentType?: string): ObjectInfo {
    const lastModified = headers.get('last-modified');
    return {
      key,
      size,
      version: stripQuotes(headers.get('etag')) || md5,
      md5,
      lastModified: lastModified === null ? new Date() : new Date(lastModified),
      contentType: contentType ?? DEFAULT_CONTENT_TYPE,
    };
  }

  private infoOf(key: string, headers: Headers): ObjectInfo {
    const etag = stripQuotes(headers.get('etag'));
    const timestamp = Number(headers.get('x-timestamp'));
    const lastModified = headers.get('last-modified');
    const contentType = headers.get('content-type');
    // A large-object manifest's ETag is not the MD5 of its content.
    const plain = /^[0-9a-f]{32}$/.test(etag) && headers.get('x-static-large-object') === null;
    return {
      key,
      size: Number(headers.get('content-length') ?? 0),
      version: etag,
      ...(plain ? { md5: etag } : {}),
      lastModified:
        Number.isFinite(timestamp) && timestamp > 0 ? new Date(timestamp * 1000) : new Date(lastModified ?? 0),
      ...(contentType === null ? {} : { contentType }),
    };
  }
}

function ifMatch(condition: Condition): Record<string, string> {
  return condition.kind === 'version' ? { 'If-Match': `"${condition.version}"` } : {};
}

function stripQuotes(etag: string | null): string {
  return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');
}

function toNodeStream(response: Response): Readable {
  if (response.body === null) return Readable.from([]);
  return Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
}
